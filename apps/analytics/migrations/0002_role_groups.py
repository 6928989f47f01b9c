"""The role groups get the dashboard's permissions right after migrate (apps.accounts.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from apps.accounts.services.admin_users import role_groups_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_groups_sync(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
