from django.apps import AppConfig


class TextmodelsConfig(AppConfig):
    name = "apps.textmodels"
    label = "textmodels"
    verbose_name = "Text models"
