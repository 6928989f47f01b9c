"""`ModelReferenceManager`: the reference as a Python program reads it.

One instance per process and configuration. Every category's v2 document is held in memory, kept
on disk with its ETag, and revalidated with a conditional GET once its TTL has passed (a 304 costs
no parsing). Records are validated into pydantic models the first time they are asked for, once
per document. Sync and async reads share the one cache; it is safe to use from many threads.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from hmr_client.cache import Cache, CacheStatus, Document, Plan, Retry, parse_document
from hmr_client.categories import MANAGED_ELSEWHERE, SERVED, Category, parse_category
from hmr_client.errors import AuthError, ModelNotFound, ReferenceUnavailable, ServerError
from hmr_client.store import DiskStore, server_directory
from hmr_client.transport import Answer, Transport, TransportFailure

if TYPE_CHECKING:
    import asyncio

    from hmr_client.query import Query
    from hmr_client.records import CategoryMetadata, GenericModelRecord, PopularModelResult

log = logging.getLogger("hmr_client")

DEFAULT_BASE_URL = "https://models.aihorde.net/api"
DEFAULT_TTL = 60.0
DEFAULT_TIMEOUT = 10.0
_DEFAULT_CACHE_DIR: Any = object()  # sentinel: the user's cache directory


def default_cache_dir() -> Path:
    """`$HMR_CLIENT_CACHE_DIR`, else `$XDG_CACHE_HOME/hmr-client`, else `~/.cache/hmr-client`."""
    if os.environ.get("HMR_CLIENT_CACHE_DIR"):
        return Path(os.environ["HMR_CLIENT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hmr-client"


class PrefetchStrategy(StrEnum):
    LAZY = "lazy"  # nothing until a read needs it
    SYNC = "sync"  # every category during construction, on the calling thread
    DEFERRED = "deferred"  # nothing; `deferred_prefetch_handle` runs the warm-up later
    ASYNC = "async"  # a warm-up task on the running event loop (else a deferred handle)
    NONE = "none"  # as LAZY (the replaced library's name for "no automatic warm-up")


def _records() -> Any:
    """hmr_client.records, imported on first use: it imports pydantic, which costs at start."""
    return importlib.import_module("hmr_client.records")


def _queries() -> Any:
    return importlib.import_module("hmr_client.query")


@dataclass(frozen=True)
class _Settings:
    base_url: str
    apikey: str | None = field(repr=False)
    cache_dir: Path | None
    prefetch: PrefetchStrategy
    timeout: float
    ttl: tuple[tuple[str, float], ...]
    strict: bool

    def differences(self, other: _Settings) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


def _ttl_items(ttl: float | Mapping[Category | str, float]) -> tuple[tuple[str, float], ...]:
    if isinstance(ttl, Mapping):
        return tuple(sorted((parse_category(c).value, float(s)) for c, s in ttl.items()))
    return (("*", float(ttl)),)


class DeferredPrefetchHandle:
    """The warm-up of a DEFERRED manager: `run_sync()`, `await run_async()` or `await handle`."""

    def __init__(self, manager: ModelReferenceManager, *, force_refresh: bool = False) -> None:
        self._manager = manager
        self.force_refresh = force_refresh

    def run_sync(self) -> None:
        self._manager.ensure_ready(overwrite_existing=self.force_refresh)

    async def run_async(self) -> None:
        await self._manager.ensure_ready_async(overwrite_existing=self.force_refresh)

    def __await__(self) -> Generator[Any, None, None]:
        return self.run_async().__await__()


def _reference_property(category: Category) -> property:
    def read(self: ModelReferenceManager) -> dict[str, Any]:
        return self.get_model_reference(category)

    read.__doc__ = f"The {category.value} records by name (`get_model_reference({category.value!r})`)."
    return property(read)


def _query_method(category: Category) -> Any:
    def query(self: ModelReferenceManager) -> Query:
        return self.query(category)

    query.__name__ = f"query_{category.value}"
    query.__doc__ = f"A query over the {category.value} records (`query({category.value!r})`)."
    return query


class ModelReferenceManager:
    """The model reference of one HMR server.

    `ModelReferenceManager(base_url, *, apikey=None, cache_dir=..., prefetch=LAZY, timeout=10,
    ttl=60, strict=False)`. Constructing it again with the same settings returns the same object;
    with different settings it raises RuntimeError (`reset()` forgets the instance, for tests).
    """

    _instance: ModelReferenceManager | None = None
    _instance_lock = threading.Lock()
    _settings: _Settings

    def __new__(
        cls,
        base_url: str | None = None,
        *,
        apikey: str | None = None,
        cache_dir: str | os.PathLike[str] | None = _DEFAULT_CACHE_DIR,
        prefetch: PrefetchStrategy | str | None = None,
        prefetch_strategy: PrefetchStrategy | str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ttl: float | Mapping[Category | str, float] = DEFAULT_TTL,
        strict: bool = False,
    ) -> ModelReferenceManager:
        if prefetch is not None and prefetch_strategy is not None:
            raise TypeError("Pass prefetch or prefetch_strategy (the same setting), not both")
        strategy = PrefetchStrategy(prefetch or prefetch_strategy or PrefetchStrategy.LAZY)
        if cache_dir is _DEFAULT_CACHE_DIR:
            cache_dir = default_cache_dir()
        settings = _Settings(
            base_url=(base_url or os.environ.get("HMR_URL") or DEFAULT_BASE_URL).rstrip("/"),
            apikey=apikey,
            cache_dir=Path(cache_dir).expanduser().resolve() if cache_dir is not None else None,
            prefetch=strategy,
            timeout=float(timeout),
            ttl=_ttl_items(ttl),
            strict=bool(strict),
        )
        with cls._instance_lock:
            existing = cls._instance
            if existing is not None:
                changed = existing._settings.differences(settings)
                if changed:
                    raise RuntimeError(
                        "ModelReferenceManager already exists with other settings "
                        f"({', '.join(changed)} differ); there is one per process"
                    )
                return existing
            manager = super().__new__(cls)
            manager._setup(settings)
            cls._instance = manager
        manager._start_prefetch()
        return manager

    # --- lifetime -------------------------------------------------------------------------------

    @classmethod
    def get_instance(cls) -> ModelReferenceManager:
        with cls._instance_lock:
            if cls._instance is None:
                raise RuntimeError("ModelReferenceManager has not been created yet")
            return cls._instance

    @classmethod
    def has_instance(cls) -> bool:
        with cls._instance_lock:
            return cls._instance is not None

    @classmethod
    def reset(cls) -> None:
        """Forget the instance (closing its connections), so another can be made. For tests."""
        with cls._instance_lock:
            manager, cls._instance = cls._instance, None
        if manager is not None:
            task = manager._warmup_task
            if task is not None and not task.done():
                task.cancel()
            manager.close()

    def _setup(self, settings: _Settings) -> None:
        self._settings = settings
        ttl = dict(settings.ttl)
        store = None
        if settings.cache_dir is not None:
            store = DiskStore(server_directory(settings.cache_dir, settings.base_url))
        self._cache = Cache(
            store=store,
            ttl={Category(c): s for c, s in ttl.items() if c != "*"},
            default_ttl=ttl.get("*", DEFAULT_TTL),
        )
        self._transport = Transport(settings.base_url, timeout=settings.timeout, apikey=settings.apikey)
        self._fetch_locks = {c: threading.Lock() for c in Category}
        self._deferred_handle: DeferredPrefetchHandle | None = None
        self._warmup_task: asyncio.Task[None] | None = None

    def _start_prefetch(self) -> None:
        strategy = self._settings.prefetch
        if strategy is PrefetchStrategy.SYNC:
            self.ensure_ready()
        elif strategy is PrefetchStrategy.DEFERRED:
            self._deferred_handle = DeferredPrefetchHandle(self)
        elif strategy is PrefetchStrategy.ASYNC:
            import asyncio  # here, not at the top: asyncio is a noticeable part of an import

            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                log.warning("hmr-client: no running event loop for the ASYNC prefetch; deferred instead")
                self._deferred_handle = DeferredPrefetchHandle(self)
                return
            self._warmup_task = loop.create_task(self.warm_cache_async())
            self._warmup_task.add_done_callback(_report_warmup)

    def close(self) -> None:
        """Close the HTTP connections (the cache stays usable; a later read reconnects)."""
        self._transport.close()

    async def aclose(self) -> None:
        await self._transport.aclose()

    # --- settings and state ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def prefetch_strategy(self) -> PrefetchStrategy:
        return self._settings.prefetch

    @property
    def strict(self) -> bool:
        return self._settings.strict

    @property
    def cache_dir(self) -> Path | None:
        store = self._cache.store
        return store.directory if store is not None else None

    @property
    def deferred_prefetch_handle(self) -> DeferredPrefetchHandle | None:
        return self._deferred_handle

    @property
    def is_warm(self) -> bool:
        """Every served category is held in memory with its records validated."""
        documents = [self._cache.get(c) for c in SERVED]
        return all(d is not None and d.all_typed for d in documents)

    def cache_status(self, category: Category | str) -> CacheStatus | None:
        """What is held for the category (source, ETag, age, stale and why), or None."""
        document = self._cache.get(parse_category(category))
        return document.status() if document is not None else None

    def is_stale(self, category: Category | str) -> bool:
        status = self.cache_status(category)
        return status is not None and status.stale

    def invalidate_category_cache(self, category: Category | str) -> None:
        """Forget the category's document: the next read asks the server (the disk copy stays)."""
        self._cache.drop(parse_category(category))

    # --- warm-up --------------------------------------------------------------------------------

    def ensure_ready(self, *, overwrite_existing: bool = False) -> None:
        self.get_all_model_references_or_none(overwrite_existing)

    async def ensure_ready_async(self, *, overwrite_existing: bool = False) -> None:
        import asyncio

        task = self._warmup_task
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            await asyncio.shield(task)
        await self.get_all_model_references_or_none_async(overwrite_existing)

    async def warm_cache_async(self, *, force_refresh: bool = False) -> None:
        await self.get_all_model_references_or_none_async(force_refresh)

    # --- documents: fetching (the only I/O) -----------------------------------------------------

    def _path(self, category: Category) -> str:
        return f"model_references/v2/{category.value}"

    def _plan(self, category: Category, *, validator: bool = True) -> Plan:
        path = self._path(category)
        return self._cache.plan(category, path, self._transport.url(path), validator=validator)

    def _documents(self, categories: Iterable[Category], force: bool) -> dict[Category, Document | None]:
        since = time.monotonic()
        found: dict[Category, Document | None] = {}
        unreachable: TransportFailure | None = None  # once the server cannot be reached, stop trying
        for category in categories:
            if category in MANAGED_ELSEWHERE:
                found[category] = None
                continue
            found[category] = self._cache.fresh(category, force=force, since=since)
            if found[category] is not None:
                continue
            with self._fetch_locks[category]:  # one request per category at a time, across threads
                found[category] = self._cache.fresh(category, force=force, since=since)
                if found[category] is None:
                    found[category], failure = self._revalidate(category, unreachable)
                    unreachable = unreachable or failure
        return found

    def _revalidate(
        self, category: Category, unreachable: TransportFailure | None
    ) -> tuple[Document | None, TransportFailure | None]:
        plan = self._plan(category)
        if unreachable is not None:
            return self._cache.conclude(plan, unreachable), None
        for _ in range(2):
            try:
                answer: Answer | TransportFailure = self._transport.get(plan.path, etag=plan.etag)
            except TransportFailure as failure:
                return self._cache.conclude(plan, failure), failure if failure.unreachable else None
            try:
                return self._cache.conclude(plan, answer), None
            except Retry:
                plan = self._plan(category, validator=False)
        raise AssertionError("unreachable: a request without a validator never retries")

    async def _documents_async(
        self, categories: Iterable[Category], force: bool
    ) -> dict[Category, Document | None]:
        import asyncio

        since = time.monotonic()

        async def one(category: Category) -> Document | None:
            if category in MANAGED_ELSEWHERE:
                return None
            held = self._cache.fresh(category, force=force, since=since)
            if held is not None:
                return held
            plan = self._plan(category)
            for _ in range(2):
                try:
                    answer: Answer | TransportFailure = await self._transport.aget(plan.path, etag=plan.etag)
                except TransportFailure as failure:
                    answer = failure
                try:
                    return self._cache.conclude(plan, answer)
                except Retry:
                    plan = self._plan(category, validator=False)
            raise AssertionError("unreachable: a request without a validator never retries")

        wanted = list(categories)
        return dict(zip(wanted, await asyncio.gather(*(one(c) for c in wanted)), strict=True))

    # --- documents: typed views (no I/O) --------------------------------------------------------

    def _record(self, document: Document, name: str) -> GenericModelRecord | None:
        record = document.typed.get(name)
        if record is not None or name in document.invalid:
            return record
        records = _records()
        try:
            record = records.validate_record(
                document.category, name, document.data[name], strict=self._settings.strict
            )
        except records.ValidationError as error:
            document.invalid[name] = str(error)
            log.warning("hmr-client: skipping the invalid %s record %r: %s", document.category, name, error)
            return None
        return document.typed.setdefault(name, record)

    def _reference(self, document: Document | None) -> dict[str, GenericModelRecord] | None:
        if document is None:
            return None
        if not document.all_typed:
            for name in document.data:
                self._record(document, name)
            document.all_typed = True
        typed = document.typed
        return {name: typed[name] for name in document.data if name in typed}

    def _require(self, category: Category, document: Document | None) -> Document:
        if document is not None:
            return document
        raise ReferenceUnavailable(self._why_missing([category]), categories=(category.value,))

    def _why_missing(self, categories: list[Category]) -> str:
        reasons = []
        for category in categories:
            if category in MANAGED_ELSEWHERE:
                reasons.append(f"{category.value}: managed elsewhere (the server has no document)")
            else:
                reason = self._cache.missing.get(category, "not fetched")
                reasons.append(f"{category.value}: {reason}, and no cached copy")
        return "Model reference unavailable: " + "; ".join(reasons)

    def _all_or_none(
        self, documents: dict[Category, Document | None]
    ) -> dict[Category, dict[str, GenericModelRecord] | None]:
        return {category: self._reference(documents[category]) for category in Category}

    def _all(
        self, documents: dict[Category, Document | None]
    ) -> dict[Category, dict[str, GenericModelRecord]]:
        missing = [c for c in SERVED if documents[c] is None]
        if missing:
            raise ReferenceUnavailable(self._why_missing(missing), categories=tuple(c.value for c in missing))
        return {category: self._reference(documents[category]) for category in SERVED}  # type: ignore[misc]

    def _model(self, category: Category, document: Document | None, name: str) -> GenericModelRecord:
        document = self._require(category, document)
        if name not in document.data:
            raise ModelNotFound(category.value, name)
        record = self._record(document, name)
        if record is None:
            raise ModelNotFound(category.value, name, f"invalid record ({document.invalid[name]})")
        return record

    # --- reads ----------------------------------------------------------------------------------

    def get_all_model_references(
        self, overwrite_existing: bool = False
    ) -> dict[Category, dict[str, GenericModelRecord]]:
        """{category: {name: record}} for every served category; raises ReferenceUnavailable if
        one cannot be had (from the server or the disk cache)."""
        return self._all(self._documents(Category, overwrite_existing))

    async def get_all_model_references_async(
        self, overwrite_existing: bool = False
    ) -> dict[Category, dict[str, GenericModelRecord]]:
        return self._all(await self._documents_async(Category, overwrite_existing))

    def get_all_model_references_or_none(
        self, overwrite_existing: bool = False
    ) -> dict[Category, dict[str, GenericModelRecord] | None]:
        """{category: {name: record} or None} for all 15 categories (lora and ti: None)."""
        return self._all_or_none(self._documents(Category, overwrite_existing))

    async def get_all_model_references_or_none_async(
        self, overwrite_existing: bool = False
    ) -> dict[Category, dict[str, GenericModelRecord] | None]:
        return self._all_or_none(await self._documents_async(Category, overwrite_existing))

    def _one(self, category: Category | str, force: bool) -> tuple[Category, Document | None]:
        parsed = parse_category(category)
        return parsed, self._documents([parsed], force)[parsed]

    async def _one_async(self, category: Category | str, force: bool) -> tuple[Category, Document | None]:
        parsed = parse_category(category)
        return parsed, (await self._documents_async([parsed], force))[parsed]

    def get_model_reference(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, GenericModelRecord]:
        """{name: record} of one category; raises ReferenceUnavailable if it cannot be had."""
        parsed, document = self._one(category, overwrite_existing)
        return self._reference(self._require(parsed, document))  # type: ignore[return-value]

    async def get_model_reference_async(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, GenericModelRecord]:
        parsed, document = await self._one_async(category, overwrite_existing)
        return self._reference(self._require(parsed, document))  # type: ignore[return-value]

    def get_model_reference_or_none(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, GenericModelRecord] | None:
        return self._reference(self._one(category, overwrite_existing)[1])

    async def get_model_reference_or_none_async(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, GenericModelRecord] | None:
        return self._reference((await self._one_async(category, overwrite_existing))[1])

    def get_model(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> GenericModelRecord:
        """One record; raises ModelNotFound (or ReferenceUnavailable for the category)."""
        parsed, document = self._one(category, overwrite_existing)
        return self._model(parsed, document, model_name)

    async def get_model_async(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> GenericModelRecord:
        parsed, document = await self._one_async(category, overwrite_existing)
        return self._model(parsed, document, model_name)

    def get_model_or_none(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> GenericModelRecord | None:
        document = self._one(category, overwrite_existing)[1]
        if document is None or model_name not in document.data:
            return None
        return self._record(document, model_name)

    async def get_model_or_none_async(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> GenericModelRecord | None:
        document = (await self._one_async(category, overwrite_existing))[1]
        if document is None or model_name not in document.data:
            return None
        return self._record(document, model_name)

    def get_model_names(self, category: Category | str, overwrite_existing: bool = False) -> list[str]:
        """The category's names in document order (no validation)."""
        parsed, document = self._one(category, overwrite_existing)
        return list(self._require(parsed, document).data)

    async def get_model_names_async(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> list[str]:
        parsed, document = await self._one_async(category, overwrite_existing)
        return list(self._require(parsed, document).data)

    def get_model_names_or_none(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> list[str] | None:
        document = self._one(category, overwrite_existing)[1]
        return list(document.data) if document is not None else None

    async def get_model_names_or_none_async(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> list[str] | None:
        document = (await self._one_async(category, overwrite_existing))[1]
        return list(document.data) if document is not None else None

    def get_raw_model_reference_json(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, Any] | None:
        """The category's document as parsed JSON, without validation (fast path), or None.
        It is the cached object itself: read it, do not modify it (copy.deepcopy to edit)."""
        document = self._one(category, overwrite_existing)[1]
        return document.data if document is not None else None

    async def get_raw_model_reference_json_async(
        self, category: Category | str, overwrite_existing: bool = False
    ) -> dict[str, Any] | None:
        document = (await self._one_async(category, overwrite_existing))[1]
        return document.data if document is not None else None

    def get_raw_model_json(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> dict[str, Any] | None:
        document = self._one(category, overwrite_existing)[1]
        return document.data.get(model_name) if document is not None else None

    async def get_raw_model_json_async(
        self, category: Category | str, model_name: str, overwrite_existing: bool = False
    ) -> dict[str, Any] | None:
        document = (await self._one_async(category, overwrite_existing))[1]
        return document.data.get(model_name) if document is not None else None

    # --- per-category properties and queries ----------------------------------------------------

    image_generation_models = _reference_property(Category.IMAGE_GENERATION)
    text_generation_models = _reference_property(Category.TEXT_GENERATION)
    clip_models = _reference_property(Category.CLIP)
    blip_models = _reference_property(Category.BLIP)
    controlnet_models = _reference_property(Category.CONTROLNET)
    controlnet_annotator_models = _reference_property(Category.CONTROLNET_ANNOTATOR)
    esrgan_models = _reference_property(Category.ESRGAN)
    gfpgan_models = _reference_property(Category.GFPGAN)
    codeformer_models = _reference_property(Category.CODEFORMER)
    safety_checker_models = _reference_property(Category.SAFETY_CHECKER)
    miscellaneous_models = _reference_property(Category.MISCELLANEOUS)
    audio_generation_models = _reference_property(Category.AUDIO_GENERATION)
    video_generation_models = _reference_property(Category.VIDEO_GENERATION)

    def query(self, category: Category | str) -> Query:
        """A query builder over the category's cached records (no request per query)."""
        parsed = parse_category(category)
        records = list(self.get_model_reference(parsed).values())
        return _queries().query_for(parsed, records)

    def query_all(self) -> Query:
        """A query builder over every category's records."""
        references = self.get_all_model_references()
        return _queries().Query([r for reference in references.values() for r in reference.values()])

    query_image_generation = _query_method(Category.IMAGE_GENERATION)
    query_text_generation = _query_method(Category.TEXT_GENERATION)
    query_clip = _query_method(Category.CLIP)
    query_blip = _query_method(Category.BLIP)
    query_controlnet = _query_method(Category.CONTROLNET)
    query_controlnet_annotator = _query_method(Category.CONTROLNET_ANNOTATOR)
    query_esrgan = _query_method(Category.ESRGAN)
    query_gfpgan = _query_method(Category.GFPGAN)
    query_codeformer = _query_method(Category.CODEFORMER)
    query_safety_checker = _query_method(Category.SAFETY_CHECKER)
    query_miscellaneous = _query_method(Category.MISCELLANEOUS)
    query_audio_generation = _query_method(Category.AUDIO_GENERATION)
    query_video_generation = _query_method(Category.VIDEO_GENERATION)

    # --- the beta channel and metadata (always a request) ---------------------------------------

    def _answer_json(self, answer: Answer, *, unsupported_is_none: bool = False) -> Any:
        if answer.status == 200:
            try:
                return json.loads(answer.body)
            except ValueError:
                raise ServerError(200, "the body is not JSON", answer.url) from None
        if unsupported_is_none and answer.status == 503:
            return None
        detail = _detail(answer.body)
        if answer.status in (401, 403):
            raise AuthError(answer.status, detail, answer.url)
        raise ServerError(answer.status, detail, answer.url)

    def _pending_path(self, category: Category | str) -> tuple[Category, str]:
        if not self._settings.apikey:
            raise AuthError(401, "the pending channel needs an API key (apikey=...)", "")
        parsed = parse_category(category)
        return parsed, f"{self._path(parsed)}/pending"

    def _typed(self, category: Category, data: Any, url: str) -> dict[str, GenericModelRecord]:
        if not isinstance(data, dict):
            raise ServerError(200, "expected a JSON object of records", url)
        document = Document(category, data, None, "server", time.time(), time.monotonic(), 0.0)
        return self._reference(document)  # type: ignore[return-value]

    def _request(self, path: str, *, auth: bool = False) -> Answer:
        try:
            return self._transport.get(path, auth=auth)
        except TransportFailure as failure:
            raise ReferenceUnavailable(f"{self._transport.url(path)}: {failure}") from failure

    async def _request_async(self, path: str, *, auth: bool = False) -> Answer:
        try:
            return await self._transport.aget(path, auth=auth)
        except TransportFailure as failure:
            raise ReferenceUnavailable(f"{self._transport.url(path)}: {failure}") from failure

    def get_pending_model_reference(self, category: Category | str) -> dict[str, GenericModelRecord]:
        """{name: record} proposed for the category and not applied yet (`/v2/{category}/pending`,
        with the API key). Never cached."""
        parsed, path = self._pending_path(category)
        answer = self._request(path, auth=True)
        return self._typed(parsed, self._answer_json(answer), answer.url)

    async def get_pending_model_reference_async(
        self, category: Category | str
    ) -> dict[str, GenericModelRecord]:
        parsed, path = self._pending_path(category)
        answer = await self._request_async(path, auth=True)
        return self._typed(parsed, self._answer_json(answer), answer.url)

    def _metadata_path(self, category: Category | str, suffix: str = "") -> str:
        return f"model_references/v2/metadata/{parse_category(category).value}{suffix}"

    def get_metadata(self, category: Category | str) -> CategoryMetadata | None:
        """The category's metadata on the server, or None where the server keeps none (503)."""
        answer = self._request(self._metadata_path(category))
        return _metadata(self._answer_json(answer, unsupported_is_none=True))

    async def get_metadata_async(self, category: Category | str) -> CategoryMetadata | None:
        answer = await self._request_async(self._metadata_path(category))
        return _metadata(self._answer_json(answer, unsupported_is_none=True))

    async def get_popular_models(
        self,
        category: Category | str,
        *,
        limit: int = 10,
        sort_by: str = "worker_count",
        include_workers: bool = False,
    ) -> list[PopularModelResult]:
        """The category's most served (`worker_count`) or most used (`usage_day|month|total`)
        records with their live figures, from the server's AI-Horde usage snapshot
        (`/v2/{category}/popular`; `[]` for categories AI-Horde does not serve). A coroutine, as
        in the replaced library; `get_popular_models_sync` is the same without an event loop.
        Raises ServerError (503) while the server has no usage snapshot yet. Never cached."""
        path = _popular_path(category, limit, sort_by, include_workers)
        answer = await self._request_async(path)
        return _popular(self._answer_json(answer), answer.url)

    def get_popular_models_sync(
        self,
        category: Category | str,
        *,
        limit: int = 10,
        sort_by: str = "worker_count",
        include_workers: bool = False,
    ) -> list[PopularModelResult]:
        answer = self._request(_popular_path(category, limit, sort_by, include_workers))
        return _popular(self._answer_json(answer), answer.url)

    def last_updated(self, category: Category | str) -> int | None:
        """Unix time the category last changed on the server (None where it keeps no metadata)."""
        answer = self._request(self._metadata_path(category, "/last_updated"))
        return _last_updated(self._answer_json(answer, unsupported_is_none=True))

    async def last_updated_async(self, category: Category | str) -> int | None:
        answer = await self._request_async(self._metadata_path(category, "/last_updated"))
        return _last_updated(self._answer_json(answer, unsupported_is_none=True))


POPULAR_SORTS = ("worker_count", "usage_day", "usage_month", "usage_total")


def _popular_path(category: Category | str, limit: int, sort_by: str, include_workers: bool) -> str:
    if sort_by not in POPULAR_SORTS:
        raise ValueError(f"sort_by must be one of {', '.join(POPULAR_SORTS)}, not {sort_by!r}")
    if not 1 <= limit <= 100:
        raise ValueError(f"limit must be between 1 and 100, not {limit}")
    query = urlencode({"limit": limit, "sort_by": sort_by, "include_workers": str(include_workers).lower()})
    return f"model_references/v2/{parse_category(category).value}/popular?{query}"


def _popular(data: Any, url: str) -> list[PopularModelResult]:
    if not isinstance(data, list):
        raise ServerError(200, "expected a JSON list of popular models", url)
    model = _records().PopularModelResult
    return [model.model_validate(item) for item in data]


def _metadata(data: Any) -> CategoryMetadata | None:
    return _records().CategoryMetadata.model_validate(data) if data is not None else None


def _last_updated(data: Any) -> int | None:
    return data.get("last_updated") if isinstance(data, dict) else None


def _detail(body: bytes) -> str:
    data = parse_document(body)
    detail = data.get("detail") if data is not None else None
    return detail if isinstance(detail, str) else body[:200].decode("utf-8", "replace")


def _report_warmup(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("hmr-client: the ASYNC warm-up failed: %s", task.exception())
