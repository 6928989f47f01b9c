"""Download checks: what each download URL of the catalog (and of proposed changes) answered.

A `DownloadTarget` is one URL with what the record expects behind it (SHA-256, size): the unit
that is checked, so that the same URL expected with another hash is judged again. Every check is
a `DownloadCheck` row (the history); the target points at its latest one, and `requested_at`
says a check is queued and has not finished (the desk shows "checking…").
"""

from __future__ import annotations

from django.db import models


class DownloadTarget(models.Model):
    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of URL, hash and size.")
    url = models.TextField()
    host = models.CharField(max_length=255)
    expected_sha256 = models.CharField(max_length=128, blank=True, help_text="Lowercase; empty: unknown.")
    expected_size = models.BigIntegerField(null=True, blank=True, help_text="Bytes; empty: unknown.")
    created_at = models.DateTimeField()
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="A check is queued and has not finished since."
    )
    latest_check = models.ForeignKey(
        "DownloadCheck", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["host", "url"]
        indexes = [models.Index(fields=["host"], name="target_host")]
        permissions = [("check_downloads", "Can check download links now")]

    def __str__(self) -> str:
        return self.url


class DownloadCheck(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", "ok"
        HASH_MISMATCH = "hash_mismatch", "hash mismatch"
        SIZE_MISMATCH = "size_mismatch", "size mismatch"
        GONE = "gone", "gone"
        LOGIN_REQUIRED = "login_required", "login required"
        HOST_ERROR = "host_error", "host error"
        TIMEOUT = "timeout", "timeout"
        REFUSED = "refused", "refused (not a public address)"

    class Trigger(models.TextChoices):
        CHANGE = "change", "proposed change"
        ON_DEMAND = "on_demand", "on demand"
        NIGHTLY = "nightly", "nightly"

    target = models.ForeignKey(DownloadTarget, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField()
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.TextField(help_text="What a reviewer reads: why the outcome is what it is.")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.TextField(blank=True, help_text="Where the redirects ended.")
    redirects = models.PositiveSmallIntegerField(default=0)
    remote_size = models.BigIntegerField(null=True, blank=True)
    remote_sha256 = models.CharField(max_length=64, blank=True)
    hash_source = models.CharField(max_length=32, blank=True, help_text="Where the remote SHA-256 came from.")
    requests_sent = models.PositiveSmallIntegerField(default=0, help_text="Retries and redirects included.")
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["target", "-checked_at"], name="check_target_latest"),
            models.Index(fields=["checked_at"], name="check_age"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.target_id} at {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def is_ok(self) -> bool:
        return self.outcome == self.Outcome.OK
