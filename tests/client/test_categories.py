"""The library keeps its own list of categories (it never imports the server): it must be the server's."""

from hmr_client import categories as client

from apps.catalog.categories import CATEGORIES, Category


def test_the_librarys_categories_are_the_servers_in_the_servers_order():
    assert [c.value for c in client.Category] == [c.value for c in Category]
    assert {c.value: client.CLASSIFICATION[c] for c in client.Category} == {
        c.value: (info.domain, info.purpose) for c, info in CATEGORIES.items()
    }
    assert {c.value for c in client.MANAGED_ELSEWHERE} == {
        c.value for c, i in CATEGORIES.items() if i.managed_elsewhere
    }
