from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = "Background work"

    def ready(self):
        from apps.catalog import hooks
        from apps.sync import tasks

        hooks.on_categories_changed("sync: export the changed categories", tasks.queue_exports)
