"""The admin's "Text models" section: the text model groups (a list, and each group's page with
its members' parsed names, what they share and what differs) and editors for the stores
(aliases, families, naming schemas), which write through `apps.textmodels.services`.

The moderation app adds "Propose for every member…" to the group page by registering a subclass
of `TextModelGroupAdmin` in its place (apps/moderation/admin/text_groups.py): this app does not
depend on moderation.
"""

from apps.textmodels.admin import groups, stores  # noqa: F401  (registers the admins)
