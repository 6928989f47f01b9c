"""The public catalog's addresses: `/`, `/search`, `/{category}/`, `/{category}/changes/` and
`/{category}/model/{name}` (names with "/" work, as in the API)."""

from django.urls import path, register_converter

from apps.catalog.categories import Category, served_categories
from apps.site import views


class CategoryConverter:
    """Only the served categories' names, so `/admin/` or `/api/` can never be taken for one."""

    regex = "|".join(c.value for c in served_categories())

    def to_python(self, value: str) -> Category:
        return Category(value)

    def to_url(self, value) -> str:
        return Category(value).value


register_converter(CategoryConverter, "category")

app_name = "site"
urlpatterns = [
    path("", views.index, name="index"),
    path("search", views.search_page, name="search"),
    path("<category:category>/", views.category_page, name="category"),
    path("<category:category>/changes/", views.changes_page, name="changes"),
    path("<category:category>/model/<path:name>", views.record_page, name="record"),
]
