import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.formats.bundle import ImportFormatError
from apps.catalog.imports import import_references
from apps.catalog.sources import SourceUnavailable

NAMES_SHOWN = 20  # record names listed per operation and category
OPERATIONS = (("create", "created"), ("update", "updated"), ("delete", "deleted"), ("move", "moved"))


class Command(BaseCommand):
    help = (
        "Import the model reference: from a legacy directory (image/*.json, text/models.csv), a v2 "
        "directory, or by default the two legacy GitHub repositories (their branches, or a past state "
        "with --ref). Idempotent; --dry-run writes nothing and lists what would change."
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
        parser.add_argument(
            "--ref", metavar="REF", help="GitHub: read both repositories at this commit, branch or tag"
        )
        parser.add_argument(
            "--image-ref", metavar="REF", help="GitHub: the image repository's commit, branch or tag"
        )
        parser.add_argument(
            "--text-ref", metavar="REF", help="GitHub: the text repository's commit, branch or tag"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="refuse a db.json that is not what its models.csv generates (default: report, regenerate)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, record by record; write nothing"
        )
        parser.add_argument(
            "--actor", default="manage.py import_references", help="name recorded in the audit trail"
        )

    def handle(self, *args, legacy, v2, dry_run, actor, strict, ref, image_ref, text_ref, **options):
        image_ref, text_ref = image_ref or ref, text_ref or ref
        if (legacy or v2) and (image_ref or text_ref):
            raise CommandError(
                "--ref, --image-ref and --text-ref read the GitHub repositories; drop --legacy/--v2."
            )
        if v2 and strict:
            raise CommandError("--strict checks a legacy db.json; a v2 directory has none.")
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
                image_ref=image_ref,
                text_ref=text_ref,
                strict=strict,
                dry_run=dry_run,
                progress_factory=progress_factory,
            )
        except (ImportFormatError, SourceUnavailable) as exc:
            raise CommandError(f"Nothing imported. {exc}") from exc
        finally:
            for bar in bars:
                bar.close()
        if options["verbosity"] > 0:
            self._print_report(report, label, names=dry_run or options["verbosity"] > 1)

    def _print_report(self, report, label, *, names):
        out = self.stdout
        for category in report.categories:
            for warning in category.warnings:
                out.write(self.style.WARNING(f"warning: {warning}"))
            if category.differences:
                out.write(self.style.WARNING(f"warning: {category.differences[0]}:"))
                for line in category.differences[1:]:
                    out.write(self.style.WARNING(f"  {line}"))
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
        if names:
            self._print_names(report)
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

    def _print_names(self, report):
        for category in report.categories:
            for operation, label in OPERATIONS:
                listed = category.names.get(operation) or []
                if not listed:
                    continue
                shown = ", ".join(listed[:NAMES_SHOWN])
                more = f" … and {len(listed) - NAMES_SHOWN} more" if len(listed) > NAMES_SHOWN else ""
                verb = label if not report.dry_run else f"would be {label}"
                self.stdout.write(f"{category.category} {verb} ({len(listed)}): {shown}{more}")
