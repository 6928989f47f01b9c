from django.urls import path
from drf_spectacular.utils import extend_schema

from apps.api.queue import queue_urls
from apps.api.v2 import me, schemas, views
from apps.api.v2.metadata import metadata_urls
from apps.api.writes import WRITE_SCHEMA
from apps.catalog.categories import Category


def _typed(view, category: Category, summary: str, response, operation: str):
    """A per-category route (as upstream's typed routes) with that category's record schema."""

    def get(self, request, *args, **kwargs):
        return view.get(self, request, *args, **kwargs)

    record = schemas.record_serializer(category)
    writes = {}
    for method, verb in (("post", "creation"), ("put", "update"), ("delete", "deletion")):
        if method in view.http_method_names and hasattr(view, method):

            def write(self, request, *args, _method=method, **kwargs):
                return getattr(view, _method)(self, request, *args, **kwargs)

            writes[method] = WRITE_SCHEMA(
                f"Queue the {verb} of a {category.value} record", body=method != "delete", request=record
            )(write)
            writes[method] = extend_schema(operation_id=f"v2_{category.value}_{operation}_{method}")(
                writes[method]
            )

    documented = extend_schema(
        summary=summary,
        responses={200: response, **views.ERRORS},
        operation_id=f"v2_{category.value}_{operation}",
        tags=["v2"],
    )(get)
    name = f"{category.value.title().replace('_', '')}{view.__name__}"
    attributes = {"category": category, **writes}
    if hasattr(view, "get") and "get" in view.http_method_names:
        attributes["get"] = documented
    return type(name, (view,), attributes).as_view()


def _typed_routes() -> list:
    routes = []
    for category in views.served_categories():
        record = schemas.record_serializer(category)
        c = category.value
        routes += [
            path(
                f"{c}",
                _typed(
                    views.CategoryDocumentApi,
                    category,
                    f"All {c} records",
                    schemas.document_schema(category),
                    "document",
                ),
                name=f"v2-{c}",
            ),
            path(
                f"{c}/model/<path:name>",
                _typed(views.RecordApi, category, f"One {c} record", record, "model"),
                name=f"v2-{c}-model",
            ),
            path(f"{c}/add", _typed(views.CategoryAddApi, category, "", None, "add"), name=f"v2-{c}-add"),
            path(f"{c}/pending", views.PendingApi.as_view(category=category), name=f"v2-{c}-pending"),
            path(
                f"{c}/search",
                _typed(
                    views.CategorySearchApi,
                    category,
                    f"Search {c} records",
                    schemas.search_response,
                    "search",
                ),
                name=f"v2-{c}-search",
            ),
        ]
    return routes


urlpatterns = [
    # --- Identity (accounts). Specific routes: keep them above the generic /{category} routes. ---
    path("me/roles", me.MeRolesApi.as_view(), name="v2-me-roles"),
    # --- end of identity routes ---
    path("info", views.InfoApi.as_view(), name="v2-info"),
    path("model_categories", views.CategoriesApi.as_view(), name="v2-categories"),
    path("search", views.SearchApi.as_view(), name="v2-search"),
    *metadata_urls("v2"),
    *queue_urls("v2"),
    *_typed_routes(),
    # Generic routes: only reached by categories without a typed route (lora, ti) or invalid ones.
    path("<str:category>/model/<path:name>", views.RecordApi.as_view(), name="v2-model"),
    path("<str:category>/search", views.CategorySearchApi.as_view(), name="v2-category-search"),
    path("<str:category>/add", views.CategoryAddApi.as_view(), name="v2-category-add"),
    path("<str:category>/pending", views.PendingApi.as_view(), name="v2-category-pending"),
    path("<str:category>", views.CategoryDocumentApi.as_view(), name="v2-category"),
]
