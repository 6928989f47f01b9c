"""Record search on indexed columns (the v2 `search` endpoints).

Filters become SQL on typed columns and tag rows; sorting, counting and paging happen in the
database. Errors carry upstream's 400 messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import v2
from apps.catalog.formats.text_names import model_name
from apps.catalog.models import ModelRecord, RecordTag
from apps.core import clock
from apps.core.errors import ApplicationError

# Field names a client may sort by -> the column holding them.
SORT_COLUMNS = {
    "name": "name",
    "description": "description",
    "version": "model_version",
    "baseline": "baseline",
    "nsfw": "nsfw",
    "inpainting": "inpainting",
    "style": "style",
    "parameters": "parameters_count",
    "parameters_count": "parameters_count",
    "size_on_disk_bytes": "size_on_disk_bytes",
    "display_name": "display_name",
    "text_model_group": "text_model_group",
    "controlnet_style": "controlnet_style",
    "metadata__created_at": "created_at",
    "metadata__updated_at": "updated_at",
    "record_type": "category",
}
QUANT_PATTERN = (
    r"(^|[^A-Za-z0-9])(Q[0-9](_[A-Z0-9]+)*|GGUF|GGML|GPTQ|AWQ|EXL2|fp16|fp32|int8|int4)([^A-Za-z0-9]|$)"
)
SOURCES = ("horde", "any")


@dataclass
class SearchQuery:
    category: Category | None = None  # None: every category
    nsfw: bool | None = None
    baseline: str | None = None
    inpainting: bool | None = None
    tags_any: list[str] = field(default_factory=list)
    tags_all: list[str] = field(default_factory=list)
    tags_none: list[str] = field(default_factory=list)
    name_contains: str | None = None
    sort_by: str | None = None
    sort_desc: bool = False
    limit: int = 50
    offset: int = 0
    backend: str | None = None
    quantized: bool | None = None
    source: str = "horde"


@dataclass(frozen=True)
class SearchPage:
    results: list[dict]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + self.limit < self.total


def _has_field(category: Category, name: str) -> bool:
    return name in v2.field_names(category)


def _require_field(category: Category | None, name: str) -> None:
    if category is not None and not _has_field(category, name):
        info = CATEGORIES[category]
        raise ApplicationError(
            f"Filter not supported for this category: Field '{name}' does not exist on {info.record_class}. "
            f"Valid fields: {v2.field_names(category)}"
        )


def _validate(query: SearchQuery) -> None:
    if query.source not in SOURCES:
        raise ApplicationError(f"Unknown source: {query.source}. Valid sources: {list(SOURCES)}")
    if query.nsfw is not None:
        _require_field(query.category, "nsfw")
    if query.baseline is not None:
        _require_field(query.category, "baseline")
    if query.inpainting is not None:
        _require_field(query.category, "inpainting")
    if query.tags_any or query.tags_all or query.tags_none:
        _require_field(query.category, "tags")
    if query.sort_by is not None and query.sort_by not in sortable_fields(query.category):
        raise ApplicationError(
            f"Invalid sort_by field: '{query.sort_by}'. Valid fields: {sortable_fields(query.category)}"
        )


def sortable_fields(category: Category | None) -> list[str]:
    """The `sort_by` values a category's records can be sorted by (any record: all of them)."""
    if category is None:
        return list(SORT_COLUMNS)
    names = set(v2.field_names(category))
    if "parameters" in names:
        names.add("parameters_count")
    return [key for key in SORT_COLUMNS if key.split("__")[0] in names]


def _filtered(query: SearchQuery) -> QuerySet:
    records = ModelRecord.objects.all()
    if query.category is not None:
        records = records.filter(category=query.category.value)
    if query.nsfw is not None:
        records = records.filter(nsfw=query.nsfw)
    if query.baseline is not None:
        records = records.filter(baseline=query.baseline)
    if query.inpainting is not None:
        records = records.filter(inpainting=query.inpainting)
    if query.name_contains:
        records = records.filter(name__icontains=query.name_contains)
    if query.quantized is not None:
        quantized = Q(name__iregex=QUANT_PATTERN)
        records = records.filter(quantized if query.quantized else ~quantized)
    tags = RecordTag.objects.filter(record=OuterRef("pk"))
    if query.tags_any:
        records = records.filter(Exists(tags.filter(tag__in=query.tags_any)))
    for tag in query.tags_all:
        records = records.filter(Exists(tags.filter(tag=tag)))
    if query.tags_none:
        records = records.exclude(Exists(tags.filter(tag__in=query.tags_none)))
    return records


def _ordered(records: QuerySet, query: SearchQuery) -> QuerySet:
    tie_break = ["position", "id"]
    if query.category is None:  # across categories: upstream's category order first
        rank = Case(
            *[When(category=c.value, then=Value(i)) for i, c in enumerate(Category)],
            output_field=IntegerField(),
        )
        records = records.annotate(category_rank=rank)
        tie_break.insert(0, "category_rank")
    if query.sort_by is None:
        return records.order_by(*tie_break)
    column = F(SORT_COLUMNS[query.sort_by])
    primary = column.desc(nulls_first=True) if query.sort_desc else column.asc(nulls_last=True)
    return records.order_by(primary, *tie_break)


def record_search(query: SearchQuery) -> SearchPage:
    """One page of records matching `query`, rendered as v2 records (raises ApplicationError)."""
    _validate(query)
    records = _filtered(query)
    total = records.count()
    rows = _ordered(records, query).values_list(
        "category", "name", "data", "created_at", "updated_at", "created_by", "updated_by"
    )[query.offset : query.offset + query.limit]
    results = []
    for category, _name, data, created, updated, created_by, updated_by in rows:
        meta = v2.RecordMeta(clock.unix(created), clock.unix(updated), created_by, updated_by)
        record = v2.render_record(Category(category), data, meta)
        if query.backend:
            record["name"] = backend_name(query.backend, record["name"])
        results.append(record)
    return SearchPage(results, total, query.offset, query.limit)


def backend_name(backend: str, name: str) -> str:
    """The name a backend serves a base text model under (as in db.json)."""
    return f"aphrodite/{name}" if backend == "aphrodite" else f"koboldcpp/{model_name(name)}"
