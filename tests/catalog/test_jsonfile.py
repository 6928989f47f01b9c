"""The byte-exact JSON writer: every real legacy file, edits that keep the file's formatting."""

import json

import pytest

from apps.catalog.formats.jsonfile import (
    JsonLayoutError,
    JsonProfile,
    Member,
    dumps_document,
    parse_document,
    render_document,
)

REAL_FILES = [
    "image/blip.json",
    "image/clip.json",
    "image/codeformer.json",
    "image/controlnet.json",
    "image/esrgan.json",
    "image/gfpgan.json",
    "image/lora.json",
    "image/miscellaneous.json",
    "image/safety_checker.json",
    "image/stable_diffusion.json",
    "text/db.json",
]


def read(path):
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("relative", REAL_FILES)
def test_every_real_file_renders_back_to_its_bytes(legacy_dir, relative):
    text = read(legacy_dir / relative)
    document = parse_document(text)
    assert render_document(document.members, document.profile).encode() == text.encode()


def test_profiles_found_in_the_real_files(legacy_dir):
    sd = parse_document(read(legacy_dir / "image/stable_diffusion.json"))
    assert sd.profile == JsonProfile(indent="    ", newline="\n", ensure_ascii=True, closing="\n", tail="\n")
    assert all(m.layout is None for m in sd.members)  # a regular file needs no per-record layout
    controlnet = parse_document(read(legacy_dir / "image/controlnet.json"))
    assert (controlnet.profile.indent, controlnet.profile.newline) == ("\t", "\r\n")
    lora = parse_document(read(legacy_dir / "image/lora.json"))
    assert (lora.container, lora.members, lora.profile.empty, lora.profile.tail) == (
        "[",
        [],
        "[\r\n]",
        "\r\n",
    )


def test_a_changed_value_keeps_the_records_odd_whitespace(legacy_dir):
    text = read(legacy_dir / "image/clip.json")
    document = parse_document(text)
    odd = next(m for m in document.members if m.layout is not None)
    edited = dict(odd.value, available=True)
    members = [Member(m.key, edited if m is odd else m.value, m.layout) for m in document.members]
    out = render_document(members, document.profile)
    before, after = text.splitlines(), out.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('\t\t"available": false', '\t\t"available": true')]


def test_a_structural_change_renders_the_record_with_the_file_profile(legacy_dir):
    document = parse_document(read(legacy_dir / "image/clip.json"))
    odd = next(m for m in document.members if m.layout is not None)
    edited = dict(odd.value, tags=["new"])
    out = render_document([Member(odd.key, edited, odd.layout)], document.profile)
    assert out == "{" + render_document([Member(odd.key, edited)], document.profile)[1:]
    assert '\n\t\t"tags": [\n\t\t\t"new"\n\t\t]' in out


def test_dumps_document_matches_json_dumps_indent_4():
    data = {"a": {"b": [1, 2.5, "é"], "c": {}}, "d": []}
    assert dumps_document(data) == json.dumps(data, indent=4) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes"),
        (
            '{"a": {"name": "a"},\n "a": {"name": "b"}}',
            "invalid JSON at line 2 column 2: the key 'a' appears twice in one object",
        ),
        (
            '{"a": {"n": 1, "n": 2}}',
            "invalid JSON at line 1 column 16: the key 'n' appears twice in one object",
        ),
        ('{"a": {"n": NaN}}', "invalid JSON at line 1 column 13: NaN is not a JSON value"),
        (
            '{"a": "\\ud800"}',
            "invalid JSON at line 1 column 8: \\ud800 is half of a surrogate pair, not a character",
        ),
    ],
)
def test_bad_documents_are_refused(text, message):
    with pytest.raises(JsonLayoutError) as caught:
        parse_document(text)
    assert str(caught.value) == message
