from django.core.management.base import BaseCommand, CommandError

from apps.catalog.categories import Repo
from apps.sync.github import GitHubError, GitHubUnavailable
from apps.sync.services.github_sync import SyncNotAvailable, SyncOutcome, repo_sync


class Command(BaseCommand):
    help = (
        "Compare the legacy export with each legacy GitHub repository and open or update its one sync "
        "pull request (none when identical). --dry-run prints the diff and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repo", choices=[r.value for r in Repo], help="one repository (default: both)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the diff and what would be done; write nothing"
        )

    def handle(self, *args, repo, dry_run, **options):
        failed = []
        for target in [Repo(repo)] if repo else list(Repo):
            try:
                outcome = repo_sync(repo=target, dry_run=dry_run)
            except (SyncNotAvailable, GitHubError, GitHubUnavailable) as exc:
                self.stderr.write(self.style.ERROR(f"{target.value}: {exc}"))
                failed.append(target.value)
                continue
            self._print(outcome)
        if failed:
            raise CommandError(f"Sync failed for: {', '.join(failed)}")

    def _print(self, outcome: SyncOutcome):
        out = self.stdout
        prefix = "Dry run: " if outcome.dry_run else ""
        out.write(self.style.MIGRATE_HEADING(f"{prefix}{outcome.full_name} ({outcome.repo.value})"))
        if outcome.diffs:
            out.write(outcome.body.rstrip())
        else:
            out.write("The repository matches the export byte for byte; no pull request is needed.")
        verb = "Would" if outcome.dry_run else "Did"
        for action in outcome.actions or (
            ["nothing: the branch and pull request are up to date"] if outcome.diffs else []
        ):
            out.write(f"{verb}: {action}")
        if outcome.note:
            out.write(outcome.note)
        for warning in outcome.warnings:
            out.write(self.style.WARNING(f"warning: {warning}"))
        if not outcome.dry_run:
            link = f": {outcome.pull.url}" if outcome.pull and outcome.result != "identical" else ""
            out.write(self.style.SUCCESS(f"{outcome.result}{link}"))
