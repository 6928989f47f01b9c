"""`GET /v2/{category}/new_models.atom`: an Atom feed of the models added to a category, newest
first (Django's syndication framework), for people's feed readers and for bots. One entry per
record creation in the audit trail; the entry links to the record in the v2 API."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from apps.audit import selectors as audit
from apps.audit.models import AuditEvent
from apps.catalog.categories import CATEGORIES, Category

ENTRIES = 50


class NewModelsFeed(Feed):
    feed_type = Atom1Feed

    def __init__(self, category: Category | None = None) -> None:
        super().__init__()
        self.category = category

    def get_object(self, request, category: str | None = None) -> Category:
        try:
            parsed = self.category or Category(category)
        except ValueError:
            raise Http404(f"No category {category!r}") from None
        if CATEGORIES[parsed].managed_elsewhere:
            raise Http404(f"Category {parsed.value!r} is managed elsewhere")
        return parsed

    def title(self, category: Category) -> str:
        return f"New {category.value} models (Horde Model Reference)"

    def subtitle(self, category: Category) -> str:
        return f"Models added to the {category.value} reference, newest first."

    def link(self, category: Category) -> str:
        return reverse("v2-category", args=[category.value])

    def feed_url(self, category: Category) -> str:
        return reverse("v2-category-new-models", args=[category.value])

    def items(self, category: Category) -> list[AuditEvent]:
        return audit.record_creations(category=category.value, limit=ENTRIES)

    def item_title(self, event: AuditEvent) -> str:
        return event.model_name

    def item_description(self, event: AuditEvent) -> str:
        after = (event.payload or {}).get("after") or {}
        facts = [
            after.get("description") or "",
            *(f"{k}: {after[k]}" for k in ("baseline", "style") if after.get(k)),
        ]
        return " — ".join(f for f in facts if f) or event.model_name

    def item_link(self, event: AuditEvent) -> str:
        return reverse("v2-category", args=[event.category]) + "/model/" + quote(event.model_name, safe="/")

    def item_guid(self, event: AuditEvent) -> str:
        return f"{self.item_link(event)}#created-{event.pk}"

    def item_guid_is_permalink(self, event: AuditEvent) -> bool:
        return False

    def item_pubdate(self, event: AuditEvent):
        return event.timestamp

    def item_updateddate(self, event: AuditEvent):
        return event.timestamp

    def item_author_name(self, event: AuditEvent) -> str | None:
        return event.actor_name

    def item_categories(self, event: AuditEvent) -> list[str]:
        return [event.origin]
