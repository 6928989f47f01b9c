"""Name matching (AI-Horde names -> records) and its figures: pure, on the realistic payloads."""

import pytest

from apps.analytics.matching import NameIndex, Usage, match_usage, size_key
from apps.horde.client import ModelStats, ModelStatus, Worker
from tests.analytics.horde_payloads import STATS_TEXT, STATUS_TEXT, WORKERS_TEXT

TEXT_RECORDS = [
    "anthracite-org/magnum-v4-12b",
    "anthracite-org/magnum-v4-22b",
    "anthracite-org/magnum-v4-72b",
    "meta-llama/Meta-Llama-3.1-8B-Instruct",
    "ReadyArt/Broken-Tutu-24B",
    "Sao10K/L3-8B-Stheno-v3.1",
    "Sao10K/L3-8B-Stheno-v3.2",
    "gpt2",
]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("koboldcpp/magnum-v4-12b-Q4_K_M", "koboldcpp/magnum-v4-12b"),
        ("koboldcpp/magnum-v4-22b-Q8_0", "koboldcpp/magnum-v4-22b"),
        ("koboldcpp/meta-llama-3.1-8b-instruct-gguf", "koboldcpp/meta-llama-3.1-8b-instruct"),
        ("aphrodite/anthracite-org/magnum-v4-12b", "aphrodite/magnum-v4-12b"),
        ("SomeOrg/Model-7B_fp16", "model-7b"),
        ("Model-7B-Q4", "model-7b"),
        ("Model-Q4_K_M-GGUF", "model-q4_k_m"),  # one suffix only
        ("Plain Image Model", "plain image model"),
    ],
)
def test_size_key_drops_one_quantisation_suffix_and_the_author(name, key):
    assert size_key(name) == key


def test_names_belong_to_their_own_record_never_to_another_size_or_version():
    index = NameIndex([*TEXT_RECORDS, "Anything v3"])
    assert index.records_for("koboldcpp/magnum-v4-12b-Q4_K_M") == ["anthracite-org/magnum-v4-12b"]
    assert index.records_for("KOBOLDCPP/Magnum-V4-12B") == ["anthracite-org/magnum-v4-12b"]
    assert index.records_for("koboldcpp/magnum-v4-22b-Q8_0") == ["anthracite-org/magnum-v4-22b"]
    assert index.records_for("koboldcpp/L3-8B-Stheno-v3.2") == ["Sao10K/L3-8B-Stheno-v3.2"]
    assert index.records_for("anything v3") == ["Anything v3"]
    assert index.records_for("koboldcpp/magnum-v4-32b") == []
    assert index.records_for("koboldcpp/Totally-Unknown-13B-Q5_K_M") == []


def test_a_name_two_records_claim_counts_for_both():
    index = NameIndex(["AuthorA/Same-7B", "AuthorB/Same-7B"])
    assert index.records_for("koboldcpp/Same-7B") == ["AuthorA/Same-7B", "AuthorB/Same-7B"]
    assert index.records_for("aphrodite/AuthorB/Same-7B") == ["AuthorB/Same-7B"]


def _text_match():
    statuses = [
        ModelStatus(e["name"], e["count"], e["performance"], e["queued"], e["jobs"], e["eta"])
        for e in STATUS_TEXT
    ]
    workers = [Worker(id=w["id"], name=w["name"], models=tuple(w["models"])) for w in WORKERS_TEXT]
    return match_usage(TEXT_RECORDS, statuses, ModelStats(**STATS_TEXT), workers)


def _usage(*names):
    return Usage(*(sum(STATS_TEXT[p].get(n, 0) for n in names) for p in ("day", "month", "total")))


def test_a_record_sums_its_backends_and_quantisations_and_keeps_per_backend_figures():
    matches, _ = _text_match()
    magnum = matches["anthracite-org/magnum-v4-12b"]
    names = [
        "aphrodite/anthracite-org/magnum-v4-12b",
        "koboldcpp/magnum-v4-12b",
        "koboldcpp/magnum-v4-12b-Q4_K_M",
    ]
    assert magnum.figures.usage == _usage(*names)
    assert magnum.figures.status.name == "koboldcpp/magnum-v4-12b"  # 5 workers: the largest variant
    assert magnum.figures.worker_count == 5
    assert list(magnum.backends) == ["aphrodite", "koboldcpp"]
    assert magnum.backends["aphrodite"].usage == _usage(names[0])
    assert magnum.backends["aphrodite"].worker_count == 2
    assert magnum.backends["koboldcpp"].usage == _usage(*names[1:])
    assert magnum.backends["koboldcpp"].status.name == "koboldcpp/magnum-v4-12b"
    assert [w.name for w in magnum.workers] == ["text-worker-04", "text-worker-05"]


def test_other_sizes_and_versions_are_their_own_records():
    matches, _ = _text_match()
    assert matches["anthracite-org/magnum-v4-22b"].figures.usage == _usage("koboldcpp/magnum-v4-22b-Q8_0")
    assert matches["anthracite-org/magnum-v4-72b"].figures.usage == _usage("anthracite-org/magnum-v4-72b")
    assert "Sao10K/L3-8B-Stheno-v3.1" not in matches  # upstream gave it v3.2's usage
    llama = matches["meta-llama/Meta-Llama-3.1-8B-Instruct"]
    assert llama.figures.usage == _usage(
        "koboldcpp/Meta-Llama-3.1-8B-Instruct",
        "aphrodite/meta-llama/Meta-Llama-3.1-8B-Instruct",
        "koboldcpp/meta-llama-3.1-8b-instruct-gguf",
    )
    assert (
        matches["gpt2"].figures.usage == _usage("koboldcpp/gpt2") and matches["gpt2"].figures.status is None
    )


def test_names_no_record_claims_are_kept_with_their_figures():
    _, unknown = _text_match()
    names = {u.name: u for u in unknown}
    assert set(names) == {
        "koboldcpp/Totally-Unknown-13B-Q5_K_M",
        "aphrodite/SomeOrg/Not-In-Reference-70B",
        "koboldcpp/c4ai-command-r-plus",  # its record is not in this small reference
    }
    totally = names["koboldcpp/Totally-Unknown-13B-Q5_K_M"]
    assert totally.figures.worker_count == 1 and totally.figures.usage == _usage(totally.name)
    assert totally.worker_ids == ["5b1f0c7e-0000-4000-8000-000000000007"]
