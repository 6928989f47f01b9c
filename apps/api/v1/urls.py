from django.urls import path

from apps.api.metadata import metadata_urls
from apps.api.queue.urls import queue_urls
from apps.api.v1 import views

urlpatterns = [
    path("info", views.InfoApi.as_view(), name="v1-info"),
    path("model_categories", views.CategoriesApi.as_view(), name="v1-categories"),
    *metadata_urls("v1"),
    *queue_urls("v1"),
    path("<str:category>/model/<path:name>", views.RecordDeleteApi.as_view(), name="v1-model"),
    path("<str:category>", views.CategoryDocumentApi.as_view(), name="v1-category"),
]
