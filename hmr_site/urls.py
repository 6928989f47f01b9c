from django.contrib import admin
from django.urls import include, path

from apps.accounts.views import admin_key_sign_in

# The admin is HMR's review desk, not "Django administration".
admin.site.site_header = "HMR · Horde Model Reference"
admin.site.site_title = "HMR desk"
admin.site.index_title = "The review desk"

urlpatterns = [
    path("admin/login/horde/", admin_key_sign_in, name="admin-horde-sign-in"),
    path("admin/", admin.site.urls),
    path("api/", include("apps.api.urls")),
    path("", include("apps.site.urls")),
]

handler404 = "apps.api.errors.api_not_found"
handler500 = "apps.api.errors.server_error"
