from django.urls import include, path

from apps.api import misc

urlpatterns = [
    path("", misc.WelcomeApi.as_view(), name="api-root"),
    path("heartbeat", misc.HeartbeatApi.as_view(), name="heartbeat"),
    path("replicate_mode", misc.ReplicateModeApi.as_view(), name="replicate-mode"),
    path("model_references/v1/", include("apps.api.v1.urls")),
    path("model_references/v2/", include("apps.api.v2.urls")),
]
