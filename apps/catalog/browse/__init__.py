"""Reads for people browsing the catalog: filtered, sorted and paged records, facet counts, text
groups, one record's detail, and what changed recently.

Everything is SQL on the typed columns, tag rows and download rows (catalog.models); only the
rows of the page asked for are read whole. The public catalog (apps/site) shapes these values
into pages; nothing here knows about HTTP or templates.

- `query`: what a visitor asks for (`BrowseQuery`), the sorts, the filtered rows;
- `facets`: counts per filter value, the size range of text models;
- `records`: pages of cards, text groups, one record's detail;
- `changes`: the categories' counts, recent changes.
"""

from apps.catalog.browse.changes import (
    CategoryOverview,
    RecentChange,
    category_overview,
    change_count,
    recent_changes,
)
from apps.catalog.browse.facets import FacetValue, browse_facets, parameter_bounds
from apps.catalog.browse.query import NSFW_MODES, SORTS, BrowseQuery, SortOption, has_field, sort_options
from apps.catalog.browse.records import (
    Card,
    Download,
    Group,
    GroupPage,
    RecordDetail,
    RecordPage,
    browse_groups,
    browse_records,
    record_detail,
)

__all__ = [
    "NSFW_MODES",
    "SORTS",
    "BrowseQuery",
    "Card",
    "CategoryOverview",
    "Download",
    "FacetValue",
    "Group",
    "GroupPage",
    "RecentChange",
    "RecordDetail",
    "RecordPage",
    "SortOption",
    "browse_facets",
    "browse_groups",
    "browse_records",
    "category_overview",
    "change_count",
    "has_field",
    "parameter_bounds",
    "recent_changes",
    "record_detail",
    "sort_options",
]
