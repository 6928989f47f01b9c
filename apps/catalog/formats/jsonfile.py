r"""Byte-exact JSON documents: read a `{key: record}` file with its formatting, write it back.

A legacy file is hand-edited: tabs in one file, CRLF in another, a record indented with spaces in
the middle of a tab-indented file. We keep a file-wide *profile* (indent unit, line ending, what
follows the last record, ASCII escaping, the text of a document without records) and, only for
records whose text the profile does not reproduce, a per-record *layout*: the whitespace between
each pair of JSON tokens, and the spelling of every token that `json.dumps` would write
differently (`2.50`, `1e1`, `"\/"`, a `\u00e9` in a UTF-8 file). A record rendered with its layout
gives back its original bytes; if its value changed but kept the same token structure (a new
description, a new hash) the layout still applies, so an edit changes one line of the file, not
the whole record; a raw spelling is used only while its token still says the same. A record
whose structure changed is rendered with the profile.

A document whose top level is not an object (the image repo's `lora.json` was a list of ids) has
no records: its whole text is kept as the profile's `empty` text and written back as it was.

Any JSON text parses and renders back byte for byte. Refused (JsonLayoutError, with line and
column): text that is not JSON, `NaN`/`Infinity`, a repeated key in one object, and a `\u`
escape that is half of a surrogate pair (not a character).

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
    """The text is not JSON (or not JSON every reader reads alike); the message says where."""


@dataclass(frozen=True)
class JsonProfile:
    indent: str = "    "
    newline: str = "\n"
    ensure_ascii: bool = True
    closing: str = "\n"  # whitespace before the final closing bracket of a non-empty document
    tail: str = "\n"  # bytes after the document
    empty: str = "{}"  # the whole document when it has no record, e.g. "[\r\n]" or a list of ids
    head: str = ""  # whitespace before the opening bracket

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> JsonProfile:
        return cls(**data) if data else cls()


@dataclass(frozen=True)
class Layout:
    """The whitespace around every token of one `"key": value` member, its token shape, and the
    tokens spelled otherwise than `json.dumps` spells them."""

    shape: str  # the structural tokens in order, e.g. '{:[,]}', to detect a structural change
    gaps: tuple[str, ...]  # len(tokens) + 1 strings: before each token, then after the last
    raw: tuple[tuple[int, str, str], ...] = ()  # (token index, json.dumps spelling, spelling in the file)

    def to_dict(self) -> dict:
        out: dict = {"shape": self.shape, "gaps": list(self.gaps)}
        if self.raw:
            out["raw"] = [list(item) for item in self.raw]
        return out

    @classmethod
    def from_dict(cls, data: dict | None) -> Layout | None:
        if not data:
            return None
        raw = tuple((index, canonical, spelled) for index, canonical, spelled in data.get("raw") or ())
        return cls(data["shape"], tuple(data["gaps"]), raw)


@dataclass(frozen=True)
class Member:
    key: str
    value: object
    layout: Layout | None = None  # None: the profile renders it exactly


@dataclass(frozen=True)
class ParsedDocument:
    profile: JsonProfile
    members: list[Member]
    container: str  # "{" (an object), "[" (an array) or "" (a string, number, boolean or null)
    blank: bool = False  # no content at all: `{}` or `[]`


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
            for index, canonical, spelled in layout.raw:
                if tokens[index] == canonical:  # the token still says what the file said
                    tokens[index] = spelled
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


def has_content(document: str) -> bool:
    """Whether a document without records says anything: not `{}`, `[]` (whatever the spacing)."""
    return json.loads(document) not in ({}, [])


def dumps_document(data: dict, profile: JsonProfile | None = None) -> str:
    """Render a plain dict with a profile (no per-member layouts)."""
    profile = profile or JsonProfile()
    return render_document((Member(k, v) for k, v in data.items()), profile)


# --- parsing ---------------------------------------------------------------------------------


def parse_document(text: str) -> ParsedDocument:
    """Split a JSON document into members with the layout each needs to render exactly.

    An object's members are its records; any other top level (an array, a string, a number,
    `null`) has none and is kept whole. Raises JsonLayoutError (with line and column) for text
    that is not JSON, a non-standard constant, a repeated key or a lone surrogate escape.
    """
    data = _loads(text)
    tokens, gaps, tail = _tokenize(text)
    if not isinstance(data, dict) or not data:
        container = "{" if isinstance(data, dict) else "[" if isinstance(data, list) else ""
        profile = JsonProfile(newline=_newline(text), tail=tail, empty=text[: len(text) - len(tail)])
        return ParsedDocument(profile, [], container, blank=data == [] or data == {})
    spans = _member_spans(tokens)
    closing = gaps[-1]
    ensure_ascii = text.isascii()
    newline = _newline(text)
    raw_members = []
    for (start, end), (key, value) in zip(spans, data.items(), strict=True):
        trailing = gaps[end] if tokens[end] == "," else ""  # the gap before "}" is the profile's
        member_gaps = [*gaps[start:end], trailing]
        member_tokens = tokens[start:end]
        original = "".join(g + t for g, t in zip(member_gaps, member_tokens, strict=False)) + member_gaps[-1]
        raw_members.append((key, value, original, member_tokens, member_gaps))
    best: tuple[int, JsonProfile, list[bool]] | None = None
    for indent in _INDENT_CANDIDATES:
        profile = JsonProfile(indent, newline, ensure_ascii, closing, tail, "{}", gaps[0])
        exact = [render_member(key, value, profile) == original for key, value, original, _, _ in raw_members]
        if best is None or sum(exact) > sum(best[2]):
            best = (sum(exact), profile, exact)
    assert best is not None
    _, profile, exact = best
    members = []
    for (key, value, _, member_tokens, member_gaps), rendered_exactly in zip(raw_members, exact, strict=True):
        if rendered_exactly:  # the profile writes it as it is: every token is spelled as json.dumps does
            members.append(Member(key, value))
            continue
        canonical = _member_tokens(key, value, ensure_ascii)
        raw = tuple(
            (index, token, spelled)
            for index, (token, spelled) in enumerate(zip(canonical, member_tokens, strict=True))
            if token != spelled
        )
        members.append(Member(key, value, Layout(_shape(member_tokens), tuple(member_gaps), raw)))
    return ParsedDocument(profile, members, "{")


class _Repeated(Exception):
    pass


class _Constant(Exception):
    pass


def _loads(text: str) -> object:
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise JsonLayoutError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except (_Repeated, _Constant) as exc:
        offset, message = _first_offence(text, repeated=isinstance(exc, _Repeated))
        line, column = _where(text, offset)
        raise JsonLayoutError(f"invalid JSON at line {line} column {column}: {message}") from None
    if _SURROGATE_ESCAPE.search(text):
        _check_surrogates(text, data)
    return data


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    # A key repeated in one object makes the file's meaning depend on the reader (Python keeps
    # the last value, others the first), so it is refused.
    if len({key for key, _ in pairs}) != len(pairs):
        raise _Repeated
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise _Constant(name)


def _first_offence(text: str, *, repeated: bool) -> tuple[int, str]:
    """Where the first repeated key (or bare NaN/Infinity) is, and what to say about it."""
    stack: list[set[str] | None] = []
    expect_key = False
    for found in _SCAN.finditer(text):
        token = found.group(1)
        if token in "{[":
            stack.append(set() if token == "{" else None)
            expect_key = token == "{"
        elif token in "}]":
            stack.pop()
        elif token == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif expect_key:
            key = json.loads(token)
            keys = stack[-1]
            assert keys is not None
            if repeated and key in keys:
                return found.start(1), f"the key {key!r} appears twice in one object"
            keys.add(key)
            expect_key = False
        elif not repeated and token in ("NaN", "Infinity", "-Infinity"):
            return found.start(1), f"{token} is not a JSON value"
    return 0, "not JSON"


_SCAN = re.compile(r'[ \t\r\n]*("(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^ \t\r\n{}\[\]:,"]+)')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # cheap first look; _LONE_SURROGATE decides
_LONE_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u(?:[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|[dD][c-fC-F][0-9a-fA-F]{2})"
)


def _check_surrogates(text: str, data: object) -> None:
    """Refuse a `\\udXXX` escape that is half of a surrogate pair: it is no character, and UTF-8
    (the files, the database, the API) cannot carry it."""
    for found in _LONE_SURROGATE.finditer(text):
        pair_start = found.end() - 6
        if pair_start >= 6 and re.fullmatch(
            r"\\u[dD][89abAB][0-9a-fA-F]{2}", text[pair_start - 6 : pair_start]
        ):
            continue  # the low half of a pair
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            line, column = _where(text, pair_start)
            raise JsonLayoutError(
                f"invalid JSON at line {line} column {column}: {text[pair_start : found.end()]} is half of a "
                "surrogate pair, not a character"
            ) from None
        return


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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
