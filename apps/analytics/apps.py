from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Curation analytics"

    def ready(self):
        from apps.analytics import tasks
        from apps.catalog import hooks

        hooks.on_categories_changed(
            "analytics: match the usage snapshot to the new records", tasks.queue_rematch
        )
