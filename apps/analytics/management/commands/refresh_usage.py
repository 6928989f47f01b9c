"""`manage.py refresh_usage`: collect AI-Horde usage now (what the beat task does every
HMR_USAGE_REFRESH_MINUTES) and say per category what happened."""

from django.core.management.base import BaseCommand, CommandError

from apps.analytics.services import usage_refresh
from apps.horde.breaker import breaker_reset


class Command(BaseCommand):
    help = "Collect AI-Horde's model status, usage and workers into the usage snapshot now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-breaker",
            action="store_true",
            help="Close the AI-Horde circuit breaker first (after fixing the network, without waiting).",
        )

    def handle(self, *args, **options):
        if options["reset_breaker"]:
            breaker_reset()
        outcomes = usage_refresh()
        for outcome in outcomes:
            if outcome.result == "refreshed":
                self.stdout.write(
                    f"{outcome.category.value}: refreshed ({outcome.matched_records} records in use, "
                    f"{outcome.unknown_names} names unknown to the reference)"
                )
            else:
                self.stderr.write(f"{outcome.category.value}: {outcome.result}: {outcome.error}")
        if all(o.result == "failed" for o in outcomes):
            raise CommandError("AI-Horde could not be asked; the previous snapshot is kept.")
