from django.urls import path

from apps.api.v2 import me

urlpatterns: list = [
    # --- Identity (accounts). Specific routes: keep them above the generic /{category} routes. ---
    path("me/roles", me.MeRolesApi.as_view(), name="v2-me-roles"),
    # --- end of identity routes ---
]
