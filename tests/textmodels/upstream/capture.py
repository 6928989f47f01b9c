"""Upstream's answers for the real text names, captured from the published package.

Run outside the project, in a scratch Python 3.12 environment with the package HMR replaces:

    /root/.pyenv/versions/3.12.1/bin/python -m venv /tmp/upstream12
    /tmp/upstream12/bin/pip install "horde-model-reference[service]==8.6.2"
    /tmp/upstream12/bin/python tests/textmodels/upstream/capture.py ../shared/data/legacy/text/db.json

It writes, next to this file:

- `text_names.json`: for every db.json key, `[parse, member, group]` where `parse` is
  `parse_text_model_name(key)` (what `GET …/text_generation/parse_name?name=<key>` answers),
  `member` is the parse of the key without backend prefix and author (a `group` member's
  `parsed`), `group` is `get_base_model_name(key)`; a parse is
  `[base_name, size, variant, quant, version, [[value, position, inferred_type], …]]`;
- `include_group.json`: `compute_group_summaries` over db.json with each entry's
  `text_model_group` set, as `GET …/v1/text_generation?include_group=true` embeds them.

Only upstream's public functions are called; nothing of it is copied into HMR.
"""

import json
import sys
from importlib.metadata import version
from pathlib import Path

from horde_model_reference.analytics.text_model_parser import (
    compute_group_summaries,
    get_base_model_name,
    parse_text_model_name,
)

HERE = Path(__file__).parent


def parsed(name: str) -> list:
    p = parse_text_model_name(name)
    extras = [[e.value, e.position, e.inferred_type.value] for e in p.extras]
    return [p.base_name, p.size, p.variant, p.quant, p.version, extras]


def member_target(name: str) -> str:
    for prefix in ("aphrodite/", "koboldcpp/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name.split("/", 1)[1] if "/" in name else name


def main(db_json: Path) -> None:
    document = json.loads(db_json.read_text())
    about = {"package": f"horde-model-reference {version('horde-model-reference')}", "source": "db.json"}
    names = {key: [parsed(key), parsed(member_target(key)), get_base_model_name(key)] for key in document}
    (HERE / "text_names.json").write_text(
        json.dumps({"_about": about, "names": names}, separators=(",", ":")) + "\n"
    )
    for key, entry in document.items():
        entry["text_model_group"] = get_base_model_name(key)
    summaries = {}
    for group, s in sorted(compute_group_summaries(document).items()):
        f = s.name_format
        summaries[group] = {
            "member_count": s.member_count,
            "available_sizes": s.available_sizes,
            "available_quants": s.available_quants,
            "common_baseline": s.common_baseline,
            "any_nsfw": s.any_nsfw,
            "any_has_description": s.any_has_description,
            "merged_tags": s.merged_tags,
            "name_format": {
                "separator": f.separator,
                "part_order": f.part_order,
                "author_included": f.author_included,
                "common_author": f.common_author,
                "template": f.template,
            },
        }
    (HERE / "include_group.json").write_text(
        json.dumps({"_about": about, "groups": summaries}, separators=(",", ":")) + "\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
