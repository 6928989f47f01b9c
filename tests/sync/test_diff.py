"""The pure diff behind PR titles and bodies: what a reviewer reads."""

import json

from apps.sync import diff

CSV_HEADER = "name,parameters_bn,display_name,url,baseline,description,style,tags,instruct_format,settings\n"


def doc(**records) -> str:
    return json.dumps(records, indent=4)


def test_records_added_removed_and_modified_with_their_changed_fields():
    old = doc(
        a={"name": "a", "nsfw": False}, b={"name": "b", "config": {"download": [1], "files": [2]}}, c={}
    )
    new = doc(
        b={"name": "b", "config": {"download": [9], "files": [2]}, "style": "anime"}, c={}, d={"name": "d"}
    )
    result = diff.file_diff("stable_diffusion.json", "image_generation", old, new)
    assert result.added == ("d",)
    assert result.removed == ("a",)
    assert result.modified == (diff.ModelChange("b", ("config.download", "style")),)
    assert result.note == ""


def test_formatting_only_changes_say_so():
    old = '{"a": {"name": "a"}}'
    new = '{\n    "a": {\n        "name": "a"\n    }\n}\n'
    assert diff.file_diff("clip.json", "clip", old, new).note == "formatting only: no model changed"


def test_an_empty_legacy_file_may_be_a_list_and_a_new_file_lists_everything():
    assert diff.file_diff("lora.json", "lora", "[]\r\n", "{}\n").note == "formatting only: no model changed"
    assert diff.file_diff("x.json", None, None, doc(a={}, b={})).added == ("a", "b")


def test_an_unreadable_repository_file_is_reported_not_fatal():
    result = diff.file_diff("clip.json", "clip", "{broken", doc(a={}))
    assert result.note.startswith("the repository's file is not readable as records (Expecting property name")
    assert result.record_changes == 0


def test_models_csv_is_compared_by_name_and_column():
    old = CSV_HEADER + "x/A-7B,7,,u,,old,,,,\nx/B-7B,7,,u,,,,,,\nx/B-7B,7,,u,,later,,,,\n"
    new = CSV_HEADER + "x/A-7B,7,,u,,new,,,,\nx/B-7B,7,,u,,later,,,,\nx/C-3B,3,,u,,,,,,\n"
    result = diff.file_diff("models.csv", "text_generation", old, new)
    assert result.added == ("x/C-3B",)
    assert result.modified == (diff.ModelChange("x/A-7B", ("description",)),)
    assert result.note == ""  # the repeated x/B-7B row is no model change


def test_db_json_changed_with_models_csv_is_only_said_to_be_regenerated():
    csv_diff = diff.FileDiff("models.csv", "text_generation", modified=(diff.ModelChange("m", ("url",)),))
    db_diff = diff.FileDiff("db.json", "text_generation", modified=(diff.ModelChange("m", ("url",)),) * 3)
    collapsed = diff.collapse_derived([csv_diff, db_diff])
    assert collapsed == [
        csv_diff,
        diff.FileDiff("db.json", "text_generation", note="regenerated from models.csv"),
    ]
    assert diff.collapse_derived([db_diff]) == [db_diff]  # alone, db.json's own changes are listed


def test_title_body_and_commit_message():
    diffs = [
        diff.FileDiff("clip.json", "clip", added=("n`ew",)),
        diff.FileDiff(
            "stable_diffusion.json",
            "image_generation",
            removed=("gone",),
            modified=(diff.ModelChange("m", ("nsfw",)),),
        ),
    ]
    assert diff.pr_title(diffs) == "Sync 2 categories from HMR: 1 added, 1 removed, 1 modified"
    body = diff.pr_body(diffs, branch="hmr/sync")
    assert "**1 added, 1 removed, 1 modified** in 2 file(s)." in body
    assert "### `clip.json` (clip)\n\n- **Added (1):** `n'ew`\n" in body
    assert "- **Removed (1):** `gone`\n- **Modified (1):**\n  - `m`: `nsfw`\n" in body
    assert "branch `hmr/sync` is force-pushed when the reference changes" in body
    assert body == diff.pr_body(diffs, branch="hmr/sync")  # deterministic: no dates
    assert diff.commit_message(diffs).splitlines()[2:] == [
        "clip.json: 1 added, 0 removed, 0 modified",
        "stable_diffusion.json: 0 added, 1 removed, 1 modified",
    ]


def test_long_lists_are_capped_and_the_body_fits_github():
    many = tuple(f"model-{i:04}" + "x" * 200 for i in range(2000))
    body = diff.pr_body(
        [diff.FileDiff("models.csv", "text_generation", added=many, removed=many)], branch="b"
    )
    assert f"… and {2000 - diff.MAX_NAMES} more" in body
    assert len(body) < 65_536
