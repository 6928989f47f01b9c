from django.core.management.base import BaseCommand, CommandError

from apps.audit.replay import record_events, replay_compare
from apps.catalog.categories import Category
from apps.catalog.selectors import live_record_data


class Command(BaseCommand):
    help = "Rebuild every category from the audit trail and report any difference from the live records."

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="exit with an error when anything differs")

    def handle(self, *args, verify, **options):
        # Record categories only: the queue's steps and the text-model stores' entries are no records.
        report = replay_compare(record_events(c.value for c in Category), live_record_data())
        self.stdout.write(f"Replayed {report.events} record events; {report.records} live records.")
        for label, keys in (
            ("missing from the trail", report.missing),
            ("rebuilt from the trail but not live", report.extra),
            ("different", report.different),
        ):
            for category, name in keys:
                self.stdout.write(f"  {label}: {category}/{name}")
        if report.clean:
            self.stdout.write(
                self.style.SUCCESS("No difference: the audit trail rebuilds every live record.")
            )
        elif verify:
            raise CommandError(
                f"{len(report.missing) + len(report.extra) + len(report.different)} difference(s)."
            )
