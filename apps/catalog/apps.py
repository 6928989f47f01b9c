from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from apps.catalog import documents, hooks

        # Readers switch to the new documents first (exports subscribe after, from apps.sync).
        hooks.on_categories_changed("catalog: publish new document revisions", documents.documents_invalidate)
