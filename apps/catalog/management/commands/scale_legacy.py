import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.formats import scaled


class Command(BaseCommand):
    help = (
        "Write a copy of a legacy directory (image/, text/) with every record copied under new names "
        "until each is there --times times: a larger catalog to rehearse growth (bench/scale.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--legacy", type=Path, required=True, metavar="DIR", help="image/ and text/")
        parser.add_argument("--times", type=int, required=True, metavar="N")
        parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="created; must not exist")

    def handle(self, *args, legacy, times, out, **options):
        if times < 1:
            raise CommandError("--times must be 1 or more.")
        if not (legacy / "image").is_dir() or not (legacy / "text" / "models.csv").is_file():
            raise CommandError(f"{legacy} has no image/ directory or no text/models.csv.")
        if out.exists():
            raise CommandError(f"{out} exists; give a new directory.")
        (out / "image").mkdir(parents=True)
        (out / "text").mkdir()
        for path in sorted((legacy / "image").iterdir()):
            text = path.read_text()
            if path.name.endswith(".json") and not path.name.endswith(".schema.json"):
                text = scaled.scaled_json_document(text, times)
            (out / "image" / path.name).write_text(text)
        for path in sorted((legacy / "text").iterdir()):
            if path.name not in ("models.csv", "db.json"):
                shutil.copy(path, out / "text" / path.name)
        models_csv = scaled.scaled_models_csv((legacy / "text" / "models.csv").read_text(), times)
        (out / "text" / "models.csv").write_text(models_csv)
        (out / "text" / "db.json").write_text(scaled.text_db_json(models_csv))
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(f"Wrote the legacy data {times} times over to {out}."))
