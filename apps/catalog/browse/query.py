"""What a visitor asks for (BrowseQuery), the sorts a category offers, and the filtered rows."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from apps.catalog.categories import Category
from apps.catalog.formats import v2
from apps.catalog.models import DownloadFile, ModelRecord, RecordTag

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
