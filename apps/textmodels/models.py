"""The text-model stores: group aliases, group families and naming schemas (upstream keeps them
in JSON files on the PRIMARY; here they are rows, written by `services.py` with audit events).

- An alias entry names a canonical group and its aliases, in order; an alias has one owner
  (unique), and an entry may have none (upstream's `PUT aliases/{c}` with `[]`).
- A family links groups that belong together ("see also"); a group is in at most one family
  (unique), and a family has at least one member.
- A naming schema is a group's own naming convention, overriding the inferred one.

`TextModelGroup` gives the admin its "Text model groups" pages (a proxy of the catalog's records:
groups are not stored, they are the records' `text_model_group` values).
"""

from __future__ import annotations

from django.db import models

from apps.catalog.models import ModelRecord
from apps.core.fields import OrderedJSONField

NAME_LENGTH = 255


class AliasEntry(models.Model):
    canonical = models.CharField(max_length=NAME_LENGTH, unique=True, help_text="The canonical group.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "group alias entry"
        verbose_name_plural = "group aliases"

    def __str__(self) -> str:
        return self.canonical


class GroupAlias(models.Model):
    entry = models.ForeignKey(AliasEntry, on_delete=models.CASCADE, related_name="alias_rows")
    alias = models.CharField(max_length=NAME_LENGTH, unique=True, help_text="A group name it stands for.")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["entry", "position"]

    def __str__(self) -> str:
        return self.alias


class Family(models.Model):
    name = models.CharField(max_length=NAME_LENGTH, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "group family"
        verbose_name_plural = "group families"

    def __str__(self) -> str:
        return self.name


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="member_rows")
    group_name = models.CharField(max_length=NAME_LENGTH, unique=True, help_text="In one family at most.")

    class Meta:
        ordering = ["family", "group_name"]

    def __str__(self) -> str:
        return self.group_name


class GroupNameSchema(models.Model):
    group_name = models.CharField(max_length=NAME_LENGTH, unique=True)
    separator = models.CharField(max_length=16, default="-")
    part_order = OrderedJSONField(help_text="Parts in the order they are written: base, size, …")
    author_included = models.BooleanField(default=True)
    common_author = models.CharField(max_length=NAME_LENGTH, null=True, blank=True)
    template = models.TextField(null=True, blank=True)
    extra_parts = OrderedJSONField(help_text="Labels of the extra segments (free text).")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "naming schema"

    def __str__(self) -> str:
        return self.group_name


class TextModelGroup(ModelRecord):
    class Meta:
        proxy = True
        verbose_name = "text model group"
