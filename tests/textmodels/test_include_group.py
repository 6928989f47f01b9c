"""`GET v1/text_generation?include_group=true` on the real data, for every group.

Each summary is derived here from db.json by upstream's rules (tests/textmodels/upstream/
capture.py's docstring names the package they come from), and compared with upstream's own
summaries (`upstream/include_group.json`, captured with

    /tmp/upstream12/bin/python tests/textmodels/upstream/capture.py ../shared/data/legacy/text/db.json

) for every group HMR's parser corrections leave untouched. The corrections (test_text_names.py's
EXCEPTIONS) move 9 records into other groups; `Sao10K` holds no size, so 15 groups lose upstream's
`0K`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from apps.catalog.formats.text_names import parse_text_model_name, text_model_group
from tests.textmodels.test_text_names import EXCEPTED_KEYS
from tests.textmodels.test_text_names import UPSTREAM as UPSTREAM_NAMES

V1 = "/api/model_references/v1"
UPSTREAM = json.loads((Path(__file__).parent / "upstream" / "include_group.json").read_text())["groups"]
UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def parameter_count(size: str) -> float:
    """`8X22B` -> 176e9, `7B1` -> 7e9 (upstream's size order)."""
    experts, number, unit = re.fullmatch(r"(?:(\d+)X)?(\d+(?:\.\d+)?)([KMBT])\d*", size).groups()
    return float(experts or 1) * float(number) * UNITS[unit]


def derived_summary(keys: list[str], db: dict) -> dict:
    """A group's summary by the rules: keys counted, sizes and quants parsed from each key,
    one baseline or none, flags and tags over the members' db.json entries."""
    entries = [db[k] for k in keys]
    sizes = {s for s in (parse_text_model_name(k).size for k in keys) if s}
    baselines = {e["baseline"] for e in entries if e["baseline"]}
    return {
        "member_count": len(keys),
        "available_sizes": sorted(sizes, key=parameter_count),
        "available_quants": sorted({q for q in (parse_text_model_name(k).quant for k in keys) if q}),
        "common_baseline": baselines.pop() if len(baselines) == 1 else None,
        "any_nsfw": any(e["nsfw"] for e in entries),
        "any_has_description": any(e["description"] for e in entries),
        "merged_tags": sorted({t for e in entries for t in e["tags"]}),
    }


def name_format(part_order: list[str], separator: str = "-") -> dict:
    """On db.json keys the backend words count as authors: always included, never common."""
    template = "{author}/" + separator.join(f"{{{p}}}" for p in part_order)
    return {
        "separator": separator,
        "part_order": part_order,
        "author_included": True,
        "common_author": None,
        "template": template,
    }


# The groups the corrections change, with the naming convention the rules give them: the parts
# of the first member with the most parts, in the order they are written, where found verbatim.
CHANGED_NAME_FORMATS = {
    # 8x22B and 8x7B records: base, size, variant and version all found in the first one.
    "Mixtral": name_format(["base", "size", "variant", "version"]),
    "WizardLM-2": name_format(["base", "size"]),
    "Karasu-Mixtral": name_format(["base", "size", "version"]),
    "Q3.5-BlueStar": name_format(["base", "size"]),  # upstream: {quant}-{base}-{size} from `Q3`
    # The base `lzlv_hf` is not written verbatim in `lzlv_70b_fp16_hf`; the quant now is a part.
    "lzlv_hf": name_format(["size", "quant"], "_"),
    "Tenebra_Alpha01": name_format(["size", "quant"], "_"),
    "Phi-3.5-mini-Uncensored": name_format(["variant"]),  # the base lost its `instruct`
    "Impish_QWEN_1M": name_format(["size"], "_"),
}


def test_every_group_summary_follows_the_rules_and_upstream(imported, client, legacy_dir):
    db = json.loads((legacy_dir / "text/db.json").read_text())
    response = client.get(f"{V1}/text_generation", {"include_group": "true"})
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    body = response.json()
    assert list(body) == list(db)

    groups: dict[str, list[str]] = defaultdict(list)
    for key, entry in db.items():
        served = body[key]
        # db.json's entry as it is, then the group and its summary.
        assert list(served) == [*entry, "text_model_group", "text_model_group_summary"]
        assert {k: served[k] for k in entry} == entry
        assert served["text_model_group"] == text_model_group(key)
        groups[served["text_model_group"]].append(key)

    summaries = {}
    for group, keys in groups.items():
        summary = body[keys[0]]["text_model_group_summary"]
        assert all(body[k]["text_model_group_summary"] == summary for k in keys), group
        assert list(summary) == [*derived_summary(keys, db), "name_format"]
        assert {k: v for k, v in summary.items() if k != "name_format"} == derived_summary(keys, db), group
        summaries[group] = summary

    moved = {UPSTREAM_NAMES[k][2] for k in EXCEPTED_KEYS} | {text_model_group(k) for k in EXCEPTED_KEYS}
    assert set(CHANGED_NAME_FORMATS) == moved & set(summaries)
    author_sizes = 0
    for group, upstream_summary in UPSTREAM.items():
        if group in moved:
            continue
        expected = dict(upstream_summary)
        if "0K" in expected["available_sizes"]:  # from the author `Sao10K`
            author_sizes += 1
            expected["available_sizes"] = [s for s in expected["available_sizes"] if s != "0K"]
        assert summaries[group] == expected, group
    assert author_sizes == 15
    for group, expected in CHANGED_NAME_FORMATS.items():
        assert summaries[group]["name_format"] == expected, group
    assert len(summaries) == len(UPSTREAM) - 2  # 8x22B joins Mixtral and WizardLM-2

    # magnum: 10 records, 30 keys, seven baselines (none common), sizes by parameter count.
    magnum = summaries["magnum"]
    assert magnum["member_count"] == 30
    assert magnum["common_baseline"] is None
    assert magnum["available_sizes"] == ["9B", "12B", "22B", "27B", "34B", "72B", "123B"]
    assert summaries["Mixtral"]["available_sizes"] == ["8X7B", "8X22B"]
