"""The public catalog's pages: thin views over `catalog.browse`, cached per data revision.

Each view parses the address, and hands `caching.cached_page` a render function: it runs only
when this process holds no page for the address at the current revisions.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.analytics.selectors import usage
from apps.catalog import browse
from apps.catalog.categories import Category, served_categories
from apps.catalog.formats import v2
from apps.catalog.formats.text_names import backend_variants, name_quant, name_size
from apps.core import clock
from apps.site import params
from apps.site.caching import CONTRIBUTOR, cached_page
from apps.site.facets import active_filters, facet_groups, sort_choices, view_choices
from apps.verification import selectors as verification

RECENT_ON_CATEGORY = 6
CHANGES_PER_PAGE = 50
SEARCH_PER_CATEGORY = 8


def _render(request, template: str, context: dict, variant: str, status: int = 200) -> tuple[int, str]:
    context = {
        **context,
        "contributor": variant == CONTRIBUTOR,
        "categories": served_categories(),
        "path": request.path,
    }
    return status, render_to_string(template, context)


def _error(request, variant: str, status: int, title: str, message: str, category: Category | None = None):
    return _render(
        request,
        "site/error.html",
        {"title": title, "message": message, "category": category},
        variant,
        status,
    )


@require_safe
def index(request) -> HttpResponse:
    def render(variant):
        changes = browse.recent_changes(served_categories(), limit=12)
        overview = browse.category_overview()
        return _render(
            request,
            "site/index.html",
            {
                "overview": [o for o in overview if o.records],
                "empty": [o.category for o in overview if not o.records],
                "changes": changes,
            },
            variant,
        )

    return cached_page(request, categories=served_categories(), render=render)


@require_safe
def category_page(request, category: Category) -> HttpResponse:
    base = reverse("site:category", args=[category.value])
    try:
        wanted = params.page_request(category, request.GET)
    except params.BadQuery as exc:
        message = str(exc)

        def refuse(variant):
            return _error(
                request, variant, 400, "This address asks for something we cannot show", message, category
            )

        return cached_page(request, categories=[category], render=refuse)
    canonical = params.query_pairs(wanted)
    if parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True) != canonical:
        # A submitted filter form carries its empty fields: one address per page, for links and the cache.
        return HttpResponseRedirect(f"{base}?{urlencode(canonical)}" if canonical else base)

    def render(variant):
        links = params.Links(base, wanted)
        if wanted.view == "groups":
            page = browse.browse_groups(wanted.query, page=wanted.page, per_page=wanted.per_page)
        else:
            page = browse.browse_records(wanted.query, page=wanted.page, per_page=wanted.per_page)
        if wanted.page > page.pages:
            message = f"Page {wanted.page} does not exist: these filters give {page.pages} page(s)."
            return _error(request, variant, 404, "No such page", message, category)
        changes = browse.recent_changes([category], limit=RECENT_ON_CATEGORY)
        low, high = browse.parameter_bounds(category)
        facets = browse.browse_facets(wanted.query)
        context = {
            "category": category,
            "wanted": wanted,
            "query": wanted.query,
            "page": page,
            "groups": _groups(page.groups) if wanted.view == "groups" else None,
            "first": (page.number - 1) * page.per_page + 1,
            "last": min(page.number * page.per_page, page.total),
            "pager": _pager(links, page.number, page.pages),
            "facets": facet_groups(category, facets, links),
            "active": active_filters(wanted, links),
            "clear_href": links.without(*params.MULTI, "q", "nsfw", "inpainting", "min", "max"),
            "sorts": sort_choices(category, wanted),
            "views": view_choices(category, wanted, links),
            "default_view": params.default_view(category),
            "has": {f: browse.has_field(category, f) for f in ("nsfw", "inpainting", "parameters")},
            "parameter_range": (low, high),
            "changes": changes,
            "base": base,
        }
        return _render(request, "site/category.html", context, variant)

    return cached_page(request, categories=[category], render=render)


def _pager(links: params.Links, number: int, pages: int) -> dict:
    """Previous / next and a window of page numbers (first and last always)."""
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    items, previous = [], 0
    for n in shown:
        if n - previous > 1:
            items.append(None)  # a gap
        items.append({"number": n, "href": links.page_href(n), "current": n == number})
        previous = n
    return {
        "items": items if pages > 1 else [],
        "previous": links.page_href(number - 1) if number > 1 else None,
        "next": links.page_href(number + 1) if number < pages else None,
    }


def _groups(groups: list[browse.Group]) -> list[dict]:
    rows = []
    for group in groups:
        sizes = list(dict.fromkeys(name_size(m.name) or _size_label(m.parameters) for m in group.members))
        quants = sorted({q for q in (name_quant(m.name) for m in group.members) if q})
        baselines = sorted({m.baseline for m in group.members if m.baseline})
        described = next((m for m in group.members if m.description), None)
        rows.append(
            {
                "group": group,
                "sizes": [s for s in sizes if s],
                "quants": quants,
                "baselines": baselines,
                "description": described.description if described else "",
                "nsfw": any(m.nsfw for m in group.members),
                "columns": {  # member columns worth a column: some member has a value
                    "quant": bool(quants),
                    "baseline": any(m.baseline for m in group.members),
                    "style": any(m.style for m in group.members),
                    "tags": any(m.tags for m in group.members),
                },
                "members": [
                    {"card": m, "size": name_size(m.name), "quant": name_quant(m.name)} for m in group.members
                ],
            }
        )
    return rows


def _size_label(parameters: int | None) -> str | None:
    if not parameters:
        return None
    return f"{parameters / 1e9:.1f}".rstrip("0").rstrip(".") + "B"


@require_safe
def record_page(request, category: Category, name: str) -> HttpResponse:
    def render(variant):
        detail = browse.record_detail(category, name)
        if detail is None:
            message = (
                f"There is no model named “{name}” in {category.value}. It may have been renamed or removed."
            )
            return _error(request, variant, 404, "No such model", message, category)
        record, data = detail.record, detail.record.data
        history = browse.recent_changes([category], limit=10, name=name)
        context = {
            "category": category,
            "record": record,
            "data": data,
            "detail": detail,
            "downloads": _downloads(detail),
            "usage": usage.record_usage(category, name),
            "served_as": [name, *backend_variants(name)] if category == Category.TEXT_GENERATION else [],
            "extra_fields": _extra_fields(category, data),
            "history": history,
            "v2_href": reverse("v2-model", kwargs={"category": category.value, "name": name}),
            "v1_href": reverse("v1-category", kwargs={"category": category.value}),
        }
        return _render(request, "site/record.html", context, variant)

    # Usage figures and download checks change without the catalog: kept a minute at most.
    return cached_page(request, categories=[category], render=render, vary=(clock.unix(clock.now()) // 60,))


CHECK_LABELS = {
    verification.OK: ("✓", "works"),
    verification.PROBLEM: ("✗", ""),
    verification.CHECKING: ("…", "being checked"),
    verification.UNCHECKED: ("·", "not checked yet"),
}


def _downloads(detail: browse.RecordDetail) -> list[dict]:
    """The record's files, each with its latest download check (apps/verification)."""
    states = {state.spec.url: state for state in verification.record_states(detail.record)}
    rows = []
    for download in detail.downloads:
        state = states.get(download.file_url.strip())
        check = None
        if state is not None:
            symbol, label = CHECK_LABELS[state.state]
            if state.state == verification.PROBLEM:
                label = f"{state.check.get_outcome_display()}: {state.check.reason}"
            checked_at = state.check.checked_at if state.check is not None else None
            check = {"state": state.state, "symbol": symbol, "label": label, "checked_at": checked_at}
        rows.append({"file": download, "check": check})
    return rows


# Fields the detail page shows in their own sections; any other field is listed as it is.
_SHOWN_APART = {
    "name",
    "description",
    "version",
    "config",
    "size_on_disk_bytes",
    "inpainting",
    "baseline",
    "tags",
    "showcases",
    "trigger",
    "homepage",
    "nsfw",
    "style",
    "requirements",
    "parameters",
    "display_name",
    "url",
    "settings",
    "text_model_group",
}


def _extra_fields(category: Category, data: dict) -> list[tuple[str, object]]:
    return [
        (spec.name, data[spec.name])
        for spec in v2.record_fields(category)
        if spec.name not in _SHOWN_APART and data.get(spec.name) not in (None, "", [], {})
    ]


@require_safe
def changes_page(request, category: Category) -> HttpResponse:
    def render(variant):
        page_text = request.GET.get("page", "1") or "1"
        if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
            return _error(
                request,
                variant,
                400,
                "No such page",
                f"page must be a whole number from 1; got {page_text!r}.",
            )
        number = int(page_text)
        total = browse.change_count([category])
        changes = browse.recent_changes(
            [category], limit=CHANGES_PER_PAGE, offset=(number - 1) * CHANGES_PER_PAGE
        )
        pages = max(1, -(-total // CHANGES_PER_PAGE))
        if number > pages:
            return _error(
                request, variant, 404, "No such page", f"There are {pages} page(s) of changes.", category
            )
        base = reverse("site:changes", args=[category.value])
        context = {
            "category": category,
            "changes": changes,
            "total": total,
            "number": number,
            "pages": pages,
            "previous": (f"{base}?page={number - 1}" if number > 2 else base) if number > 1 else None,
            "next": f"{base}?page={number + 1}" if number < pages else None,
        }
        return _render(request, "site/changes.html", context, variant)

    return cached_page(request, categories=[category], render=render)


@require_safe
def search_page(request) -> HttpResponse:
    def render(variant):
        text = request.GET.get("q", "").strip()
        if len(text) > params.MAX_TEXT:
            return _error(
                request, variant, 400, "Search text too long", f"At most {params.MAX_TEXT} characters."
            )
        results = []
        if text:
            for category in served_categories():
                query = browse.BrowseQuery(category=category, text=text)
                found = browse.browse_records(query, page=1, per_page=SEARCH_PER_CATEGORY)
                if found.total:
                    href = reverse("site:category", args=[category.value])
                    results.append({"category": category, "page": found, "href": href})
        return _render(request, "site/search.html", {"q": text, "results": results}, variant)

    return cached_page(request, categories=served_categories(), render=render)
