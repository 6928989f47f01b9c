"""How many records each filter value would give under the other filters, and text size bounds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min

from apps.catalog.browse.query import BrowseQuery, filtered, has_field
from apps.catalog.categories import Category
from apps.catalog.models import DownloadFile, ModelRecord, RecordTag

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
