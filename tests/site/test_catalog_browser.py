"""The public catalog in headless Chromium, on the real data: filters applied in place, the text
category grouped by base model, a record with its showcase gallery. Showcase images come from a
fake image host (tests/site/showcase_host.py) answering for raw.githubusercontent.com."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import chromium, screenshot
from tests.site.conftest import by_name
from tests.site.showcase_host import ShowcaseHost

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog_browser(tmp_path):
    with ShowcaseHost(tmp_path) as host:
        driver = chromium(tmp_path / "chromium-profile", host.chromium_flags())
        driver.showcase_host = host
        yield driver
        driver.quit()


def card_names(browser) -> list[str]:
    return [e.get_attribute("data-name") for e in browser.find_elements(By.CSS_SELECTOR, "[data-name]")]


def images_loaded(browser, css: str) -> list[bool]:
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(i => i.complete && i.naturalWidth > 0);", css
    )


def count_line(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".count-line").text


def test_browsing_the_catalog(catalog_browser, live_server, imported, legacy_image, legacy_text):
    browser, site = catalog_browser, live_server.url

    # The image category: cards with their first showcase, NSFW hidden until asked.
    browser.get(f"{site}/image_generation/")
    safe = by_name(r["name"] for r in legacy_image if not r["nsfw"])
    assert count_line(browser) == f"1\u201324 of {len(safe)} models · NSFW hidden"
    assert card_names(browser) == safe[:24]
    first_card = browser.find_element(By.CSS_SELECTOR, ".card img")
    assert first_card.get_attribute("loading") == "lazy"
    assert first_card.get_attribute("alt").startswith("Example image made with ")

    # Filters applied in place (htmx): the page is not reloaded, the address follows.
    browser.execute_script("window.stillThisPage = true;")
    browser.find_element(By.CSS_SELECTOR, "label[for^=f-baseline-]").click()  # the most common baseline
    WebDriverWait(browser, 10).until(lambda b: "baseline=stable_diffusion_1" in b.current_url)
    browser.find_element(By.XPATH, "//fieldset[@id='f-style']//label[starts-with(., 'anime ')]").click()
    WebDriverWait(browser, 10).until(lambda b: "style=anime" in b.current_url)
    sd1_anime = by_name(
        r["name"]
        for r in legacy_image
        if r["baseline"] == "stable diffusion 1" and r.get("style") == "anime" and not r["nsfw"]
    )
    WebDriverWait(browser, 10).until(lambda b: card_names(b) == sd1_anime[:24])
    assert browser.execute_script("return window.stillThisPage === true;")
    chips = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".chips a")]
    assert chips == ["Baseline: SD 1.x \u00d7", "Style: anime \u00d7", "Clear all"]
    WebDriverWait(browser, 10).until(lambda b: all(images_loaded(b, ".card:nth-child(-n+4) img")))
    screenshot(browser, "catalog-image-filtered")

    # The text category grouped by base model; a group opens to its sizes.
    browser.get(f"{site}/text_generation/?q=qwen2.5")
    groups = [e.get_attribute("data-group") for e in browser.find_elements(By.CSS_SELECTOR, "[data-group]")]
    assert "Qwen2.5" in groups and "Qwen2.5-Coder" in groups
    coder = browser.find_element(By.CSS_SELECTOR, "[data-group='Qwen2.5-Coder'] summary")
    coder.click()
    members = browser.find_elements(By.CSS_SELECTOR, "[data-group='Qwen2.5-Coder'] tbody tr")
    expected = [r for r in legacy_text if r["name"].startswith("Qwen/Qwen2.5-Coder-")]
    assert len(members) == len(expected) and members[0].is_displayed()
    assert coder.find_element(By.CSS_SELECTOR, ".group-count").text == f"{len(expected)} models"
    browser.set_window_size(1280, 1300)
    screenshot(browser, "catalog-text-grouped")

    # A record: description, files, the showcase gallery (every image served by the fake host).
    browser.set_window_size(1280, 1100)
    browser.get(f"{site}/image_generation/model/Anything Diffusion")
    record = next(r for r in legacy_image if r["name"] == "Anything Diffusion")
    WebDriverWait(browser, 10).until(lambda b: all(images_loaded(b, ".gallery img")))
    gallery = browser.find_elements(By.CSS_SELECTOR, ".gallery img")
    assert [i.get_attribute("src") for i in gallery] == record["showcases"]
    assert [i.get_attribute("alt") for i in gallery] == [
        f"Example {n} of 3 made with Anything Diffusion" for n in (1, 2, 3)
    ]
    assert (
        record["description"] in browser.find_element(By.ID, "about-title").find_element(By.XPATH, "..").text
    )
    files = browser.find_element(By.CSS_SELECTOR, ".downloads tbody").text
    assert record["config"]["download"][0]["file_name"] in files
    assert (
        browser.find_element(By.ID, "v2-json")
        .get_attribute("href")
        .endswith("/api/model_references/v2/image_generation/model/Anything%20Diffusion")
    )
    served = {unquote(path) for path in browser.showcase_host.served}
    assert {unquote(urlsplit(url).path) for url in record["showcases"]} <= served
    screenshot(browser, "catalog-record")
