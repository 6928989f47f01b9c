"""import_references --github --ref: a past state of the legacy repos, through a fake raw host."""

import json
import re
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

from apps.catalog.models import ModelRecord

pytestmark = pytest.mark.django_db

RAW = "https://raw.test/"
IMAGE_REPO = "Haidra-Org/AI-Horde-image-model-reference"
TEXT_REPO = "Haidra-Org/AI-Horde-text-model-reference"


@pytest.fixture
def raw_host(settings, legacy_history_dir, legacy_dir):
    """GitHub's raw host: the image and text repos at a few refs (states read from ../shared)."""
    settings.HMR_GITHUB_RAW_BASE = RAW
    states = {
        "abc1234": legacy_history_dir / "2024-spring",
        "main": legacy_dir,
        "v2025.10": legacy_history_dir / "2025-autumn",
    }
    served = []

    def answer(request):
        match = re.fullmatch(re.escape(RAW) + r"(Haidra-Org/[^/]+)/(.+)/([^/]+)", request.url)
        repo, ref, name = match.groups()
        root = states.get(ref.removeprefix("refs/heads/"))
        folder = "image" if repo == IMAGE_REPO else "text"
        path = root / folder / name if root else None
        served.append((repo, ref, name))
        if path is None or not path.is_file():
            return 404, {}, "404: Not Found"
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, path.read_bytes()

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, re.compile(re.escape(RAW) + ".*"), callback=answer)
        yield served


def run(*args) -> str:
    out = StringIO()
    call_command("import_references", *args, stdout=out)
    return out.getvalue()


def test_ref_reads_both_repositories_at_that_state(raw_host, legacy_history_dir, tmp_path):
    output = run("--github", "--ref", "abc1234")
    root = legacy_history_dir / "2024-spring"
    call_command("export_references", "--format", "legacy", "--out", str(tmp_path), verbosity=0)
    for path in [*sorted(root.glob("image/*.json")), root / "text/models.csv", root / "text/db.json"]:
        if path.name == "stable_diffusion.schema.json":
            continue
        relative = path.relative_to(root)
        assert (tmp_path / relative).read_bytes() == path.read_bytes(), relative
    assert {ref for _, ref, _ in raw_host} == {"abc1234"}
    assert ("Haidra-Org/AI-Horde-text-model-reference", "abc1234", "db.json") in raw_host
    assert "Imported from github (image@abc1234, text@abc1234)" in output
    # The state has no miscellaneous.json (404): that category is not part of the import.
    assert (
        "image/miscellaneous.json is not in this source: miscellaneous is left as it is (0 record(s))"
        in output
    )


def test_each_repository_can_have_its_own_ref(raw_host, legacy_history_dir):
    run("--image-ref", "abc1234", "--text-ref", "v2025.10")
    assert {(repo, ref) for repo, ref, _ in raw_host} == {(IMAGE_REPO, "abc1234"), (TEXT_REPO, "v2025.10")}
    rows = (legacy_history_dir / "2025-autumn/text/models.csv").read_bytes().decode().split("\r\n")[1:-1]
    assert ModelRecord.objects.filter(category="text_generation").count() == len(
        {r.split(",")[0] for r in rows}
    )


def test_without_a_ref_the_branch_heads_are_read(raw_host, legacy_dir):
    run("--github")
    assert {ref for _, ref, _ in raw_host} == {"refs/heads/main"}
    assert ModelRecord.objects.count() == 913


def test_a_dry_run_shows_what_the_ref_would_change_and_writes_nothing(
    raw_host, legacy_dir, legacy_history_dir
):
    run("--legacy", str(legacy_dir))
    before = list(ModelRecord.objects.order_by("id").values_list("name", "version"))
    output = run("--ref", "abc1234", "--dry-run")
    assert list(ModelRecord.objects.order_by("id").values_list("name", "version")) == before
    assert "Dry run from github (image@abc1234, text@abc1234):" in output
    today = [
        r["name"] for r in json.loads((legacy_dir / "image/stable_diffusion.json").read_bytes()).values()
    ]
    spring = {
        r["name"]
        for r in json.loads(
            (legacy_history_dir / "2024-spring/image/stable_diffusion.json").read_bytes()
        ).values()
    }
    gone = [name for name in today if name not in spring]
    shown = ", ".join(gone[:20]) + (f" … and {len(gone) - 20} more" if len(gone) > 20 else "")
    assert f"image_generation would be deleted ({len(gone)}): {shown}" in output.splitlines()


def test_a_ref_that_does_not_exist_is_reported_and_nothing_is_written(raw_host):
    with pytest.raises(CommandError) as caught:
        run("--ref", "nope")
    assert str(caught.value) == (
        f"Nothing imported. {IMAGE_REPO} has no stable_diffusion.json at ref 'nope' (GitHub answered 404 for "
        f"{RAW}{IMAGE_REPO}/nope/stable_diffusion.json); is the ref right?"
    )
    assert ModelRecord.objects.count() == 0


def test_a_ref_goes_with_github_only(db, legacy_dir):
    with pytest.raises(CommandError, match="--ref, --image-ref and --text-ref read the GitHub repositories"):
        run("--legacy", str(legacy_dir), "--ref", "abc1234")
