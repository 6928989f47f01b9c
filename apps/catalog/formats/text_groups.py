"""Text model groups: the naming convention of a group, and `text_generation?include_group=true`
(db.json entries with their group and its summary). Pure functions.

The rules are those of the service HMR replaces (`infer_name_format`, `compute_group_summaries`):

- a group's members are db.json keys (the base name and its `aphrodite/` and `koboldcpp/` keys),
  so `member_count` counts keys: three per record;
- sizes and quantisations are parsed from every key as it is (the parser finds no size in an
  author such as `Sao10K`, where upstream shows `0K`), sizes ordered by parameter count;
- `common_baseline` is the one non-empty baseline when the members have exactly one, else null;
- the naming convention is inferred from the keys in document order: text before the first "/"
  is the author (a backend word counts as one, as upstream's does), the separator is the more
  frequent of "-" and "_" outside quantisation tokens, and the part order is read from the member
  whose name has the most parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.catalog.formats import text_file
from apps.catalog.formats.text_names import (
    ParsedName,
    parse_text_model_name,
    quant_tokens_removed,
    size_sort_key,
)

DEFAULT_PART_ORDER = ("base", "size", "variant", "version", "quant")


@dataclass(frozen=True)
class NameFormat:
    """How a group's names are written (upstream's NameFormatSchema)."""

    separator: str = "-"
    part_order: tuple[str, ...] = ()
    author_included: bool = False
    common_author: str | None = None
    template: str = ""
    extra_parts: tuple[str, ...] = field(default=())

    def summary(self) -> dict:
        """The shape `include_group` embeds (no `extra_parts`)."""
        return {
            "separator": self.separator,
            "part_order": list(self.part_order),
            "author_included": self.author_included,
            "common_author": self.common_author,
            "template": self.template,
        }


def _part_values(parsed: ParsedName) -> dict[str, str]:
    values = {"base": parsed.base_name}
    values.update({part: value for part, value in parsed.parts().items() if value})
    for extra in parsed.extras:
        values[f"extra:{extra.inferred_type}"] = extra.value
    return values


def _richness(parsed: ParsedName) -> int:
    return sum(1 for value in parsed.parts().values() if value) + len(parsed.extras)


def part_order(written: str, parsed: ParsedName) -> list[str]:
    """The parts of `parsed` in the order they are written in `written` (parts not found verbatim,
    such as a base name the size was cut out of, are left out)."""
    lowered = written.lower()
    found = [(lowered.find(value.lower()), part) for part, value in _part_values(parsed).items()]
    return [part for index, part in sorted((f for f in found if f[0] >= 0), key=lambda f: f[0])]


def template(parts: list[str], separator: str, author_included: bool) -> str:
    return ("{author}/" if author_included else "") + separator.join(f"{{{p}}}" for p in parts)


def infer_name_format(names: list[str]) -> NameFormat:
    """The naming convention of a group's member names (in the order given)."""
    if not names:
        return NameFormat(part_order=("base", "size"), template="{base}-{size}")
    authors, rests = set(), []
    for name in names:
        author, slash, rest = name.partition("/")
        if slash:
            authors.add(author)
        rests.append(rest if slash else name)
    cleaned = [quant_tokens_removed(rest) for rest in rests]
    hyphens = sum(r.count("-") for r in cleaned)
    separator = "_" if sum(r.count("_") for r in cleaned) > hyphens else "-"
    parsed = [parse_text_model_name(rest) for rest in rests]
    richest = max(range(len(rests)), key=lambda i: _richness(parsed[i]))  # the first of the richest
    parts = part_order(rests[richest], parsed[richest])
    extras = dict.fromkeys(e.inferred_type for p in parsed for e in p.extras)
    return NameFormat(
        separator=separator,
        part_order=tuple(parts),
        author_included=bool(authors),
        common_author=next(iter(authors)) if len(authors) == 1 else None,
        template=template(parts, separator, bool(authors)),
        extra_parts=tuple(extras),
    )


def sorted_sizes(sizes) -> list[str]:
    return sorted(set(sizes), key=size_sort_key)


def group_summary(entries: list[tuple[str, dict]]) -> dict:
    """The summary of one group from its db.json entries `(key, entry)` in document order."""
    keys = [key for key, _ in entries]
    parsed = [parse_text_model_name(key) for key in keys]
    baselines = {str(e["baseline"]) for _, e in entries if e.get("baseline")}
    tags = {str(t) for _, e in entries if isinstance(e.get("tags"), list) for t in e["tags"]}
    return {
        "member_count": len(entries),
        "available_sizes": sorted_sizes(p.size for p in parsed if p.size),
        "available_quants": sorted({p.quant for p in parsed if p.quant}),
        "common_baseline": next(iter(baselines)) if len(baselines) == 1 else None,
        "any_nsfw": any(bool(e.get("nsfw")) for _, e in entries),
        "any_has_description": any(bool(e.get("description")) for _, e in entries),
        "merged_tags": sorted(tags),
        "name_format": infer_name_format(keys).summary(),
    }


def group_summaries(document: dict[str, dict]) -> dict[str, dict]:
    """Every group's summary over a db.json document whose entries carry `text_model_group`."""
    buckets: dict[str, list[tuple[str, dict]]] = {}
    for key, entry in document.items():
        buckets.setdefault(entry["text_model_group"], []).append((key, entry))
    return {group: group_summary(entries) for group, entries in buckets.items()}


def db_document_with_groups(
    records: Sequence[text_file.RowSource], profile: text_file.CsvProfile | None = None
) -> dict:
    """db.json as a dict, each entry followed by `text_model_group` and `text_model_group_summary`."""
    document = text_file.db_document(records, profile, include_group=True)
    summaries = group_summaries(document)
    for entry in document.values():
        entry["text_model_group_summary"] = summaries[entry["text_model_group"]]
    return document
