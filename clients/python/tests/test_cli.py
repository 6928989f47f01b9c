"""`python -m hmr_client` / `hmr-client`: names, one record, a query, status, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hmr_client.cli import main


@pytest.fixture
def cli(fake, tmp_path, capsys):
    def run(*args):
        code = main(["--url", fake.url, "--cache-dir", str(tmp_path / "cache"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_names_and_one_record_with_a_slash_in_its_name(fake, cli):
    code, out, _ = cli("names", "text_generation")
    assert code == 0 and out.splitlines() == list(fake.documents["text_generation"])
    code, out, _ = cli("show", "text_generation", "anthracite-org/magnum-12b-v2")
    assert code == 0 and json.loads(out) == fake.documents["text_generation"]["anthracite-org/magnum-12b-v2"]


def test_a_query_prints_names_or_records(fake, cli):
    images = fake.documents["image_generation"]
    code, out, _ = cli(
        "query", "image_generation", "--where", "nsfw=false", "--where", "baseline=stable_diffusion_1",
        "--order-by", "name", "--desc",
    )  # fmt: skip
    expected = sorted(
        (n for n, r in images.items() if not r["nsfw"] and r["baseline"] == "stable_diffusion_1"),
        reverse=True,
    )
    assert code == 0 and out.splitlines() == expected
    code, out, _ = cli("query", "image_generation", "--tags-any", "realistic", "--limit", "1", "--json")
    first = next(n for n, r in images.items() if "realistic" in r["tags"])
    assert code == 0 and json.loads(out) == {first: images[first]}
    code, out, _ = cli("query", "text_generation", "--where", "parameters__gt=20000000000")
    assert out.splitlines() == [
        n for n, r in fake.documents["text_generation"].items() if r["parameters"] > 2e10
    ]


def test_categories_and_status(fake, cli):
    code, out, _ = cli("categories")
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        [c, str(len(d))] for c, d in fake.documents.items()
    ]
    code, out, _ = cli("status")  # a new process: the disk copies, confirmed by 304s
    assert code == 0 and len(out.splitlines()) == len(fake.documents)
    assert all("current" in line and "from disk" in line for line in out.splitlines())


def test_errors_are_one_line_and_exit_1(fake, cli):
    code, out, err = cli("show", "clip", "nope")
    assert (code, out, err) == (1, "", "hmr-client: Model 'nope' not found in category 'clip'\n")
    code, _, err = cli("query", "clip", "--where", "nsfw=false")
    assert code == 1 and err.startswith("hmr-client: Field 'nsfw' does not exist on ClipModelRecord")
    fake.stop()
    code, _, err = cli("--no-cache", "names", "esrgan")
    assert code == 1 and "esrgan: ConnectError" in err


def test_python_dash_m_runs_the_command(fake, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hmr_client",
            "--url",
            fake.url,
            "--cache-dir",
            str(tmp_path),
            "names",
            "clip",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.splitlines()) == (0, list(fake.documents["clip"]))
