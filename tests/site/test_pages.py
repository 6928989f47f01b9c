"""The public catalog with plain HTTP (no JavaScript): filters, sorting and paging by query string
list exactly the records the legacy files say, and bad addresses get a clear answer."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from apps.analytics.services import usage_refresh
from apps.catalog.categories import Category
from apps.catalog.formats.text_names import text_model_group
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.site import params
from apps.verification import selectors as verification_selectors
from apps.verification import services as verification
from apps.verification.models import DownloadTarget
from tests.conftest import DEMO_USAGE, FROZEN_AT
from tests.moderation.desk import text
from tests.site.conftest import by_name, groups_on, names_on

pytestmark = pytest.mark.django_db

CARDS, TABLE, GROUPS = 24, 50, 25


def pages_of(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def hosts(record: dict) -> set[str]:
    return {urlsplit(d["file_url"]).netloc for d in record.get("config", {}).get("download", [])}


def test_image_filters_sorting_and_paging_by_query_string(imported, client, legacy_image):
    def listed(query: str) -> list[str]:
        return names_on(client.get(f"/image_generation/?{query}", follow=True))

    safe = by_name(r["name"] for r in legacy_image if not r["nsfw"])
    expected_pages = pages_of(safe, CARDS)
    assert len(expected_pages) >= 3  # the real data has several pages of them
    for number, expected in enumerate(expected_pages, start=1):
        response = client.get("/image_generation/", {"page": number}, follow=True)
        assert names_on(response) == expected
        first = (number - 1) * CARDS + 1
        assert f"{first}\u2013{first + len(expected) - 1} of {len(safe)} models · NSFW hidden" in text(
            response.content.decode()
        )
    sdxl_safe = by_name(
        r["name"] for r in legacy_image if r["baseline"] == "stable_diffusion_xl" and not r["nsfw"]
    )
    assert listed("baseline=stable_diffusion_xl") == sdxl_safe

    # NSFW hidden by default, shown on request, or alone.
    everything = by_name(r["name"] for r in legacy_image)
    assert listed("view=table&nsfw=show&page=2") == pages_of(everything, TABLE)[1]
    assert (
        listed("view=table") == pages_of(by_name(r["name"] for r in legacy_image if not r["nsfw"]), TABLE)[0]
    )
    nsfw_sdxl = by_name(
        r["name"] for r in legacy_image if r["baseline"] == "stable_diffusion_xl" and r["nsfw"]
    )
    assert listed("baseline=stable_diffusion_xl&nsfw=only&view=table") == nsfw_sdxl

    # Two baselines are alternatives; tags must all be present; style and inpainting narrow.
    two = {"stable_diffusion_xl", "stable_cascade"}
    assert listed("baseline=stable_diffusion_xl&baseline=stable_cascade&nsfw=show&view=table") == by_name(
        r["name"] for r in legacy_image if r["baseline"] in two
    )
    anime_tagged = by_name(
        r["name"] for r in legacy_image if {"anime", "booru"} <= set(r.get("tags", [])) and not r["nsfw"]
    )
    assert anime_tagged and listed("tag=anime&tag=booru&view=table") == anime_tagged
    assert listed("style=realistic&inpainting=no&nsfw=show&view=table") == by_name(
        r["name"] for r in legacy_image if r.get("style") == "realistic" and not r.get("inpainting")
    )
    assert listed("inpainting=yes&nsfw=show&view=table") == by_name(
        r["name"] for r in legacy_image if r.get("inpainting")
    )
    civitai = by_name(r["name"] for r in legacy_image if "civitai.com" in hosts(r))
    assert civitai and listed("host=civitai.com&nsfw=show&view=table") == civitai

    # Search: every word in the name or the description, any case.
    def matches(record, *words):
        haystack = f"{record['name']} {record.get('description', '')}".lower()
        return all(w in haystack for w in words)

    found = by_name(r["name"] for r in legacy_image if matches(r, "anime", "style") and not r["nsfw"])
    assert found and listed("q=Anime+STYLE&view=table") == found

    # Newest and largest first (ties keep the file's order).
    by_size = [r["name"] for r in sorted(legacy_image, key=lambda r: -(r.get("size_on_disk_bytes") or -1))]
    assert listed("nsfw=show&view=table&sort=size") == by_size[:TABLE]


def test_the_filter_panel_counts_what_each_value_would_give(imported, client, legacy_image):
    page = client.get("/image_generation/", {"style": "anime"}, follow=True).content.decode()
    safe_anime = [r for r in legacy_image if r.get("style") == "anime" and not r["nsfw"]]
    safe = [r for r in legacy_image if not r["nsfw"]]
    # Baseline counts are under the other filters (style=anime, NSFW hidden)…
    sdxl = sum(r["baseline"] == "stable_diffusion_xl" for r in safe_anime)
    assert 'value="stable_diffusion_xl" id="f-baseline-' in page
    assert f'SDXL <span class="count">{sdxl}</span>' in page
    # …and style counts ignore the style filter itself, so other styles can still be added.
    realistic = sum(r.get("style") == "realistic" for r in safe)
    assert f'realistic <span class="count">{realistic}</span>' in page
    assert re.search(r'name="style" value="anime" id="f-style-[0-9a-f]+" checked>', page)
    assert not re.search(r'name="style" value="realistic" id="f-style-[0-9a-f]+" checked>', page)
    chips = text(page.split('aria-label="Active filters">')[1].split("</ul>")[0])
    assert chips == "Style: anime \u00d7 Clear all"


def test_text_size_range_sorting_and_groups(imported, client, legacy_text):
    def billions(row):
        return float(row["parameters_bn"])

    mid = by_name(r["name"] for r in legacy_text if 7 <= billions(r) <= 13)
    for number, expected in enumerate(pages_of(mid, TABLE), start=1):
        response = client.get(
            "/text_generation/", {"view": "table", "min": "7", "max": "13", "page": number}, follow=True
        )
        assert names_on(response) == expected
    small = [r["name"] for r in sorted(legacy_text, key=billions) if billions(r) <= 1.5]
    assert (
        names_on(client.get("/text_generation/?view=table&max=1.5&sort=smallest", follow=True))
        == small[:TABLE]
    )

    # Grouped by base model: one row per group (name order), its members smallest first.
    magnum = [r for r in legacy_text if "magnum" in r["name"].lower() or "magnum" in r["description"].lower()]
    groups: dict[str, list[dict]] = {}
    for row in magnum:
        groups.setdefault(text_model_group(row["name"]), []).append(row)
    response = client.get("/text_generation/", {"q": "magnum"}, follow=True)
    assert groups_on(response) == by_name(groups)
    expected_members = []
    for group in by_name(groups):
        expected_members += [
            r["name"] for r in sorted(groups[group], key=lambda r: (billions(r), r["name"].lower()))
        ]
    assert names_on(response) == expected_members
    assert f"{len(groups)} base models ({len(magnum)} models)" in text(response.content.decode())

    # Every group of the category, on as many pages as it takes.
    all_groups = by_name({text_model_group(r["name"]) for r in legacy_text})
    last = pages_of(all_groups, GROUPS)
    response = client.get("/text_generation/", {"page": len(last)}, follow=True)
    assert groups_on(response) == last[-1]


@pytest.mark.parametrize(
    ("address", "status", "message"),
    [
        ("/image_generation/?page=x", 400, "page must be a whole number from 1; got 'x'."),
        ("/image_generation/?page=0", 400, "page must be a whole number from 1; got '0'."),
        ("/image_generation/?nsfw=maybe", 400, "nsfw must be one of hide, show, only; got 'maybe'."),
        ("/image_generation/?inpainting=perhaps", 400, "inpainting must be yes or no; got 'perhaps'."),
        (
            "/image_generation/?sort=parameters",
            400,
            "sort must be one of name, updated, created, size, baseline; got 'parameters'.",
        ),
        ("/image_generation/?view=groups", 400, "view must be one of cards, table; got 'groups'."),
        (
            "/text_generation/?min=abc",
            400,
            "min must be a number of billions of parameters, like 7 or 0.5; got 'abc'.",
        ),
        (
            "/text_generation/?max=-1",
            400,
            "max must be between 0 and 100000 (billions of parameters); got '-1'.",
        ),
        (
            "/text_generation/?sort=members&view=table",
            400,
            "sort=members sorts groups: use it with view=groups.",
        ),
        ("/image_generation/?page=99", 404, "Page 99 does not exist: these filters give 1 page(s)."),
        (
            "/image_generation/model/No Such Model",
            404,
            "There is no model named “No Such Model” in image_generation. It may have been renamed or removed.",
        ),
    ],
)
def test_addresses_that_cannot_be_answered_say_why(catalog, client, address, status, message):
    response = client.get(address)
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert message in text(response.content.decode())


def test_a_submitted_filter_form_goes_to_the_one_address_of_its_page(catalog, client):
    form = "q=&nsfw=hide&inpainting=&baseline=stable_diffusion_xl&baseline=stable_diffusion_xl&sort=name&q2="
    response = client.get(f"/image_generation/?{form}")
    assert (response.status_code, response["Location"]) == (
        302,
        "/image_generation/?baseline=stable_diffusion_xl",
    )
    assert client.get("/image_generation/?baseline=stable_diffusion_xl").status_code == 200
    assert client.get("/image_generation/?nsfw=hide&view=cards")["Location"] == "/image_generation/"
    typed = client.get("/text_generation/", {"view": "table", "max": " 1.5 ", "q": "  qwen "})
    assert typed["Location"] == "/text_generation/?q=qwen&max=1.5&view=table"


def test_unknown_categories_and_writes_are_refused(catalog, client):
    assert client.get("/lora/").status_code == 404  # managed elsewhere: not browsable
    assert client.get("/stable_diffusion/").status_code == 404
    response = client.post("/image_generation/", {"q": "x"})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_a_record_page_shows_what_a_worker_needs(imported, client, legacy_image):
    legacy = next(r for r in legacy_image if r["name"] == "AlbedoBase XL (SDXL)")
    response = client.get("/image_generation/model/AlbedoBase XL (SDXL)")
    page = text(response.content.decode())
    download = legacy["config"]["download"][0]
    assert legacy["description"] in page
    assert f"{download['file_name']} huggingface.co" in page or download["file_name"] in page
    assert legacy["config"]["files"][0]["sha256sum"] in page
    for showcase in legacy.get("showcases", []):
        assert f'src="{showcase}"' in response.content.decode()
    assert (
        'href="/api/model_references/v2/image_generation/model/AlbedoBase%20XL%20(SDXL)"'
        in response.content.decode()
    )
    assert (
        client.get("/api/model_references/v2/image_generation/model/AlbedoBase%20XL%20(SDXL)").status_code
        == 200
    )
    assert client.get("/api/model_references/v1/image_generation").status_code == 200

    # A text name with "/" works; its page names the backend aliases and the rest of its group.
    response = client.get("/text_generation/model/anthracite-org/magnum-12b-v2")
    page = text(response.content.decode())
    assert "aphrodite/anthracite-org/magnum-12b-v2 koboldcpp/magnum-12b-v2" in page
    assert "Other models of magnum" in page and "anthracite-org/magnum-v4-72b" in page


def test_links_change_one_thing_and_keep_the_one_address_of_a_page():
    wanted = params.page_request(Category.IMAGE_GENERATION, QueryDict("style=anime&sort=updated&page=3"))
    links = params.Links("/image_generation/", wanted)
    assert links.toggle("baseline", "flux_1") == "/image_generation/?baseline=flux_1&style=anime&sort=updated"
    assert links.toggle("style", "anime") == "/image_generation/?sort=updated"
    assert links.page_href(2) == "/image_generation/?style=anime&sort=updated&page=2"
    assert links.page_href(1) == "/image_generation/?style=anime&sort=updated"
    assert links.replacing("view", "table") == "/image_generation/?style=anime&sort=updated&view=table"


def test_an_address_nothing_answers_gets_the_catalog_s_not_found_page(catalog, client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at /no/such/page." in text(response.content.decode())
    assert client.get("/api/nothing").json() == {"detail": "Not Found"}  # the API keeps its JSON


def test_a_record_page_shows_its_ai_horde_usage_once_collected(demo_usage, client):
    address = "/image_generation/model/Demo Realism"
    assert "On the AI-Horde" not in client.get(address).content.decode()  # no snapshot yet
    assert [o.result for o in usage_refresh()] == ["refreshed", "refreshed"]
    served = DEMO_USAGE["status/image"][0]
    stats = {
        period: DEMO_USAGE["stats/image"][period]["Demo Realism"] for period in ("day", "month", "total")
    }
    clock.freeze(FROZEN_AT + timedelta(minutes=1))  # the usage part of a page is kept a minute at most
    page = client.get(address).content.decode()
    shown = section_html(page, "usage")
    assert shown == (
        f"<dt>Workers serving it</dt><dd>{served['count']}</dd><dt>Used today</dt><dd>{stats['day']}</dd>"
        f"<dt>This month</dt><dd>{stats['month']}</dd><dt>In total</dt><dd>{stats['total']}</dd>"
    )
    assert "As of 2026-01-02 03:04 UTC." in text(page)
    other = section_html(client.get("/image_generation/model/Demo Painter").content.decode(), "usage")
    assert re.findall(r"<dd>(\d+)</dd>", other) == ["0", "0", "0", "0"]  # AI-Horde did not mention it


def section_html(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}">') + len(f'id="{element_id}">')
    return re.sub(r">\s+<", "><", page[start : page.index("</dl>", start)]).strip()


def test_a_record_page_shows_each_file_s_download_check(catalog, client, files):
    realism = ModelRecord.objects.get(category="image_generation", name="Demo Realism")
    [spec] = verification_selectors.catalog_specs(record_ids=[realism.pk])[realism.pk]
    address = "/image_generation/model/Demo Realism"

    def check_cell() -> str:
        html = client.get(address).content.decode()
        table = html[
            html.index('class="downloads"') : html.index("</table>", html.index('class="downloads"'))
        ]
        return text(table.split("<tbody>")[1])

    assert check_cell().endswith("not checked yet")
    files.status(spec.url, 404)  # the host lost the file
    ids = verification.download_checks_request(specs=[spec])
    verification.download_checks_run(target_ids=ids, trigger="manual")
    clock.freeze(FROZEN_AT + timedelta(minutes=1))  # checks show within a minute
    check = DownloadTarget.objects.get(pk=ids[0]).latest_check
    assert check_cell().endswith(f"✗ {check.get_outcome_display()}: {check.reason} 2026-01-02")
