from django.urls import path

from apps.api.metadata import metadata_urls
from apps.api.queue.urls import queue_urls
from apps.api.v2 import changes, downloads, feeds, me, popular, views
from apps.api.v2.text.urls import name_exception_urls, text_urls
from apps.catalog.categories import served_categories


def _category_routes() -> list:
    """Upstream's typed routes: one set per category, each documented with its record component."""
    routes = []
    for category in served_categories():
        c = category.value
        routes += [
            path(f"{c}", views.CategoryDocumentApi.as_view(category=category), name=f"v2-{c}"),
            # Above the record route: `…/model/a/b/downloads` is the downloads of "a/b" (downloads.py).
            path(
                f"{c}/model/<path:name>/downloads",
                downloads.RecordDownloadsApi.as_view(category=category),
                name=f"v2-{c}-model-downloads",
            ),
            path(f"{c}/model/<path:name>", views.RecordApi.as_view(category=category), name=f"v2-{c}-model"),
            path(f"{c}/new_models.atom", feeds.NewModelsFeed(category), name=f"v2-{c}-new-models"),
            path(f"{c}/add", views.CategoryAddApi.as_view(category=category), name=f"v2-{c}-add"),
            path(f"{c}/pending", views.PendingApi.as_view(category=category), name=f"v2-{c}-pending"),
            path(f"{c}/search", views.CategorySearchApi.as_view(category=category), name=f"v2-{c}-search"),
        ]
    return routes


urlpatterns = [
    # --- Identity (accounts). Specific routes: keep them above the generic /{category} routes. ---
    path("me/roles", me.MeRolesApi.as_view(), name="v2-me-roles"),
    # --- end of identity routes ---
    path("info", views.InfoApi.as_view(), name="v2-info"),
    path("model_categories", views.CategoriesApi.as_view(), name="v2-categories"),
    path("search", views.SearchApi.as_view(), name="v2-search"),
    path("<str:category>/popular", popular.PopularApi.as_view(), name="v2-popular"),
    path("changes", changes.ChangesApi.as_view(), name="v2-changes"),
    *metadata_urls("v2"),
    *queue_urls("v2"),
    # --- Text-model toolkit (apps/api/v2/text). Specific routes: above the generic /{category} ones. ---
    *text_urls(),
    # --- end of text-model toolkit routes ---
    *_category_routes(),
    *name_exception_urls(),  # `text_generation/{model_name}/name_exception`, after the record routes
    # Generic routes: only reached by categories without a typed route (lora, ti) or invalid ones.
    path(
        "<str:category>/model/<path:name>/downloads",
        downloads.RecordDownloadsApi.as_view(),
        name="v2-model-downloads",
    ),
    path("<str:category>/model/<path:name>", views.RecordApi.as_view(), name="v2-model"),
    path("<str:category>/search", views.CategorySearchApi.as_view(), name="v2-category-search"),
    path("<str:category>/add", views.CategoryAddApi.as_view(), name="v2-category-add"),
    path("<str:category>/pending", views.PendingApi.as_view(), name="v2-category-pending"),
    path("<str:category>/new_models.atom", feeds.NewModelsFeed(), name="v2-category-new-models"),
    path("<str:category>", views.CategoryDocumentApi.as_view(), name="v2-category"),
]
