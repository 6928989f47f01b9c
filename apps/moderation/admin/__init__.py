"""The admin as the moderators' approval desk.

- `changes`: the queue (filters, counts per status, the change page with its diff, approve /
  reject / apply as actions and buttons);
- `batches`: review batches with their audit timeline, net changes and "Apply batch";
- `records`: the catalog record pages gain their history and "Propose an edit / deletion / a new
  record" (`proposals`): the catalog itself stays read-only, every edit is a pending change;
- `text_groups`: the text model group pages gain "Propose for every member…" (one proposed batch).

Every write goes through one service of `apps.moderation.services`; nothing here saves a row.
"""

from apps.moderation.admin import batches, changes, records, text_groups  # noqa: F401  (registers the admins)
