"""`make run`'s and the container's setup step: metadata rows, a loaded catalog, role grants, beat
schedules, exports, an admin account."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.accounts.services import superuser_ensure
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.formats.bundle import ImportFormatError
from apps.catalog.imports import import_references
from apps.catalog.selectors import record_count
from apps.catalog.services import category_metadata_ensure_all
from apps.catalog.sources import DEMO_DIR, SourceUnavailable, is_legacy_dir
from apps.sync.services.exports import categories_export
from apps.sync.services.schedules import schedules_install


class Command(BaseCommand):
    help = (
        "Load the catalog when it is empty (HMR_SEED_DIR, else GitHub, else a demo set), install the beat "
        "schedules, export every category into HMR_EXPORT_DIR (unchanged files are not written) and create "
        "an admin."
    )

    def handle(self, *args, **options):
        category_metadata_ensure_all()
        if count := record_count():
            self.stdout.write(f"Catalog already holds {count} records; not importing.")
        else:
            self._load()
        call_command("seed_roles", stdout=self.stdout)
        for name, result in schedules_install():
            self.stdout.write(f"Schedule {name!r}: {result}.")
        self._export()
        self._admin_account()

    def _load(self):
        actor = Actor(origin=AuditEvent.Origin.IMPORT, name="manage.py bootstrap")
        attempts = []
        if settings.HMR_SEED_DIR:
            seed = Path(settings.HMR_SEED_DIR)
            attempts.append(("legacy" if is_legacy_dir(seed) else "v2", seed))
        else:
            attempts.append(("github", None))
        attempts.append(("demo", DEMO_DIR))
        for kind, path in attempts:
            try:
                report, label = import_references(
                    actor=actor,
                    legacy_dir=path if kind in ("legacy", "demo") else None,
                    v2_dir=path if kind == "v2" else None,
                )
            except (SourceUnavailable, ImportFormatError) as exc:
                self.stdout.write(
                    self.style.WARNING(f"Could not load the catalog from {path or 'GitHub'}: {exc}")
                )
                continue
            suffix = " (a small demo set; set HMR_SEED_DIR to load real data)" if kind == "demo" else ""
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {report.totals().created} records from {label}{suffix}.")
            )
            return

    def _export(self):
        outcomes = categories_export()
        written = [o.category.value for o in outcomes if o.written]
        failed = [f"{o.category.value} ({o.error})" for o in outcomes if o.error]
        self.stdout.write(
            f"Exports in {settings.HMR_EXPORT_DIR}: {len(written)} categories written, "
            f"{len(outcomes) - len(written) - len(failed)} unchanged."
        )
        for failure in failed:
            self.stdout.write(self.style.WARNING(f"Export failed: {failure}"))

    def _admin_account(self):
        username = settings.HMR_ADMIN_USERNAME
        password = settings.HMR_ADMIN_PASSWORD or secrets.token_urlsafe(12)
        if not superuser_ensure(username=username, password=password):
            self.stdout.write("An admin account exists; sign in at /admin/ with it.")
            return
        shown = password if not settings.HMR_ADMIN_PASSWORD else "(from HMR_ADMIN_PASSWORD)"
        self.stdout.write(
            self.style.SUCCESS(f"Admin account created: username {username!r}, password {shown}")
        )
