"""`text_generation?include_group=true`: db.json entries with their base-model group. Pure."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from apps.catalog.formats import text_csv, text_file
from apps.catalog.formats.text_names import name_quant, name_size, text_model_group


def _size_order(size: str) -> float:
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", size)]
    value = 1.0
    for n in numbers:
        value *= n
    return value / 1000 if size.endswith("M") else value


def group_summaries(records: list[dict]) -> dict[str, dict]:
    """Per group: member count, sizes, quants, the most common baseline, flags and merged tags."""
    members: dict[str, list[dict]] = defaultdict(list)
    for data in records:
        members[text_model_group(data["name"])].append(data)
    summaries = {}
    for group, items in members.items():
        sizes = {s for s in (name_size(d["name"]) for d in items) if s}
        quants = {q for q in (name_quant(d["name"]) for d in items) if q}
        baselines = Counter(d.get("baseline") for d in items if d.get("baseline"))
        tags = {t for d in items for _, entry in text_csv.db_entries(d)[:1] for t in entry.get("tags", [])}
        summaries[group] = {
            "member_count": len(items),
            "available_sizes": sorted(sizes, key=_size_order),
            "available_quants": sorted(quants),
            "common_baseline": baselines.most_common(1)[0][0] if baselines else None,
            "any_nsfw": any(d.get("nsfw") for d in items),
            "any_has_description": any(d.get("description") for d in items),
            "merged_tags": sorted(tags),
            "name_format": None,
        }
    return summaries


def db_document_with_groups(
    records: Sequence[text_file.RowSource], profile: text_file.CsvProfile | None = None
) -> dict:
    """db.json as a dict, each entry with `text_model_group` and `text_model_group_summary`."""
    summaries = group_summaries([r.data for r in records])
    document = text_file.db_document(records, profile, include_group=True)
    for entry in document.values():
        entry["text_model_group_summary"] = summaries[entry["text_model_group"]]
    return document
