"""The Celery application.

Configuration is the `CELERY_*` settings (hmr_site/settings/base.py): broker and result backend
from the environment (Redis or RabbitMQ), JSON only, acks late, default time limits, and eager
execution in the calling process when CELERY_BROKER_URL is empty (the embedded default). Tasks
live in apps/*/tasks.py; beat reads its schedules from the database (django-celery-beat).

    celery -A hmr_site worker --loglevel=info
    celery -A hmr_site beat --loglevel=info
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmr_site.settings.base")

app = Celery("hmr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
