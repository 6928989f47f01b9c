"""Helpers of the admin desk tests: queue a change through the services, read pages and messages."""

from __future__ import annotations

import re
from html import unescape

from django import forms

from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange, ReviewBatch
from tests.fake_horde import APPROVER, REQUESTOR

BY_REQUESTOR = Actor("api-v2", REQUESTOR.user_id, REQUESTOR.username)
BY_APPROVER = Actor("api-v2", APPROVER.user_id, APPROVER.username)


def record(name: str, category: str = "image_generation") -> ModelRecord:
    return ModelRecord.objects.get(category=category, name=name)


def propose(
    name: str = "Demo Realism", *, category: str = "image_generation", actor: Actor = BY_REQUESTOR, **fields
) -> PendingChange:
    """Queue an update of the live record with `fields` changed (as the API would)."""
    payload = {**selectors.record_state(record(name, category), "v2"), **fields}
    proposal = services.Proposal(Category(category), "update", name, payload)
    return services.change_enqueue(proposal=proposal, actor=actor)


def approve_ids(*changes: PendingChange, title: str = "Batch") -> ReviewBatch:
    result = services.changes_review(
        batch_title=title,
        approved_ids=[c.pk for c in changes],
        rejected_ids=[],
        reject_reason=None,
        actor=BY_APPROVER,
    )
    return result.batch


_BLOCK_TAG = re.compile(r"</?(?:td|th|tr|li|p|div|br|h\d|table|thead|tbody|section|pre|nav|ul)\b[^>]*>")


def text(html: str) -> str:
    """What a reader sees: cells, paragraphs and links apart, inline markup gone, spaces collapsed."""
    spaced = re.sub(r"<[^>]+>", "", _BLOCK_TAG.sub(" ", html))
    return (
        re.sub(r"\s+", " ", spaced)
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        .strip()
    )


def messages_of(response) -> list[str]:
    return [text(str(m)) for m in response.context["messages"]]


def body(response) -> str:
    return response.content.decode()


def section(response, element_id: str) -> str:
    """The text of the element with `element_id` (up to its first closing tag of the same name)."""
    html = body(response)
    start = html.rindex("<", 0, html.index(f'id="{element_id}"'))
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    return text(html[start : html.index(f"</{tag}>", start)])


_HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def review_form_data(response) -> dict:
    """What "Submit proposal" posts from a proposal's review page: the form as hidden fields."""
    html = response.content.decode()
    form = html[html.index('id="review-proposal-form"') :]
    form = form[: form.index("</form>")]
    return {name: unescape(value) for name, value in _HIDDEN_INPUT.findall(form)}


def submit_proposal(client, url: str, data: dict):
    """Post a proposal form as a browser would: the review page first (nothing queued yet), then
    "Submit proposal". A form with errors comes back at once (no review)."""
    queued = PendingChange.objects.count()
    first = client.post(url, data)
    if first.status_code != 200 or first.context is None or first.context.get("mode") != "review":
        return first
    assert PendingChange.objects.count() == queued, "the review step queued something"
    assert 'id="submit-proposal"' in first.content.decode()
    return client.post(url, {**review_form_data(first), "confirm": "Submit proposal"}, follow=True)


def form_data(response) -> dict:
    """What the browser would post back from the page's form, unchanged."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data
