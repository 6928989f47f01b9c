"""Who may do what: role grants for AI-Horde users, and the link from a Django user to one."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

horde_user_id_validator = RegexValidator(
    r"^[0-9]+\Z", "An AI-Horde user id is the number after '#' in a username (Tazlin#6572 → 6572)."
)


class RoleGrant(models.Model):
    """One role held by one AI-Horde user. Approvers are requestors too (see selectors)."""

    class Role(models.TextChoices):
        REQUESTOR = "requestor", "requestor (may propose changes)"
        APPROVER = "approver", "approver (may approve, reject and apply changes)"

    horde_user_id = models.CharField(
        "AI-Horde user id", max_length=32, validators=[horde_user_id_validator], db_index=True
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_by = models.CharField(
        max_length=255, help_text="Admin username, or the environment variable it was seeded from."
    )
    granted_at = models.DateTimeField()
    note = models.TextField(blank=True, help_text="Why, or who this is (AI-Horde name, Discord handle…).")

    class Meta:
        ordering = ["horde_user_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["horde_user_id", "role"], name="rolegrant_unique_user_role")
        ]

    def __str__(self) -> str:
        return f"{self.horde_user_id}: {self.role}"


class HordeAccount(models.Model):
    """The Django user an AI-Horde user signs in to the admin as (created at the first sign-in).

    Keyed by the AI-Horde user id, which never changes; the Django username follows the AI-Horde
    username ("Name#id"), which may.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="horde_account"
    )
    horde_user_id = models.CharField(
        "AI-Horde user id", max_length=32, unique=True, validators=[horde_user_id_validator]
    )
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} (AI-Horde {self.horde_user_id})"


class RoleSeed(models.Model):
    """An (id, role) pair once seeded from HMR_REQUESTOR_IDS / HMR_APPROVER_IDS.

    Seeding skips pairs recorded here, so a grant revoked in the admin is not granted again by the
    next restart while the environment still lists it.
    """

    horde_user_id = models.CharField("AI-Horde user id", max_length=32)
    role = models.CharField(max_length=16, choices=RoleGrant.Role.choices)
    seeded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["horde_user_id", "role"], name="roleseed_unique_user_role")
        ]

    def __str__(self) -> str:
        return f"{self.horde_user_id}: {self.role} (seeded {self.seeded_at:%Y-%m-%d})"
