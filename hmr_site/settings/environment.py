"""The environment, read with django-environ's typed getters, plus the checks it cannot express.

`env` parses (ints, floats, bools, lists, database URLs); the functions below add what environ
does not check (positive numbers, a fixed set of choices, a strict boolean, user ids, rates, http
URLs). Each raises `ImproperlyConfigured` with a message that names the variable.
"""

import ipaddress
import re

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# `env.bool` reads any word it does not know ("maybe") as false; these are the words we accept.
_BOOLEAN_WORDS = {"1", "true", "yes", "on", "0", "false", "no", "off", ""}
# A DRF throttle rate; DRF reads the first letter of the period.
_RATE = re.compile(r"0*[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def boolean(name: str, default: bool) -> bool:
    word = env.str(name, default=str(default)).strip().lower()
    if word not in _BOOLEAN_WORDS:
        raise ImproperlyConfigured(f"{name}={word!r} is not a boolean (use true or false).")
    return env.bool(name, default=default)


def positive_int(name: str, default: int, *, allow_zero: bool = False) -> int:
    return _positive(name, default, env.int, "integer", allow_zero)


def positive_float(name: str, default: float, *, allow_zero: bool = False) -> float:
    return _positive(name, default, env.float, "number", allow_zero)


def _positive(name: str, default, read, noun: str, allow_zero: bool):
    try:
        value = read(name, default=default)
    except ValueError as exc:
        article = "an" if noun == "integer" else "a"
        raise ImproperlyConfigured(f"{name} must be {article} {noun}, got {env.str(name)!r}.") from exc
    if value < 0 or (value == 0 and not allow_zero):
        kind = f"zero or a positive {noun}" if allow_zero else f"a positive {noun}"
        raise ImproperlyConfigured(f"{name} must be {kind}, got {value:g}.")
    return value


def choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, matched case-insensitively and returned as spelled there."""
    value = env.str(name, default=default).strip()
    spelled = {option.lower(): option for option in choices}
    if value.lower() not in spelled:
        raise ImproperlyConfigured(f"{name}={value!r} is not valid; expected one of {', '.join(choices)}.")
    return spelled[value.lower()]


def http_url(name: str, default: str) -> str:
    """An http(s) base URL, always ending in "/" so relative paths join under it."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not an http:// or https:// URL.")
    return value if value.endswith("/") else value + "/"


def user_ids(name: str) -> list[str]:
    """Comma-separated AI-Horde user ids (the digits after "#" in "Name#1234"), each once."""
    ids = [value for value in env.list(name, cast=str.strip, default=[]) if value]
    bad = [value for value in ids if not re.fullmatch(r"[0-9]+", value)]
    if bad:
        raise ImproperlyConfigured(
            f"{name} must list AI-Horde user ids (the digits after '#'), got {', '.join(map(repr, bad))}."
        )
    return list(dict.fromkeys(ids))


def throttle_rate(name: str, default: str) -> str:
    """A DRF throttle rate: `<requests>/<second|minute|hour|day>` (s, sec, m, min, h, hour, d, day)."""
    value = env.str(name, default=default).strip()
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like '30/minute'.")
    return value


def time_of_day(name: str, default: str) -> tuple[int, int]:
    """`HH:MM` (24-hour, UTC) as (hour, minute)."""
    value = env.str(name, default=default).strip()
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", value)
    if not match:
        raise ImproperlyConfigured(f"{name}={value!r} is not a time of day like '01:30' (UTC).")
    return int(match.group(1)), int(match.group(2))


def networks(name: str) -> list[str]:
    """Comma-separated IP networks (`10.1.2.0/24`, `127.0.0.1`, `fd00::/8`), each once."""
    spelled = [value for value in env.list(name, cast=str.strip, default=[]) if value]
    bad = []
    for value in spelled:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            bad.append(value)
    if bad:
        raise ImproperlyConfigured(f"{name} must list IP networks, got {', '.join(map(repr, bad))}.")
    return list(dict.fromkeys(spelled))
