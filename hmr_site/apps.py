from django.apps import AppConfig


class HmrSiteConfig(AppConfig):
    """The top of the house: commands that wire several apps together (bootstrap, audit_replay)."""

    name = "hmr_site"
    label = "hmr_site"
    verbose_name = "HMR"
