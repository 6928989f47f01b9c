from django.core.management.base import BaseCommand

from apps.sync.services.schedules import schedules_install


class Command(BaseCommand):
    help = (
        "Install the beat schedules (GitHub sync every HMR_SYNC_INTERVAL_MINUTES, nightly export check, "
        "replica pull). Idempotent; schedules edited in the admin are kept."
    )

    def handle(self, *args, **options):
        for name, result in schedules_install():
            self.stdout.write(f"{name}: {result}")
