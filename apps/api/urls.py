from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from apps.api import misc

urlpatterns = [
    path("", misc.WelcomeApi.as_view(), name="api-root"),
    path("heartbeat", misc.HeartbeatApi.as_view(), name="heartbeat"),
    path("replicate_mode", misc.ReplicateModeApi.as_view(), name="replicate-mode"),
    path("model_references/v1/", include("apps.api.v1.urls")),
    path("model_references/v2/", include("apps.api.v2.urls")),
    path("model_references/statistics/", include("apps.api.statistics.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="docs"),
]
