from django.urls import path

from apps.api.statistics import views

urlpatterns = [
    path("<str:category>/with-stats", views.WithStatsApi.as_view(), name="statistics-with-stats"),
    path("<str:category>/deletion-risk", views.DeletionRiskApi.as_view(), name="statistics-deletion-risk"),
    path("<str:category>/audit", views.DeletionRiskApi.as_view(route="audit"), name="statistics-audit"),
    path("<str:category>", views.StatisticsApi.as_view(), name="statistics"),
]
