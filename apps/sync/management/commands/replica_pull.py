from django.core.management.base import BaseCommand, CommandError

from apps.sync.models import ReplicaRun
from apps.sync.services.replica import ReplicaNotAvailable, replica_pull


class Command(BaseCommand):
    help = (
        "REPLICA mode: pull the PRIMARY's v2 documents now (conditional GETs; the legacy GitHub files when "
        "the PRIMARY is down). Prints what happened per category."
    )

    def handle(self, *args, **options):
        try:
            outcome = replica_pull()
        except ReplicaNotAvailable as exc:
            raise CommandError(str(exc)) from exc
        for category, what in outcome.summary.items():
            self.stdout.write(f"{category:<22} {what}")
        if outcome.note:
            self.stdout.write(self.style.WARNING(outcome.note))
        if outcome.result == ReplicaRun.Result.FAILED:
            raise CommandError(outcome.error)
        self.stdout.write(
            self.style.SUCCESS(f"{outcome.result} from {outcome.source}: {outcome.changed} record(s) changed")
        )
