from django.core.management.base import BaseCommand, CommandError

from apps.catalog.categories import Category
from apps.sync.models import ExportRun
from apps.sync.services.exports import categories_export


class Command(BaseCommand):
    help = (
        "Export categories into HMR_EXPORT_DIR now (what the export task does after every change): "
        "v2/ and legacy/ files, written only where their bytes changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--category",
            action="append",
            choices=[c.value for c in Category],
            help="repeatable; default: all",
        )

    def handle(self, *args, category, **options):
        outcomes = categories_export(categories=[Category(c) for c in category] if category else None)
        for outcome in outcomes:
            detail = ", ".join(outcome.written) if outcome.written else outcome.error
            self.stdout.write(f"{outcome.category.value:<22} {outcome.result:<10} {detail}")
        failed = [o.category.value for o in outcomes if o.result == ExportRun.Result.FAILED]
        if failed:
            raise CommandError(f"Export failed for: {', '.join(failed)}")
