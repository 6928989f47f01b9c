"""One hand-written file per shape the image repo's files have held (or could hold, as JSON):
each is read, exported back byte for byte, and its v2 view is what v2 can express.

The shapes are catalogued in /work/notes/legacy-shapes/shapes.md; the files here are written
for these tests (small, with the features of the real ones), not copied from the repos.
"""

import json

import pytest

from apps.catalog.categories import Category
from apps.catalog.formats import bundle, legacy, render
from apps.catalog.formats.v2 import LEGACY_KEY
from tests.catalog.fidelity.helpers import export_image, stored, v2_records


def lines(*rows: str, newline: str = "\n", end: str = "\n") -> str:
    return newline.join(rows) + end


HF_CLIP = lines(
    "{",
    '    "ViT-big": {',
    '\t\t"name": "ViT-big",',
    '\t\t"pretrained_name": "laion2b",',
    '\t\t"type": "open_clip",',
    '\t\t"config": {',
    '\t\t\t"files": [ { "path": "models--laion--big/" } ],',
    '\t\t\t"download": [',
    '\t\t\t\t{ "file_name": "main", "file_path": "models--laion--big/refs", "file_content": "0118" },',
    '\t\t\t\t{ "file_name": "0d53", "file_path": "models--laion--big/blobs", '
    '"file_url": "https://huggingface.co/laion/big/resolve/main/model.bin" },',
    '\t\t\t\t{ "file_name": "model.bin", "file_path": "models--laion--big/snapshots/0118", '
    '"symlink": "models--laion--big/blobs/0d53" }',
    "\t\t\t]",
    "\t\t},",
    '\t\t"available": false',
    "\t},",
    '\t"ViT-L-14": {',
    '\t\t"name": "ViT-L-14",',
    '\t\t"type": "clip",',
    '\t\t"config": {',
    '\t\t\t"files": [ { "path": "ViT-L-14.pt", "sha256sum": "ab12" } ],',
    '\t\t\t"download": [ { "file_name": "ViT-L-14.pt", "file_path": "", "file_url": "https://x.test/ViT-L-14.pt" } ]',
    "\t\t},",
    '\t\t"available": false',
    "\t}",
    "}",
)


def test_hugging_face_cache_records_are_kept_whole_and_v2_gets_only_real_downloads():
    parsed, exported = export_image("clip.json", HF_CLIP)
    assert exported == HF_CLIP
    v2 = v2_records(Category.CLIP, stored(parsed).records)
    # The directory has no download entry, and no files[] entry names the three cache entries.
    assert v2["ViT-big"]["config"] == {"download": []}
    assert v2["ViT-L-14"]["config"]["download"] == [
        {
            "file_name": "ViT-L-14.pt",
            "file_url": "https://x.test/ViT-L-14.pt",
            "sha256sum": "ab12",
            "known_slow_download": False,
        }
    ]


def test_editing_a_cache_record_keeps_its_config_entries_as_they_were():
    parsed, _ = export_image("clip.json", HF_CLIP)
    record = parsed.records[0]
    edited = {**record.data, "description": "OpenCLIP bigG."}
    out = legacy.legacy_from_data(Category.CLIP, edited)
    assert out["config"] == json.loads(HF_CLIP)["ViT-big"]["config"]
    assert out["description"] == "OpenCLIP bigG."


def test_a_files_entry_whose_download_has_no_url_stays_legacy_only():
    text = lines(
        "{",
        '    "c": {',
        '        "name": "c",',
        '        "config": {',
        '            "files": [',
        '                {"path": "main"},',
        '                {"path": "c.pt"}',
        "            ],",
        '            "download": [',
        '                {"file_name": "main", "file_path": "refs", "file_content": "0118"},',
        '                {"file_name": "c.pt", "file_path": "", "file_url": "https://x.test/c.pt"}',
        "            ]",
        "        }",
        "    }",
        "}",
    )
    parsed, exported = export_image("clip.json", text)
    assert exported == text
    downloads = v2_records(Category.CLIP, stored(parsed).records)["c"]["config"]["download"]
    assert [d["file_name"] for d in downloads] == ["c.pt"]


def test_changing_a_linked_url_keeps_the_unlinked_entries_in_their_place():
    text = lines(
        "{",
        '    "m": {',
        '        "name": "m",',
        '        "config": {',
        '            "files": [{"path": "dir/"}, {"path": "m.pt"}],',
        '            "download": [{"file_name": "extra", "symlink": "x"}, '
        '{"file_name": "m.pt", "file_path": "", "file_url": "https://x.test/old"}]',
        "        }",
        "    }",
        "}",
    )
    parsed, exported = export_image("clip.json", text)
    assert exported == text
    data = parsed.records[0].data
    data["config"]["download"][0]["file_url"] = "https://x.test/new"
    config = legacy.legacy_from_data(Category.CLIP, data)["config"]
    assert config == {
        "files": [{"path": "dir/"}, {"path": "m.pt"}],
        "download": [
            {"file_name": "extra", "symlink": "x"},
            {"file_name": "m.pt", "file_path": "", "file_url": "https://x.test/new"},
        ],
    }


def test_an_unknown_download_key_and_an_md5_only_file_survive():
    text = lines(
        "{",
        '\t"A": {',
        '\t\t"name": "A",',
        '\t\t"baseline": "stable diffusion 1",',
        '\t\t"type": "ckpt",',
        '\t\t"inpainting": false,',
        '\t\t"version": "1",',
        '\t\t"style": "generalist",',
        '\t\t"nsfw": false,',
        '\t\t"download_all": false,',
        '\t\t"config": {',
        '\t\t\t"files": [',
        '\t\t\t\t{"path": "a.ckpt", "md5sum": "d41d8cd98f00b204e9800998ecf8427e"},',
        '\t\t\t\t{"path": "b.ckpt"},',
        '\t\t\t\t{"path": "c.ckpt", "sha256sum": "ABCDEF"}',
        "\t\t\t],",
        '\t\t\t"download": [',
        '\t\t\t\t{"file_name": "a.ckpt", "file_path": "", "file_url": "https://x.test/a", "hf_auth": false},',
        '\t\t\t\t{"file_name": "b.ckpt", "file_path": "", "file_url": "https://x.test/b"},',
        '\t\t\t\t{"file_name": "c.ckpt", "file_path": "", "file_url": "https://x.test/c"}',
        "\t\t\t]",
        "\t\t},",
        '\t\t"available": false',
        "\t}",
        "}",
    )
    parsed, exported = export_image("stable_diffusion.json", text)
    assert exported == text
    downloads = v2_records(Category.IMAGE_GENERATION, stored(parsed).records)["A"]["config"]["download"]
    assert [d["sha256sum"] for d in downloads] == ["FIXME", "FIXME", "ABCDEF"]


@pytest.mark.parametrize(
    ("file_name", "category", "record_type"),
    [
        ("clip.json", Category.CLIP, "open_clip"),
        ("esrgan.json", Category.ESRGAN, "esrgan"),
        ("miscellaneous.json", Category.MISCELLANEOUS, "face_scanner"),
        ("controlnet.json", Category.CONTROLNET, "control_hough"),
    ],
)
def test_types_upstream_does_not_list_are_kept(file_name, category, record_type):
    text = lines(
        "{",
        '    "u": {',
        '        "name": "u",',
        f'        "type": "{record_type}",',
        '        "baseline": "none",',
        '        "description": "",',
        '        "config": {"files": [{"path": "u.pth"}], "download": [{"file_name": "u.pth", "file_path": "",'
        ' "file_url": "https://x.test/u.pth"}]}',
        "    }",
        "}",
    )
    parsed, exported = export_image(file_name, text)
    assert exported == text
    v2_records(category, stored(parsed).records)


LORA_IDS = "[\r\n    216190,\r\n    195519,\r\n    58390\r\n]\r\n"


@pytest.mark.parametrize(
    "text",
    [LORA_IDS, LORA_IDS.replace("58390\r\n]", "58390\r\n\r\n]"), "[]\r\n", "{\r\n}\r\n\r\n"],
    ids=["list of ids", "list with a blank line", "empty list", "empty object with a blank line"],
)
def test_lora_documents_are_kept_as_they_are(text):
    parsed, exported = export_image("lora.json", text)
    assert (exported, parsed.records, parsed.warnings) == (text, [], [])
    snapshot = stored(parsed)
    assert render.document_body(snapshot, render.V2) == b"{}"
    # v1 serves a list with content as it is, and upstream's {} for an empty document.
    expected_v1 = text.encode() if json.loads(text) else b"{}"
    assert render.document_body(snapshot, render.V1) == expected_v1


def test_a_served_category_whose_top_level_is_not_an_object_is_kept_and_said_so():
    text = '["a", "b"]\n'
    parsed, exported = export_image("controlnet.json", text)
    assert (exported, parsed.records) == (text, [])
    assert parsed.warnings == [
        "image/controlnet.json: the top level is an array, not an object of records; the file is kept as it "
        "is and controlnet has no records"
    ]


def test_mixed_indentation_line_endings_no_final_newline_and_inline_arrays():
    text = (
        "{\r\n"
        '    "a": {\r\n\t\t"name": "a",\r\n\t\t  "files": ["x", "y","z"],\r\n\t\t"type": "control_seg"\r\n\t  },\r\n'
        '\t"b": {\r\n\t\t"name": "b",\r\n\t\t"type": "control_seg"\r\n\t}\r\n'
        "}\n"
    )
    assert export_image("controlnet.json", text)[1] == text
    assert export_image("controlnet.json", text.rstrip("\n"))[1] == text.rstrip("\n")


STYLES_2023 = lines(
    "{",
    '\t"Colorbook": {',
    '\t\t"name": "Colorbook",',
    '\t\t"baseline": "stable diffusion 1",',
    '\t\t"type": "ckpt",',
    '\t\t"description": "Coloring book art.",',
    '\t\t"version": "1",',
    '\t\t"trigger": ["in VARPJ1 Coloring Book Art Style"],',
    '\t\t"style": "line art",',
    '\t\t"nsfw": false,',
    '\t\t"download_all": true,',
    '\t\t"config": {"files": [{"path": "c.ckpt"}], "download": [{"file_name": "c.ckpt", "file_path": "",'
    ' "file_url": "https://x.test/c.ckpt"}]},',
    '\t\t"available": false',
    "\t},",
    '\t"Unreal": {',
    '\t\t"name": "Unreal",',
    '\t\t"baseline": "stable diffusion 2",',
    '\t\t"type": "ckpt",',
    '\t\t"inpainting": false,',
    '\t\t"version": "1",',
    '\t\t"style": "realism",',
    '\t\t"nsfw": false,',
    '\t\t"config": {"files": [], "download": []}',
    "\t}",
    "}",
)


def test_2023_styles_stay_in_the_legacy_file_and_out_of_v2():
    parsed, exported = export_image("stable_diffusion.json", STYLES_2023)
    assert exported == STYLES_2023
    v2 = v2_records(Category.IMAGE_GENERATION, stored(parsed).records)
    assert ("style" in v2["Colorbook"], "style" in v2["Unreal"]) == (False, False)
    assert v2["Colorbook"]["trigger"] == ["in VARPJ1 Coloring Book Art Style"]
    assert (v2["Colorbook"]["baseline"], v2["Unreal"]["baseline"]) == (
        "stable_diffusion_1",
        "stable_diffusion_2_768",
    )
    # A moderator who sets a v2 style replaces the legacy one.
    data = {**parsed.records[0].data, "style": "artistic"}
    assert legacy.legacy_from_data(Category.IMAGE_GENERATION, data)["style"] == "artistic"


def test_key_order_missing_keys_and_odd_values_come_back():
    text = lines(
        "{",
        '    "Old": {',
        '        "name": "Old",',
        '        "type": "ckpt",',
        '        "trigger": ["old style"],',
        '        "style": "anime",',
        '        "min_bridge_version": 12,',
        '        "config": {"files": [], "download": []},',
        '        "download_all": false,',
        '        "showcases": [],',
        '        "inpainting": true,',
        '        "baseline": "stable diffusion 1"',
        "    },",
        '    "Flux": {',
        '        "name": "Flux",',
        '        "baseline": "flux_1",',
        '        "config": {',
        '            "download_url": "https://x.test/flux.safetensors",',
        '            "file_path": "flux.safetensors",',
        '            "file_name": "flux.safetensors",',
        '            "file_url": "https://x.test/flux.safetensors"',
        "        }",
        "    }",
        "}",
    )
    parsed, exported = export_image("stable_diffusion.json", text)
    assert exported == text
    v2 = v2_records(Category.IMAGE_GENERATION, stored(parsed).records)
    assert (v2["Old"]["min_bridge_version"], v2["Old"]["inpainting"]) == (12, True)
    assert v2["Flux"]["config"] == {"download": []}  # a flat config has no files[] to download


PROBE_TYPES = lines(
    "{",
    '    "P": {',
    '        "name": "P",',
    '        "baseline": "stable_diffusion_xl",',
    '        "version": 1,',
    '        "nsfw": "true",',
    '        "inpainting": "false",',
    '        "tags": "anime",',
    '        "min_bridge_version": "12",',
    '        "size_on_disk_bytes": "6938040682",',
    '        "description": null,',
    '        "homepage": null,',
    '        "requirements": [],',
    '        "config": {"files": "a.ckpt", "download": {"a.ckpt": "https://x.test/a"}, "extra": {"deep": [1, {"k": 2}]}}',
    "    }",
    "}",
)


def test_values_of_another_type_are_kept_raw_and_left_out_of_v2():
    parsed, exported = export_image("stable_diffusion.json", PROBE_TYPES)
    assert exported == PROBE_TYPES
    body = v2_records(Category.IMAGE_GENERATION, stored(parsed).records)["P"]
    # Nothing invented: no version, no size, no bridge version; booleans and lists at v2's default.
    assert {k: body.get(k) for k in ("version", "size_on_disk_bytes", "min_bridge_version")} == dict.fromkeys(
        ("version", "size_on_disk_bytes", "min_bridge_version")
    )
    assert (body["nsfw"], body["inpainting"], body["tags"], body["config"]) == (
        False,
        False,
        [],
        {"download": []},
    )
    assert parsed.records[0].data[LEGACY_KEY]["pinned"]["nsfw"] == [False, "true"]


def test_number_and_escape_spellings_json_dumps_would_change_are_kept():
    text = (
        '{\n    "A": {\n        "name": "A",\n        "description": "caf\\u00e9 or café, https:\\/\\/x.test\\/a",\n'
        '        "type": "clip",\n        "scale": 2.50,\n        "steps": 1e1,\n        "neg": -0,\n'
        '        "big": 1E+400\n    }\n}\n'
    )
    parsed, exported = export_image("clip.json", text)
    assert exported == text
    assert parsed.records[0].data["description"] == "café or café, https://x.test/a"
    # The raw spelling goes once the value changes; the rest of the record keeps its bytes.
    edited = {**parsed.records[0].data, "description": "new"}
    again = render.legacy_file(
        render.CategoryRecords(
            Category.CLIP, [render.StoredRecord("A", edited, parsed.records[0].layout)], parsed.profile
        )
    )
    assert again == text.replace('"caf\\u00e9 or café, https:\\/\\/x.test\\/a"', '"new"')


def test_unknown_keys_at_any_depth_and_nulls_come_back():
    text = lines(
        "{",
        '  "N": {',
        '    "name": "N",',
        '    "baseline": "stable_diffusion_xl",',
        '    "nsfw": false,',
        '    "features_not_supported": ["hires_fix"],',
        '    "requirements": {"clip_skip": 2, "samplers": ["k_euler"], "x": {"y": null}},',
        '    "config": {"files": [{"path": "n.safetensors", "file_type": "ckpt", "note": {"a": 1}}],'
        ' "download": [{"file_name": "n.safetensors", "file_path": "", "file_url": "https://civitai.com/api/download/1",'
        ' "mirror": null}], "order": 1},',
        '    "showcases": null,',
        '    "new_field": {"nested": [true, false, null]}',
        "  }",
        "}",
    )
    parsed, exported = export_image("stable_diffusion.json", text)
    assert exported == text
    download = v2_records(Category.IMAGE_GENERATION, stored(parsed).records)["N"]["config"]["download"][0]
    assert (download["file_purpose"], download["known_slow_download"]) == ("ckpt", True)


def test_non_category_files_of_the_image_repo_are_ignored():
    parsed = bundle.parse_legacy_files(
        {
            "model_mod_data.json": '{"A": {"commit_added": null}}\n',
            "db.json": "{\r\n}\r\n\r\n",
            "blip.json": "{}\n",
        },
        {},
    )
    assert [(p.category, p.absent) for p in parsed if not p.absent] == [(Category.BLIP, False)]
