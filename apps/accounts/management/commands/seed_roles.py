"""`manage.py seed_roles` (also run by `bootstrap`): the role groups and the environment's grants.

Seeding is a command, not a post_migrate handler; see `services.grants.role_grants_seed` for why.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.accounts.services import role_grants_seed, role_groups_sync


class Command(BaseCommand):
    help = (
        "Grant the roles listed in HMR_REQUESTOR_IDS and HMR_APPROVER_IDS (each id once; never revokes) "
        "and bring the Requestors/Approvers groups in line with apps/accounts/roles.py."
    )

    def handle(self, *args, **options):
        for group, permissions in role_groups_sync().items():
            self.stdout.write(
                self.style.WARNING(f"Group {group}: permissions not migrated yet: {', '.join(permissions)}")
            )
        requestors, approvers = settings.HMR_REQUESTOR_IDS, settings.HMR_APPROVER_IDS
        report = role_grants_seed(requestor_ids=requestors, approver_ids=approvers)
        for user_id, role in report.granted:
            self.stdout.write(self.style.SUCCESS(f"Granted {role} to AI-Horde user {user_id}."))
        if report.already_seeded:
            self.stdout.write(
                f"{len(report.already_seeded)} listed grant(s) were seeded before; the admin owns them now."
            )
        if not requestors and not approvers:
            self.stdout.write("HMR_REQUESTOR_IDS and HMR_APPROVER_IDS are empty; grant roles in the admin.")
