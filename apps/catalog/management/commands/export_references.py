from pathlib import Path

from django.core.management.base import BaseCommand

from apps.catalog import selectors
from apps.catalog.categories import CATEGORIES
from apps.catalog.formats import render
from apps.core.files import write_atomic


class Command(BaseCommand):
    help = (
        "Export the catalog: --format legacy writes image/*.json, text/models.csv and text/db.json "
        "(byte-identical to what was imported); --format v2 writes one v2 file per category."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("legacy", "v2"), default="legacy")
        parser.add_argument("--out", type=Path, required=True, metavar="DIR")

    def handle(self, *args, format, out, **options):
        """One category at a time: its records are read, its files written, then let go (at 100
        times today's catalog, holding every file at once cost a gigabyte)."""
        count = total = 0
        for category, info in CATEGORIES.items():
            snapshot = selectors.category_records(category)
            if format == "legacy":
                files = render.legacy_files(snapshot)
            else:  # every category, empty ones included (as `{}`)
                files = {info.v2_file: render.v2_file(snapshot)}
            del snapshot
            for relative, text in sorted(files.items()):
                content = text.encode("utf-8")
                write_atomic(out / relative, content)
                count, total = count + 1, total + len(content)
                if options["verbosity"] > 1:
                    self.stdout.write(f"{relative}  {len(content)} bytes")
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} {format} file(s), {total} bytes, to {out}."))
