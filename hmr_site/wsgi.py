import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmr_site.settings.base")
django_application = get_wsgi_application()

from apps.api.hot import HotReadApp  # noqa: E402  (needs Django set up)

# Polled public reads are answered from memory while current (apps/api/hot.py); the rest is Django.
application = HotReadApp(django_application)
