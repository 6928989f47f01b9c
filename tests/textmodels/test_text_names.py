"""The text-name parser over every real name, against the answers of the service HMR replaces.

Upstream's answers (`upstream/text_names.json`) come from its published package,
horde-model-reference 8.6.2, run outside the project:

    /tmp/upstream12/bin/python tests/textmodels/upstream/capture.py ../shared/data/legacy/text/db.json

For each of the 2157 db.json keys (719 records, each with its `aphrodite/` and `koboldcpp/` key)
it holds upstream's parse of the key as given (the `parse_name` route), its parse without backend
prefix and author (a `group` member's `parsed`) and its group (`get_base_model_name`).

HMR's parser must give the same base name, size, variant, quantisation, version and group for
every name, except where upstream is plainly wrong: each such name is in `EXCEPTIONS` with the
reason, and the test checks that upstream really answers differently there (the table cannot go
stale) and that HMR answers what the table says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.catalog.formats.text_names import (
    backend_variants,
    group_parse_target,
    parse_text_model_name,
    size_sort_key,
    text_model_group,
)

UPSTREAM = json.loads((Path(__file__).parent / "upstream" / "text_names.json").read_text())["names"]
FIELDS = ("base_name", "size", "variant", "quant", "version")
MOE = "the size pattern matches `2B` inside `8x22B` before the MoE pattern is tried; `8X22B` is the size"
UNDERSCORE = "`\\b` treats `_` as a word character, so a token after `_` is not found"

# name -> (what HMR answers for the name without author, why upstream is wrong). The group is
# the base name; the same correction applies to the name's aphrodite/ and koboldcpp/ keys.
EXCEPTIONS: dict[str, tuple[dict, str]] = {
    "lightblue/Karasu-Mixtral-8x22B-v0.1": ({"size": "8X22B", "base_name": "Karasu-Mixtral"}, MOE),
    "microsoft/WizardLM-2-8x22B": ({"size": "8X22B", "base_name": "WizardLM-2"}, MOE),
    "mistralai/Mixtral-8x22B-Instruct-v0.1": (
        {"size": "8X22B", "base_name": "Mixtral"},
        MOE + " (and the record joins mistralai/Mixtral-8x7B-Instruct-v0.1 in group Mixtral)",
    ),
    "zerofata/Q3.5-BlueStar-27B": (
        {"quant": None, "base_name": "Q3.5-BlueStar"},
        "`Q3.5` is Qwen 3.5, not a quantisation: `\\bQ3\\b` fires because `.` ends a word",
    ),
    "lizpreciatior/lzlv_70b_fp16_hf": ({"quant": "FP16", "base_name": "lzlv_hf"}, UNDERSCORE + " (`_fp16_`)"),
    "SicariusSicariiStuff/Tenebra_30B_Alpha01_FP16": (
        {"quant": "FP16", "base_name": "Tenebra_Alpha01"},
        UNDERSCORE + " (`_FP16`)",
    ),
    "SicariusSicariiStuff/Phi-3.5-mini-instruct_Uncensored": (
        {"variant": "instruct", "base_name": "Phi-3.5-mini-Uncensored"},
        UNDERSCORE + " (`instruct_`); one variant is removed, the mixed `-_` left collapses",
    ),
    "SicariusSicariiStuff/Impish_QWEN_7B-1M": (
        {"base_name": "Impish_QWEN_1M"},
        "removing the size leaves `_-`; a run of mixed separators collapses to one (upstream keeps it)",
    ),
    "SicariusSicariiStuff/Impish_QWEN_14B-1M": (
        {"base_name": "Impish_QWEN_1M"},
        "the same: `Impish_QWEN_-1M` is not a name anyone wrote",
    ),
}
# Authors that upstream reads a size from when the name is parsed as given (parse_name of the
# full name; groups strip the author first, so they are not affected).
AUTHOR_SIZE = "`Sao10K` holds no size: a size never starts inside a word or a number (upstream: `0K`)"


# Every db.json key of an excepted record -> the record's name.
EXCEPTED_KEYS = {key: name for name in EXCEPTIONS for key in (name, *backend_variants(name))}


def as_upstream(parsed) -> list:
    return [getattr(parsed, f) for f in FIELDS] + [[[e.value, e.inferred_type] for e in parsed.extras]]


def upstream_parts(answer: list) -> list:
    return [*answer[:5], [[value, kind] for value, _, kind in answer[5]]]


def test_the_data_covers_every_db_json_key(legacy_dir):
    assert list(UPSTREAM) == list(json.loads((legacy_dir / "text/db.json").read_text()))
    assert len(UPSTREAM) == 2157


def test_every_real_name_parses_and_groups_as_upstream_but_the_listed_exceptions():
    mismatches = []
    for key, (_, member, group) in UPSTREAM.items():
        ours = parse_text_model_name(group_parse_target(key))
        expected = upstream_parts(member)
        expected_group = group
        if key in EXCEPTED_KEYS:
            corrected, _ = EXCEPTIONS[EXCEPTED_KEYS[key]]
            for field, value in corrected.items():
                index = FIELDS.index(field)
                assert expected[index] != value, f"{key}: upstream already answers {field}={value!r}"
                expected[index] = value
            expected_group = expected[0]
        if as_upstream(ours) != expected or text_model_group(key) != expected_group:
            mismatches.append((key, expected, as_upstream(ours), expected_group, text_model_group(key)))
    assert mismatches == []


def test_parse_name_of_the_name_as_given_matches_upstream_but_the_listed_exceptions():
    """The `parse_name` route parses the whole string (author and backend prefix stay in the base)."""
    mismatches, author_sizes = [], set()
    for key, (full, member, _) in UPSTREAM.items():
        ours = as_upstream(parse_text_model_name(key))
        expected = upstream_parts(full)
        prefix = key[: len(key) - len(group_parse_target(key))]
        if key in EXCEPTED_KEYS:  # the same correction as without the author, with the prefix kept
            corrected, _ = EXCEPTIONS[EXCEPTED_KEYS[key]]
            for field, value in corrected.items():
                expected[FIELDS.index(field)] = prefix + value if field == "base_name" else value
        elif full[1] != member[1]:
            # Upstream found a size in the author: HMR answers the author-less parse, author kept.
            author_sizes.add(key.split("/")[-2])
            expected = upstream_parts(member)
            expected[0] = prefix + member[0]
        if ours != expected:
            mismatches.append((key, expected, ours))
    assert mismatches == []
    assert author_sizes == {"Sao10K"}, AUTHOR_SIZE


def test_a_date_extra_counts_the_separators_before_it_in_the_name_as_given():
    """Upstream counts them at the date's index in the already shortened name (23 of 27 real dates
    come out too small); HMR counts them in the name as given. Value and type are upstream's."""
    dates = 0
    for key, (full, _, _) in UPSTREAM.items():
        for extra in parse_text_model_name(key).extras:
            if extra.inferred_type == "DATE":
                dates += 1
                before = key[: key.rindex(extra.value)]
                assert extra.position == sum(c in "-_ ." for c in before), key
                assert [extra.value, "DATE"] in [[v, t] for v, _, t in full[5]], key
    assert dates == 27 * 3


def test_the_leading_version_extra():
    parsed = parse_text_model_name("ReadyArt/4.2.0-Broken-Tutu-24b")
    assert (
        parsed.base_name,
        parsed.size,
        [(e.value, e.position, e.inferred_type) for e in parsed.extras],
    ) == (
        "ReadyArt/4.2.0-Broken-Tutu",
        "24B",
        [],
    )  # anchored at the very start: an author before it keeps it in the base
    parsed = parse_text_model_name("4.2.0-Broken-Tutu-24b")
    assert (parsed.base_name, [(e.value, e.position, e.inferred_type) for e in parsed.extras]) == (
        "Broken-Tutu",
        [("4.2.0", 0, "LEADING_VERSION")],
    )


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("koboldcpp/magnum-v4-12b-Q4_K_M", ("koboldcpp/magnum", "12B", None, "Q4_K_M", "v4")),
        ("bigscience/bloom-7b1", ("bigscience/bloom", "7B1", None, None, None)),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", ("mistralai/Mixtral", "8X7B", "Instruct", None, "v0.1")),
        (
            "TehVenom/MPT-7b-Chat-Instruct-LongCTX-Merge",
            ("TehVenom/MPT-Instruct-LongCTX-Merge", "7B", "Chat", None, None),
        ),
        ("gpt2", ("gpt2", None, None, None, None)),
        ("   ", ("   ", None, None, None, None)),  # nothing left: the name as given
        (
            "google/gemma-4-12B-it-qat-q4_0-unquantized",
            ("google/gemma-4-it-qat-unquantized", "12B", None, "Q4_0", None),
        ),
    ],
)
def test_examples(name, parts):
    parsed = parse_text_model_name(name)
    assert tuple(getattr(parsed, f) for f in FIELDS) == parts


def test_sizes_sort_by_parameter_count():
    sizes = ["7B1", "560M", "8X22B", "1B7", "3B", "8X7B", "123B", "32K", "x"]
    assert sorted(sizes, key=size_sort_key) == [
        "32K",
        "560M",
        "1B7",
        "3B",
        "7B1",
        "8X7B",
        "123B",
        "8X22B",
        "x",
    ]
