import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.formats.bundle import ImportFormatError
from apps.catalog.imports import import_references
from apps.catalog.sources import SourceUnavailable


class Command(BaseCommand):
    help = (
        "Import the model reference: from a legacy directory (image/*.json, text/models.csv), a v2 "
        "directory, or by default the two legacy GitHub repositories. Idempotent; --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--legacy", type=Path, metavar="DIR", help="a directory laid out like the legacy repos"
        )
        source.add_argument("--v2", type=Path, metavar="DIR", help="a directory of v2 category files")
        source.add_argument(
            "--github", action="store_true", help="the legacy GitHub repositories (the default)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
        parser.add_argument(
            "--actor", default="manage.py import_references", help="name recorded in the audit trail"
        )

    def handle(self, *args, legacy, v2, dry_run, actor, **options):
        show_progress = sys.stderr.isatty() and options["verbosity"] > 0
        bars = []

        def progress_factory(total):
            bar = tqdm(total=total, unit="record", disable=not show_progress, file=sys.stderr, leave=False)
            bars.append(bar)
            return bar.update

        try:
            report, label = import_references(
                actor=Actor(origin=AuditEvent.Origin.IMPORT, name=actor),
                legacy_dir=legacy,
                v2_dir=v2,
                dry_run=dry_run,
                progress_factory=progress_factory,
            )
        except (ImportFormatError, SourceUnavailable) as exc:
            raise CommandError(f"Nothing imported. {exc}") from exc
        finally:
            for bar in bars:
                bar.close()
        if options["verbosity"] > 0:
            self._print_report(report, label)

    def _print_report(self, report, label):
        out = self.stdout
        for category in report.categories:
            for warning in category.warnings:
                out.write(self.style.WARNING(f"warning: {warning}"))
        header = (
            f"{'category':<20} {'created':>8} {'updated':>8} {'unchanged':>10} {'deleted':>8} {'moved':>6}"
        )
        out.write(header)
        out.write("-" * len(header))
        for row in [*report.categories, report.totals()]:
            if row.category == "total":
                out.write("-" * len(header))
            out.write(
                f"{row.category:<20} {row.created:>8} {row.updated:>8} {row.unchanged:>10} {row.deleted:>8} "
                f"{row.moved:>6}"
            )
        if report.dry_run:
            out.write(
                self.style.NOTICE(f"Dry run from {label}: {report.changed} change(s) found, nothing written.")
            )
        elif report.changed or report.totals().moved:
            out.write(
                self.style.SUCCESS(
                    f"Imported from {label}: {report.changed} record(s) changed, "
                    f"{report.totals().moved} moved."
                )
            )
        else:
            out.write(self.style.SUCCESS(f"No changes: the catalog already matches {label}."))
