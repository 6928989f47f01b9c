"""Pages of records (cards), text groups with their members, and one record's detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Max, Min
from django.db.models.functions import Coalesce, Lower

from apps.catalog.browse.query import (
    GROUP_SORTS,
    TIE_BREAK,
    BrowseQuery,
    SortOption,
    filtered,
    sort_options,
)
from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord


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


CARD_COLUMNS = (
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


def card(row: tuple) -> Card:
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


def sort_option(category: Category, key: str) -> SortOption:
    options = {s.key: s for s in sort_options(category)}
    return options.get(key, options["name"])


def browse_records(query: BrowseQuery, *, page: int, per_page: int) -> RecordPage:
    """One page of the records matching `query` (page numbers start at 1)."""
    records = filtered(query)
    total = records.count()
    order = sort_option(query.category, query.sort).order
    start = (page - 1) * per_page
    rows = records.order_by(*order, *TIE_BREAK).values_list(*CARD_COLUMNS)[start : start + per_page]
    return RecordPage([card(row) for row in rows], total, page, per_page)


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
        .values_list(*CARD_COLUMNS, "group")
    )
    for row in member_rows:
        members[row[-1]].append(card(row[:-1]))
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
            .values_list(*CARD_COLUMNS)
        )
        siblings = [card(row) for row in rows[:50]]
    return RecordDetail(record, downloads, siblings)
