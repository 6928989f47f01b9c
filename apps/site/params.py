"""The catalog's query string: parsed into a `BrowseQuery`, and written back as links.

Every filter, the sort, the view and the page live in the address, so they work as plain links
and GET forms (no JavaScript) and every page can be cached by its path and query. A value that
cannot be meant (a page that is not a number, an unknown sort) is a clear 400, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.http import QueryDict

from apps.catalog.browse import NSFW_MODES, BrowseQuery, has_field, sort_options
from apps.catalog.categories import Category

VIEWS = ("cards", "table", "groups")
PER_PAGE = {"cards": 24, "table": 50, "groups": 25}
MAX_TEXT = 200
# Query parameter -> BrowseQuery field, for the filters that take several values.
MULTI = {
    "baseline": "baselines",
    "style": "styles",
    "tag": "tags",
    "host": "hosts",
    "cn": "controlnet_styles",
}
BILLION = 1_000_000_000
KEY_ORDER = ("q", *MULTI, "nsfw", "inpainting", "min", "max", "sort", "view", "page")  # as query_pairs


class BadQuery(ValueError):
    """The query string asks for something that cannot be answered; the message says what."""


@dataclass(frozen=True)
class PageRequest:
    query: BrowseQuery
    view: str
    page: int
    min_b: str  # the size range as typed (billions), for the form
    max_b: str

    @property
    def per_page(self) -> int:
        return PER_PAGE[self.view]


def default_view(category: Category) -> str:
    if category == Category.TEXT_GENERATION:
        return "groups"
    return "cards" if has_field(category, "showcases") else "table"


def views_for(category: Category) -> tuple[str, ...]:
    if category == Category.TEXT_GENERATION:
        return VIEWS
    return ("cards", "table")


def _billions(params: QueryDict, key: str) -> tuple[int | None, str]:
    typed = params.get(key, "").strip()
    if not typed:
        return None, ""
    try:
        value = Decimal(typed)
    except InvalidOperation:
        raise BadQuery(
            f"{key} must be a number of billions of parameters, like 7 or 0.5; got {typed!r}."
        ) from None
    if not value.is_finite() or value < 0 or value > 100_000:
        raise BadQuery(f"{key} must be between 0 and 100000 (billions of parameters); got {typed!r}.")
    return int(value * BILLION), typed


def page_request(category: Category, params: QueryDict) -> PageRequest:
    """Parse the query string of a category page (raises BadQuery)."""
    fields = {}
    for key, attribute in MULTI.items():
        values = [v.strip() for v in params.getlist(key) if v.strip()]
        fields[attribute] = tuple(dict.fromkeys(values))
    text = params.get("q", "").strip()
    if len(text) > MAX_TEXT:
        raise BadQuery(f"The search text is too long ({len(text)} characters; at most {MAX_TEXT}).")
    nsfw = params.get("nsfw", "hide") or "hide"
    if nsfw not in NSFW_MODES:
        raise BadQuery(f"nsfw must be one of {', '.join(NSFW_MODES)}; got {nsfw!r}.")
    inpainting = {"": None, "yes": True, "no": False}.get(params.get("inpainting", ""), "bad")
    if inpainting == "bad":
        raise BadQuery(f"inpainting must be yes or no; got {params.get('inpainting')!r}.")
    sorts = [s.key for s in sort_options(category)]
    if category == Category.TEXT_GENERATION:
        sorts.append("members")
    sort = params.get("sort", "") or "name"
    if sort not in sorts:
        raise BadQuery(f"sort must be one of {', '.join(sorts)}; got {sort!r}.")
    view = params.get("view", "") or default_view(category)
    if view not in views_for(category):
        raise BadQuery(f"view must be one of {', '.join(views_for(category))}; got {view!r}.")
    if sort == "members" and view != "groups":
        raise BadQuery("sort=members sorts groups: use it with view=groups.")
    page_text = params.get("page", "1") or "1"
    if not page_text.isdigit() or int(page_text) < 1 or len(page_text) > 6:
        raise BadQuery(f"page must be a whole number from 1; got {page_text!r}.")
    low, min_b = _billions(params, "min")
    high, max_b = _billions(params, "max")
    query = BrowseQuery(
        category=category,
        text=text,
        nsfw=nsfw,
        inpainting=inpainting,
        sort=sort,
        min_parameters=low,
        max_parameters=high,
        **fields,
    )
    return PageRequest(query, view, int(page_text), min_b, max_b)


def query_pairs(request: PageRequest) -> list[tuple[str, str]]:
    """The request as query parameters, defaults left out (the canonical spelling of a page)."""
    query = request.query
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for key, attribute in MULTI.items():
        pairs.extend((key, value) for value in getattr(query, attribute))
    if query.nsfw != "hide":
        pairs.append(("nsfw", query.nsfw))
    if query.inpainting is not None:
        pairs.append(("inpainting", "yes" if query.inpainting else "no"))
    if request.min_b:
        pairs.append(("min", request.min_b))
    if request.max_b:
        pairs.append(("max", request.max_b))
    if query.sort != "name":
        pairs.append(("sort", query.sort))
    if request.view != default_view(query.category):
        pairs.append(("view", request.view))
    if request.page != 1:
        pairs.append(("page", str(request.page)))
    return pairs


class Links:
    """Addresses of the same page with one thing changed (filters reset the page to 1)."""

    def __init__(self, base: str, request: PageRequest) -> None:
        self.base = base
        self.pairs = [(k, v) for k, v in query_pairs(request) if k != "page"]
        self.page = request.page

    def _href(self, pairs: list[tuple[str, str]]) -> str:
        pairs = sorted(pairs, key=lambda pair: KEY_ORDER.index(pair[0]))  # stable: values keep their order
        return f"{self.base}?{urlencode(pairs)}" if pairs else self.base

    def toggle(self, key: str, value: str) -> str:
        if (key, value) in self.pairs:
            return self._href([p for p in self.pairs if p != (key, value)])
        return self._href([*self.pairs, (key, value)])

    def without(self, *keys: str) -> str:
        return self._href([p for p in self.pairs if p[0] not in keys])

    def replacing(self, key: str, value: str | None, *, drop: tuple[str, ...] = ()) -> str:
        kept = [p for p in self.pairs if p[0] != key and p[0] not in drop]
        return self._href(kept + ([(key, value)] if value is not None else []))

    def page_href(self, number: int) -> str:
        return self._href(self.pairs + ([("page", str(number))] if number != 1 else []))
