"""Byte-exact JSON documents: read a `{key: record}` file with its formatting, write it back.

A legacy file is hand-edited: tabs in one file, CRLF in another, a record indented with spaces in
the middle of a tab-indented file. We keep a file-wide *profile* (indent unit, line ending, what
follows the last record, ASCII escaping, the text of an empty document) and, only for records
whose text the profile does not reproduce, a per-record *layout*: the whitespace between each
pair of JSON tokens. A record rendered with its layout gives back its original bytes; if its
value changed but kept the same token structure (a new description, a new hash) the layout still
applies, so an edit changes one line of the file, not the whole record. A record whose structure
changed is rendered with the profile.

Pure functions; no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

_TOKEN = re.compile(
    r'[ \t\r\n]*("(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}\[\]:,])'
)
_STRUCTURAL = frozenset("{}[]:,")
_INDENT_CANDIDATES = ("    ", "\t", "  ")


class JsonLayoutError(ValueError):
    """The text is not a JSON object or array document."""


@dataclass(frozen=True)
class JsonProfile:
    indent: str = "    "
    newline: str = "\n"
    ensure_ascii: bool = True
    closing: str = "\n"  # whitespace before the final closing bracket of a non-empty document
    tail: str = "\n"  # bytes after the document
    empty: str = "{}"  # the whole document when it has no record, e.g. "[\r\n]"
    head: str = ""  # whitespace before the opening bracket

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> JsonProfile:
        return cls(**data) if data else cls()


@dataclass(frozen=True)
class Layout:
    """The whitespace around every token of one `"key": value` member, and its token shape."""

    shape: str  # the structural tokens in order, e.g. '{:[,]}', to detect a structural change
    gaps: tuple[str, ...]  # len(tokens) + 1 strings: before each token, then after the last

    def to_dict(self) -> dict:
        return {"shape": self.shape, "gaps": list(self.gaps)}

    @classmethod
    def from_dict(cls, data: dict | None) -> Layout | None:
        return cls(data["shape"], tuple(data["gaps"])) if data else None


@dataclass(frozen=True)
class Member:
    key: str
    value: object
    layout: Layout | None = None  # None: the profile renders it exactly


@dataclass(frozen=True)
class ParsedDocument:
    profile: JsonProfile
    members: list[Member]
    container: str  # "{" or "["


# --- tokens -------------------------------------------------------------------------------------


def _tokenize(text: str) -> tuple[list[str], list[str], str]:
    """Tokens, the whitespace before each, and the text after the last token."""
    tokens: list[str] = []
    gaps: list[str] = []
    pos = 0
    match = _TOKEN.match
    while (found := match(text, pos)) is not None:
        gaps.append(text[pos : found.start(1)])
        tokens.append(found.group(1))
        pos = found.end()
    return tokens, gaps, text[pos:]


def _value_tokens(value: object, ensure_ascii: bool) -> Iterator[str]:
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            if index:
                yield ","
            yield json.dumps(key, ensure_ascii=ensure_ascii)
            yield ":"
            yield from _value_tokens(item, ensure_ascii)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _value_tokens(item, ensure_ascii)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=ensure_ascii)


def _member_tokens(key: str, value: object, ensure_ascii: bool) -> list[str]:
    return [json.dumps(key, ensure_ascii=ensure_ascii), ":", *_value_tokens(value, ensure_ascii)]


def _shape(tokens: Iterable[str]) -> str:
    return "".join(token for token in tokens if token in _STRUCTURAL)


# --- rendering ----------------------------------------------------------------------------------


def render_member(key: str, value: object, profile: JsonProfile, layout: Layout | None = None) -> str:
    """One `"key": value` member at depth 1, with the whitespace that precedes it."""
    if layout is not None:
        tokens = _member_tokens(key, value, profile.ensure_ascii)
        if len(tokens) + 1 == len(layout.gaps) and _shape(tokens) == layout.shape:
            return (
                "".join(gap + token for gap, token in zip(layout.gaps, tokens, strict=False))
                + layout.gaps[-1]
            )
    lead = profile.newline + profile.indent
    body = json.dumps(value, indent=profile.indent, ensure_ascii=profile.ensure_ascii)
    if profile.newline != "\n" or profile.indent:
        body = body.replace("\n", lead)
    return f"{lead}{json.dumps(key, ensure_ascii=profile.ensure_ascii)}: {body}"


def render_document(members: Iterable[Member], profile: JsonProfile) -> str:
    """A whole `{key: value}` document; an empty one is the profile's empty text."""
    parts = [render_member(m.key, m.value, profile, m.layout) for m in members]
    if not parts:
        return profile.empty + profile.tail
    return profile.head + "{" + ",".join(parts) + profile.closing + "}" + profile.tail


def dumps_document(data: dict, profile: JsonProfile | None = None) -> str:
    """Render a plain dict with a profile (no per-member layouts)."""
    profile = profile or JsonProfile()
    return render_document((Member(k, v) for k, v in data.items()), profile)


# --- parsing ------------------------------------------------------------------------------------


def parse_document(text: str) -> ParsedDocument:
    """Split a JSON object document into members with the layout each needs to render exactly.

    Raises JsonLayoutError when the text is not JSON or its top level is not an object (an empty
    array is accepted: the image repo's `lora.json` is `[]`).
    """
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_top_keys)
    except json.JSONDecodeError as exc:
        raise JsonLayoutError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    tokens, gaps, tail = _tokenize(text)
    if isinstance(data, list):
        if data:
            raise JsonLayoutError("the top level is a non-empty array, expected an object of records")
        profile = JsonProfile(
            newline=_newline(text), tail=tail, empty="".join(g + t for g, t in zip(gaps, tokens, strict=True))
        )
        return ParsedDocument(profile, [], "[")
    if not isinstance(data, dict):
        raise JsonLayoutError("the top level is not an object of records")
    if not data:
        profile = JsonProfile(
            newline=_newline(text), tail=tail, empty="".join(g + t for g, t in zip(gaps, tokens, strict=True))
        )
        return ParsedDocument(profile, [], "{")
    spans = _member_spans(tokens)
    closing = gaps[-1]
    ensure_ascii = text.isascii()
    newline = _newline(text)
    raw_members = []
    for (start, end), (key, value) in zip(spans, data.items(), strict=True):
        trailing = gaps[end] if tokens[end] == "," else ""  # the gap before "}" is the profile's
        member_gaps = [*gaps[start:end], trailing]
        raw_members.append((key, value, tokens[start:end], member_gaps))
    best: tuple[int, JsonProfile, list[Member]] | None = None
    for indent in _INDENT_CANDIDATES:
        profile = JsonProfile(indent, newline, ensure_ascii, closing, tail, "{}", gaps[0])
        members = []
        exact = 0
        for key, value, member_tokens, member_gaps in raw_members:
            original = (
                "".join(g + t for g, t in zip(member_gaps, member_tokens, strict=False)) + member_gaps[-1]
            )
            if render_member(key, value, profile) == original:
                members.append(Member(key, value))
                exact += 1
            else:
                members.append(Member(key, value, Layout(_shape(member_tokens), tuple(member_gaps))))
        if best is None or exact > best[0]:
            best = (exact, profile, members)
    assert best is not None
    return ParsedDocument(best[1], best[2], "{")


def _no_duplicate_top_keys(pairs: list[tuple[str, object]]) -> dict:
    # Called for every object, innermost first; a repeated key anywhere would make the file's
    # meaning depend on the parser, so it is refused.
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise JsonLayoutError(f"duplicate key {key!r}")
        seen.add(key)
    return dict(pairs)


def _member_spans(tokens: list[str]) -> list[tuple[int, int]]:
    """(first token, one past the last token) of each depth-1 member; the trailing comma excluded."""
    spans = []
    depth = 0
    start = 1
    for index, token in enumerate(tokens):
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                spans.append((start, index))
        elif token == "," and depth == 1:
            spans.append((start, index))
            start = index + 1
    return spans


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
