"""Reads for people browsing the catalog: filtered, sorted and paged records, facet counts, text
groups, one record's detail, and what changed recently.

Everything is SQL on the typed columns, tag rows and download rows (models.py); only the rows of
the page asked for are read whole. The public catalog (apps/site) shapes these values into pages;
nothing here knows about HTTP or templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Lower

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category, served_categories
from apps.catalog.formats import v2
from apps.catalog.models import CategoryMetadata, DownloadFile, ModelRecord, RecordTag

NSFW_MODES = ("hide", "show", "only")


@dataclass(frozen=True)
class SortOption:
    key: str
    label: str
    needs: str | None  # the v2 field a category must have for this sort, None: any category
    order: tuple  # order_by() expressions, ties broken by file order


SORTS = (
    SortOption("name", "Name, A to Z", None, (Lower("name").asc(),)),
    SortOption("updated", "Recently updated", None, (F("updated_at").desc(),)),
    SortOption("created", "Newest", None, (F("created_at").desc(),)),
    SortOption("largest", "Largest first", "parameters", (F("parameters_count").desc(nulls_last=True),)),
    SortOption("smallest", "Smallest first", "parameters", (F("parameters_count").asc(nulls_last=True),)),
    SortOption(
        "size", "Largest download", "size_on_disk_bytes", (F("size_on_disk_bytes").desc(nulls_last=True),)
    ),
    SortOption("baseline", "Baseline", "baseline", (F("baseline").asc(nulls_last=True), Lower("name").asc())),
)
GROUP_SORTS = {
    "name": (Lower("group").asc(),),
    "updated": (F("latest").desc(), Lower("group").asc()),
    "created": (F("first_created").desc(), Lower("group").asc()),
    "largest": (F("max_parameters").desc(nulls_last=True), Lower("group").asc()),
    "smallest": (F("min_parameters").asc(nulls_last=True), Lower("group").asc()),
    "members": (F("members").desc(), Lower("group").asc()),
    "baseline": (Lower("group").asc(),),
    "size": (F("max_parameters").desc(nulls_last=True), Lower("group").asc()),
}
TIE_BREAK = ("position", "id")


def has_field(category: Category, name: str) -> bool:
    return any(spec.name == name for spec in v2.record_fields(category))


def sort_options(category: Category) -> list[SortOption]:
    """The sorts that make sense for a category (a size sort only where records have sizes; text
    models are sized by their parameters, not their download)."""
    sized_by_parameters = has_field(category, "parameters")
    return [
        s
        for s in SORTS
        if (s.needs is None or has_field(category, s.needs)) and not (s.key == "size" and sized_by_parameters)
    ]


@dataclass(frozen=True)
class BrowseQuery:
    """What a visitor asked for. Values within one filter are alternatives (any of them), except
    tags, which must all be present; filters are combined with AND."""

    category: Category
    text: str = ""
    baselines: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    controlnet_styles: tuple[str, ...] = ()
    nsfw: str = "hide"  # hide | show | only
    inpainting: bool | None = None
    min_parameters: int | None = None
    max_parameters: int | None = None
    sort: str = "name"

    def without(self, facet: str) -> BrowseQuery:
        return replace(self, **{facet: ()})


# --- filtering ------------------------------------------------------------------------------------


def _text_filter(text: str) -> Q:
    """Every word must appear in the name, the display name or the description (any case)."""
    wanted = Q()
    for word in text.split():
        wanted &= Q(name__icontains=word) | Q(display_name__icontains=word) | Q(description__icontains=word)
    return wanted


def filtered(query: BrowseQuery) -> QuerySet:
    records = ModelRecord.objects.filter(category=query.category.value)
    if query.text.strip():
        records = records.filter(_text_filter(query.text))
    if query.baselines:
        records = records.filter(baseline__in=query.baselines)
    if query.styles:
        records = records.filter(style__in=query.styles)
    if query.controlnet_styles:
        records = records.filter(controlnet_style__in=query.controlnet_styles)
    if query.nsfw == "hide":
        records = records.exclude(nsfw=True)
    elif query.nsfw == "only":
        records = records.filter(nsfw=True)
    if query.inpainting is not None:
        records = records.filter(inpainting=True) if query.inpainting else records.exclude(inpainting=True)
    if query.min_parameters is not None:
        records = records.filter(parameters_count__gte=query.min_parameters)
    if query.max_parameters is not None:
        records = records.filter(parameters_count__lte=query.max_parameters)
    tags = RecordTag.objects.filter(record=OuterRef("pk"))
    for tag in query.tags:
        records = records.filter(Exists(tags.filter(tag=tag)))
    if query.hosts:
        records = records.filter(
            Exists(DownloadFile.objects.filter(record=OuterRef("pk"), host__in=query.hosts))
        )
    return records


# --- facets -----------------------------------------------------------------------------------------

FACET_COLUMNS = {"baselines": "baseline", "styles": "style", "controlnet_styles": "controlnet_style"}
TAG_FACET_LIMIT = 30


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int  # records matching the other filters that have this value
    selected: bool


def browse_facets(query: BrowseQuery) -> dict[str, list[FacetValue]]:
    """For each filter the category has, its values with counts under the other filters.

    A value selected in the query is always listed (count 0 if nothing has it any more), so a
    visitor can always untick it. Tags are counted under every filter (they narrow: all of them
    must match) and limited to the most common ones.
    """
    facets: dict[str, list[FacetValue]] = {}
    for facet, column in FACET_COLUMNS.items():
        if not has_field(query.category, column):
            continue
        rows = (
            filtered(query.without(facet))
            .exclude(**{f"{column}__isnull": True})
            .exclude(**{column: ""})
            .order_by()
            .values_list(column)
            .annotate(n=Count("id"))
        )
        facets[facet] = _values(dict(rows), getattr(query, facet))
    if has_field(query.category, "tags"):
        rows = (
            RecordTag.objects.filter(record__in=filtered(query))
            .order_by()
            .values_list("tag")
            .annotate(n=Count("record", distinct=True))
            .order_by("-n", "tag")[:TAG_FACET_LIMIT]
        )
        facets["tags"] = _values(dict(rows), query.tags)
    rows = (
        DownloadFile.objects.filter(record__in=filtered(query.without("hosts")))
        .exclude(host="")
        .order_by()
        .values_list("host")
        .annotate(n=Count("record", distinct=True))
    )
    facets["hosts"] = _values(dict(rows), query.hosts)
    return facets


def _values(counts: dict[str, int], selected: tuple[str, ...]) -> list[FacetValue]:
    """Most common first."""
    for value in selected:
        counts.setdefault(value, 0)
    ordered = sorted(counts, key=lambda v: (-counts[v], v.lower(), v))
    return [FacetValue(v, counts[v], v in selected) for v in ordered]


def parameter_bounds(category: Category) -> tuple[int | None, int | None]:
    """The smallest and largest parameter count in the category (for the size range's hints)."""
    if not has_field(category, "parameters"):
        return None, None
    bounds = ModelRecord.objects.filter(category=category.value).aggregate(
        low=Min("parameters_count"), high=Max("parameters_count")
    )
    return bounds["low"], bounds["high"]


# --- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One record as a list shows it."""

    pk: int
    category: str
    name: str
    description: str
    display_name: str
    baseline: str
    style: str
    nsfw: bool
    inpainting: bool
    version: str
    parameters: int | None
    size_bytes: int | None
    group: str
    tags: tuple[str, ...]
    showcase: str | None  # the first showcase image, if any
    updated_at: datetime


_CARD_COLUMNS = (
    "pk",
    "category",
    "name",
    "description",
    "display_name",
    "baseline",
    "style",
    "nsfw",
    "inpainting",
    "model_version",
    "parameters_count",
    "size_on_disk_bytes",
    "text_model_group",
    "updated_at",
    "data",
)


def _card(row: tuple) -> Card:
    pk, category, name, description, display, baseline, style, nsfw, inpainting, version, params, size = row[
        :12
    ]
    group, updated, data = row[12:]
    showcases = data.get("showcases") or []
    return Card(
        pk=pk,
        category=category,
        name=name,
        description=description or "",
        display_name=display or "",
        baseline=baseline or "",
        style=style or "",
        nsfw=bool(nsfw),
        inpainting=bool(inpainting),
        version=version or "",
        parameters=params,
        size_bytes=size,
        group=group or name,
        tags=tuple(t for t in data.get("tags") or () if t),
        showcase=showcases[0] if showcases else None,
        updated_at=updated,
    )


@dataclass(frozen=True)
class RecordPage:
    cards: list[Card]
    total: int
    number: int  # 1-based
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _sort(category: Category, key: str) -> SortOption:
    options = {s.key: s for s in sort_options(category)}
    return options.get(key, options["name"])


def browse_records(query: BrowseQuery, *, page: int, per_page: int) -> RecordPage:
    """One page of the records matching `query` (page numbers start at 1)."""
    records = filtered(query)
    total = records.count()
    order = _sort(query.category, query.sort).order
    start = (page - 1) * per_page
    rows = records.order_by(*order, *TIE_BREAK).values_list(*_CARD_COLUMNS)[start : start + per_page]
    return RecordPage([_card(row) for row in rows], total, page, per_page)


# --- text groups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Text models of one base model (`text_model_group`): its sizes and quantisations."""

    name: str
    members: list[Card]
    member_count: int
    min_parameters: int | None
    max_parameters: int | None
    latest: datetime


@dataclass(frozen=True)
class GroupPage:
    groups: list[Group]
    total: int  # groups
    record_total: int  # records in them
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def browse_groups(query: BrowseQuery, *, page: int, per_page: int) -> GroupPage:
    """One page of the groups that have a member matching `query`, each with those members
    (smallest first). Two queries for the groups, one for their members."""
    records = filtered(query).annotate(group=Coalesce("text_model_group", "name"))
    groups = (
        records.order_by()
        .values("group")
        .annotate(
            members=Count("id"),
            min_parameters=Min("parameters_count"),
            max_parameters=Max("parameters_count"),
            latest=Max("updated_at"),
            first_created=Min("created_at"),
        )
    )
    order = GROUP_SORTS.get(query.sort, GROUP_SORTS["name"])
    total = groups.count()
    record_total = records.count()
    start = (page - 1) * per_page
    rows = list(groups.order_by(*order, "group")[start : start + per_page])
    names = [row["group"] for row in rows]
    members: dict[str, list[Card]] = {name: [] for name in names}
    member_rows = (
        records.filter(group__in=names)
        .order_by("group", F("parameters_count").asc(nulls_last=True), Lower("name"), "id")
        .values_list(*_CARD_COLUMNS, "group")
    )
    for row in member_rows:
        members[row[-1]].append(_card(row[:-1]))
    return GroupPage(
        [
            Group(
                r["group"],
                members[r["group"]],
                r["members"],
                r["min_parameters"],
                r["max_parameters"],
                r["latest"],
            )
            for r in rows
        ],
        total,
        record_total,
        page,
        per_page,
    )


# --- one record ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    position: int
    file_name: str
    file_url: str
    host: str
    sha256sum: str
    file_purpose: str
    size_bytes: int | None


@dataclass(frozen=True)
class RecordDetail:
    record: ModelRecord
    downloads: list[Download]
    siblings: list[Card] = field(default_factory=list)  # text: the other members of its group


def record_detail(category: Category, name: str) -> RecordDetail | None:
    """A record with its downloads and, for a text model, the other members of its group."""
    record = ModelRecord.objects.filter(category=category.value, name=name).defer("legacy_layout").first()
    if record is None:
        return None
    downloads = [
        Download(d.position, d.file_name, d.file_url, d.host, d.sha256sum, d.file_purpose, d.size_bytes)
        for d in record.downloads.order_by("position")
    ]
    siblings: list[Card] = []
    if record.text_model_group:
        rows = (
            ModelRecord.objects.filter(category=category.value, text_model_group=record.text_model_group)
            .exclude(pk=record.pk)
            .order_by(F("parameters_count").asc(nulls_last=True), Lower("name"), "id")
            .values_list(*_CARD_COLUMNS)
        )
        siblings = [_card(row) for row in rows[:50]]
    return RecordDetail(record, downloads, siblings)


# --- the categories and what changed --------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryOverview:
    category: Category
    records: int
    last_updated: datetime | None


def category_overview() -> list[CategoryOverview]:
    """Every served category with its record count and last change (two queries)."""
    counts = dict(ModelRecord.objects.order_by().values_list("category").annotate(n=Count("id")))
    updated = dict(CategoryMetadata.objects.values_list("category", "last_updated"))
    return [CategoryOverview(c, counts.get(c.value, 0), updated.get(c.value)) for c in served_categories()]


@dataclass(frozen=True)
class RecentChange:
    event_id: int
    at: datetime
    category: str
    name: str
    operation: str  # create | update | delete
    origin: str
    actor: str
    fields: tuple[str, ...]  # for an update: the fields it changed
    live: bool  # the record exists now (a link can be offered)


def _record_events(categories: list[Category], name: str | None) -> QuerySet:
    events = AuditEvent.objects.filter(category__in=[c.value for c in categories])
    return events if name is None else events.filter(model_name=name)


def change_count(categories: list[Category]) -> int:
    return _record_events(categories, None).count()


def recent_changes(
    categories: list[Category], *, limit: int, offset: int = 0, name: str | None = None
) -> list[RecentChange]:
    """Record writes in these categories (of one record, with `name`), newest first, from the
    audit trail."""
    events = _record_events(categories, name)
    rows = list(
        events.order_by("-id").values_list(
            "id",
            "timestamp",
            "category",
            "model_name",
            "operation",
            "origin",
            "actor_name",
            "actor_id",
            "payload",
        )[offset : offset + limit]
    )
    wanted = Q(pk__in=[])
    for row in rows:
        wanted |= Q(category=row[2], name=row[3])
    live = set(ModelRecord.objects.filter(wanted).values_list("category", "name")) if rows else set()
    changes = [
        RecentChange(
            event_id=pk,
            at=at,
            category=category,
            name=name,
            operation=operation,
            origin=origin,
            actor=actor_name or actor_id or "",
            fields=tuple(f for f in (payload or {}).get("delta") or () if f != v2.LEGACY_KEY)
            if operation == "update"
            else (),
            live=(category, name) in live,
        )
        for pk, at, category, name, operation, origin, actor_name, actor_id, payload in rows
    ]
    return changes
