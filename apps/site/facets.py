"""The filter panel, sort and view choices of a category page, as the templates show them."""

from __future__ import annotations

import hashlib

from apps.catalog.browse import FacetValue, sort_options
from apps.catalog.categories import Category
from apps.site.params import Links, PageRequest, default_view, views_for
from apps.site.templatetags.catalog import baseline_label

# Query parameter, legend, the `browse_facets` key; in the order the panel shows them.
FACETS = (
    ("baseline", "Baseline", "baselines"),
    ("style", "Style", "styles"),
    ("cn", "Control type", "controlnet_styles"),
    ("tag", "Tags (all of)", "tags"),
    ("host", "Download host", "hosts"),
)
SHOWN_BEFORE_MORE = 8
VIEW_LABELS = {"cards": "Cards", "table": "Table", "groups": "Grouped by base model"}


def _option_id(key: str, value: str) -> str:
    """Stable across renders (values move as their counts change), so focus survives an in-place update."""
    return f"f-{key}-{hashlib.sha256(value.encode()).hexdigest()[:10]}"


def _label(key: str, value: str) -> str:
    return baseline_label(value) if key == "baseline" else value


def facet_groups(category: Category, facets: dict[str, list[FacetValue]], links: Links) -> list[dict]:
    """One fieldset per filter that has values: its options (checkbox, count, toggle link), the
    first few shown and the rest under "more"."""
    groups = []
    for key, legend, facet in FACETS:
        values = facets.get(facet) or []
        if not values or (len(values) == 1 and not values[0].selected and key != "tag"):
            continue  # a filter with one value filters nothing
        options = [
            {
                "value": v.value,
                "label": _label(key, v.value),
                "count": v.count,
                "selected": v.selected,
                "href": links.toggle(key, v.value),
                "id": _option_id(key, v.value),
            }
            for v in values
        ]
        split = max(
            SHOWN_BEFORE_MORE, max((i + 1 for i, o in enumerate(options) if o["selected"]), default=0)
        )
        groups.append(
            {
                "key": key,
                "legend": legend,
                "options": options[:split],
                "more": options[split:],
                "id": f"f-{key}",
            }
        )
    return groups


def active_filters(wanted: PageRequest, links: Links) -> list[dict]:
    """What narrows the list now, each with a link that removes it."""
    query = wanted.query
    chips = []
    if query.text:
        chips.append({"label": f"“{query.text}”", "href": links.without("q")})
    for key, legend, facet in FACETS:
        for value in getattr(query, facet):
            chips.append(
                {"label": f"{legend.split(' (')[0]}: {_label(key, value)}", "href": links.toggle(key, value)}
            )
    if query.nsfw != "hide":
        chips.append(
            {"label": "NSFW shown" if query.nsfw == "show" else "NSFW only", "href": links.without("nsfw")}
        )
    if query.inpainting is not None:
        label = "Inpainting only" if query.inpainting else "No inpainting"
        chips.append({"label": label, "href": links.without("inpainting")})
    if wanted.min_b or wanted.max_b:
        label = f"Size {wanted.min_b or '0'} to {wanted.max_b or 'any'} B parameters"
        chips.append({"label": label, "href": links.without("min", "max")})
    return chips


def sort_choices(category: Category, wanted: PageRequest) -> list[dict]:
    choices = [
        {"key": s.key, "label": s.label, "selected": s.key == wanted.query.sort}
        for s in sort_options(category)
    ]
    if wanted.view == "groups":
        choices.append(
            {"key": "members", "label": "Most members", "selected": wanted.query.sort == "members"}
        )
    return choices


def view_choices(category: Category, wanted: PageRequest, links: Links) -> list[dict]:
    default = default_view(category)
    choices = []
    for view in views_for(category):
        drop = ("sort",) if wanted.query.sort == "members" and view != "groups" else ()  # a group sort
        href = links.replacing("view", None if view == default else view, drop=drop)
        choices.append(
            {"key": view, "label": VIEW_LABELS[view], "href": href, "current": view == wanted.view}
        )
    return choices
