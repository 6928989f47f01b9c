"""A fluent query builder over records already in memory (`manager.query(category)`).

Every step returns a new query, so a partly built one can be reused. Steps run in the order they
were added; `order_by`, `offset` and `limit` apply last, whatever their place in the chain. Field
names are checked against the record type (a typo raises ValueError naming the valid fields);
`a__b` reaches into nested fields (`model_classification__domain`). `where(field__op=value)`
knows `ne`, `lt`, `lte`, `gt`, `gte`, `in`, `contains` and `icontains`; a list or set as a plain
value means `in`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from hmr_client.categories import Category
from hmr_client.records import RECORD_TYPES, GenericModelRecord

Step = Callable[[list[Any]], list[Any]]
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "in": lambda value, choices: value in choices,
    "contains": lambda value, item: item in value,
    "icontains": lambda value, text: str(text).lower() in str(value).lower(),
}
BACKENDS = ("aphrodite", "koboldcpp")
# Quantisation written in a text model's name: Q4_K_M, Q8_0, Q5, GGUF, GPTQ, AWQ, EXL2, fp16, int4...
_QUANTISED = re.compile(
    r"(?i)(?<![A-Za-z0-9])(Q\d(_[A-Z0-9]+)*|GGUF|GGML|GPTQ|AWQ|EXL2|fp16|fp32|int8|int4)(?![A-Za-z0-9])"
)


def _field_names(record_type: type[GenericModelRecord] | None) -> set[str]:
    types = [record_type] if record_type is not None else list(RECORD_TYPES.values())
    names = set()
    for kind in types:
        for name, info in kind.model_fields.items():
            names.add(name)
            if info.alias:
                names.add(info.alias)
    return names


def _resolve(record: Any, path: str) -> Any:
    value = record
    for part in path.split("__"):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _flatten(tags: tuple[str | Iterable[str], ...]) -> set[str]:
    flat: set[str] = set()
    for tag in tags:
        flat.update([tag] if isinstance(tag, str) else tag)
    return flat


class Query:
    def __init__(
        self,
        records: Iterable[Any],
        record_type: type[GenericModelRecord] | None = None,
        *,
        _steps: tuple[Step, ...] = (),
        _order: tuple[str, bool] | None = None,
        _offset: int = 0,
        _limit: int | None = None,
    ) -> None:
        self._records = list(records)
        self._record_type = record_type
        self._steps = _steps
        self._order = _order
        self._offset = _offset
        self._limit = _limit

    def _with(self, **changes: Any) -> Any:
        state = {
            "_steps": self._steps,
            "_order": self._order,
            "_offset": self._offset,
            "_limit": self._limit,
            **changes,
        }
        return type(self)(self._records, self._record_type, **state)

    def _step(self, step: Step) -> Any:
        return self._with(_steps=(*self._steps, step))

    def _keep(self, predicate: Callable[[Any], bool]) -> Any:
        return self._step(lambda records: [r for r in records if predicate(r)])

    def _check_field(self, path: str) -> str:
        top = path.split("__")[0]
        valid = _field_names(self._record_type)
        if top not in valid:
            kind = self._record_type.__name__ if self._record_type else "any record"
            raise ValueError(f"Field {top!r} does not exist on {kind}. Valid fields: {sorted(valid)}")
        return "parameters_count" if path == "parameters" else path

    # --- steps ----------------------------------------------------------------------------------

    def where(self, *predicates: Callable[[Any], bool], **conditions: Any) -> Any:
        """Keep the records every predicate accepts and every `field[__op]=value` condition holds for."""
        tests = list(predicates)
        for key, value in conditions.items():
            path, _, op = key.rpartition("__")
            if not path or op not in _OPERATORS:
                path, op = key, "in" if isinstance(value, (list, tuple, set, frozenset)) else "eq"
            tests.append(self._condition(self._check_field(path), op, value))
        return self._keep(lambda record: all(test(record) for test in tests))

    @staticmethod
    def _condition(path: str, op: str, value: Any) -> Callable[[Any], bool]:
        if op == "eq":
            return lambda record: _resolve(record, path) == value
        compare = _OPERATORS[op]

        def test(record: Any) -> bool:
            found = _resolve(record, path)
            if found is None:
                return op == "ne" and value is not None
            try:
                return bool(compare(found, value))
            except TypeError:
                return False

        return test

    def filter(self, predicate: Callable[[Any], bool]) -> Any:
        return self._keep(predicate)

    def tags_any(self, *tags: str | Iterable[str]) -> Any:
        """Records with at least one of the tags (records without tags never match)."""
        wanted = _flatten(tags)
        self._check_field("tags")
        return self._keep(lambda r: bool(wanted.intersection(getattr(r, "tags", None) or ())))

    def tags_all(self, *tags: str | Iterable[str]) -> Any:
        wanted = _flatten(tags)
        self._check_field("tags")
        return self._keep(lambda r: bool(getattr(r, "tags", None)) and wanted.issubset(r.tags))

    def tags_none(self, *tags: str | Iterable[str]) -> Any:
        """Records with none of the tags (records without tags always match)."""
        unwanted = _flatten(tags)
        self._check_field("tags")
        return self._keep(lambda r: not unwanted.intersection(getattr(r, "tags", None) or ()))

    def name_contains(self, text: str) -> Any:
        """Records whose name contains `text`, ignoring case."""
        needle = text.lower()
        return self._keep(lambda r: needle in r.name.lower())

    def order_by(self, field: str, *, descending: bool = False) -> Any:
        """Sort by `field` (stable); records without a value come last, or first when descending."""
        return self._with(_order=(self._check_field(field), descending))

    def offset(self, n: int) -> Any:
        return self._with(_offset=n)

    def limit(self, n: int) -> Any:
        return self._with(_limit=n)

    # --- results --------------------------------------------------------------------------------

    def to_list(self) -> list[Any]:
        records = self._records
        for step in self._steps:
            records = step(records)
        if self._order is not None:
            path, descending = self._order
            valued = [r for r in records if _resolve(r, path) is not None]
            empty = [r for r in records if _resolve(r, path) is None]
            try:
                valued.sort(key=lambda r: _resolve(r, path), reverse=descending)
            except TypeError:
                raise ValueError(f"Cannot order by {path!r}: its values are not comparable") from None
            records = empty + valued if descending else valued + empty
        end = None if self._limit is None else self._offset + self._limit
        return list(records[self._offset : end])

    def __iter__(self) -> Any:
        return iter(self.to_list())

    def first(self) -> Any | None:
        found = self.limit(1).to_list()
        return found[0] if found else None

    def count(self) -> int:
        return len(self.to_list())

    def names(self) -> list[str]:
        return [record.name for record in self.to_list()]

    def distinct(self, field: str) -> list[Any]:
        """The field's values among the results, each once, in order of first appearance."""
        path = self._check_field(field)
        seen: set[Hashable] = set()
        values = []
        for record in self.to_list():
            value = _resolve(record, path)
            key = _hashable(value)
            if key not in seen:
                seen.add(key)
                values.append(value)
        return values

    def group_by(self, field: str) -> dict[Hashable, list[Any]]:
        """{value: records} (list values become tuples), groups in order of first appearance."""
        path = self._check_field(field)
        groups: dict[Hashable, list[Any]] = {}
        for record in self.to_list():
            groups.setdefault(_hashable(_resolve(record, path)), []).append(record)
        return groups


class ImageGenerationQuery(Query):
    def for_baseline(self, baseline: str) -> Any:
        return self._keep(lambda r: r.baseline == baseline)

    def only_nsfw(self) -> Any:
        return self._keep(lambda r: r.nsfw)

    def exclude_nsfw(self) -> Any:
        return self._keep(lambda r: not r.nsfw)

    def only_inpainting(self) -> Any:
        return self._keep(lambda r: bool(r.inpainting))

    def exclude_inpainting(self) -> Any:
        return self._keep(lambda r: not r.inpainting)


def backend_prefix(name: str) -> str | None:
    head, slash, _ = name.partition("/")
    return head if slash and head in BACKENDS else None


def backend_name(backend: str, name: str) -> str:
    """The name a text backend serves a base model under: `aphrodite/<name>`, `koboldcpp/<model>`
    (the model is the name without its author)."""
    if backend == "aphrodite":
        return f"aphrodite/{name}"
    return f"koboldcpp/{name.split('/')[1] if '/' in name else name}"


class TextGenerationQuery(Query):
    def for_backend(self, backend: str) -> Any:
        """The records as `backend` serves them: each renamed to its backend name (the server
        keeps base names only; records already named for that backend are kept as they are)."""
        if backend not in BACKENDS:
            raise ValueError(f"Unknown backend {backend!r}. Valid backends: {list(BACKENDS)}")

        def rename(records: list[Any]) -> list[Any]:
            renamed = []
            for record in records:
                prefix = backend_prefix(record.name)
                if prefix is None:
                    renamed.append(record.model_copy(update={"name": backend_name(backend, record.name)}))
                elif prefix == backend:
                    renamed.append(record)
            return renamed

        return self._step(rename)

    def exclude_backend_variations(self) -> Any:
        """Only base names (no `aphrodite/` or `koboldcpp/` prefix)."""
        return self._keep(lambda r: backend_prefix(r.name) is None)

    def only_quantized(self) -> Any:
        return self._keep(lambda r: _QUANTISED.search(r.name) is not None)

    def exclude_quantized(self) -> Any:
        return self._keep(lambda r: _QUANTISED.search(r.name) is None)

    def group_by_base_model(self) -> dict[str, list[Any]]:
        """{base model: records}, by the server's `text_model_group` (else the name without author)."""
        groups: dict[str, list[Any]] = {}
        for record in self.to_list():
            group = record.text_model_group or record.name.rsplit("/", 1)[-1]
            groups.setdefault(group, []).append(record)
        return groups


class ControlNetQuery(Query):
    def for_style(self, style: str) -> Any:
        return self._keep(lambda r: r.controlnet_style == style)

    def group_by_style(self) -> dict[str, list[Any]]:
        """{controlnet_style: records} (records without a style left out)."""
        groups: dict[str, list[Any]] = {}
        for record in self.to_list():
            if record.controlnet_style is not None:
                groups.setdefault(record.controlnet_style, []).append(record)
        return groups


_QUERIES: dict[Category, type[Query]] = {
    Category.IMAGE_GENERATION: ImageGenerationQuery,
    Category.TEXT_GENERATION: TextGenerationQuery,
    Category.CONTROLNET: ControlNetQuery,
}


def query_for(category: Category, records: list[Any]) -> Query:
    return _QUERIES.get(category, Query)(records, RECORD_TYPES[category])
