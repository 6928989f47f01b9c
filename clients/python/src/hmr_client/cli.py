"""`hmr-client` / `python -m hmr_client`: quick looks at the reference from a shell.

    hmr-client categories
    hmr-client names text_generation
    hmr-client show text_generation anthracite-org/magnum-12b-v2
    hmr-client query image_generation --where baseline=stable_diffusion_xl --where nsfw=false \\
        --order-by size_on_disk_bytes --desc --limit 5
    hmr-client status

The server is `--url` (or $HMR_URL, else the public one); the disk cache is shared with programs
using the library on the same machine (`--cache-dir`, `--no-cache`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from hmr_client.categories import SERVED, Category
from hmr_client.errors import HMRClientError
from hmr_client.manager import DEFAULT_BASE_URL, ModelReferenceManager, default_cache_dir

CATEGORY_NAMES = [c.value for c in Category]


def _value(text: str) -> Any:
    """A --where value: JSON when it parses (false, 12, ["a","b"]), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _condition(text: str) -> tuple[str, Any]:
    field, equals, value = text.partition("=")
    if not equals or not field:
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE (or FIELD__op=VALUE), got {text!r}")
    return field, _value(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hmr-client",
        description="Look at the AI-Horde model reference served by an HMR server.",
    )
    parser.add_argument("--url", default=os.environ.get("HMR_URL", DEFAULT_BASE_URL), help="API root")
    parser.add_argument("--apikey", default=os.environ.get("HMR_APIKEY"), help="for `pending`")
    parser.add_argument("--cache-dir", default=str(default_cache_dir()), help="disk cache directory")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the disk cache")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("categories", help="each category and its record count")
    commands.add_parser("status", help="what the cache holds: source, age, stale")
    names = commands.add_parser("names", help="a category's names, one per line")
    names.add_argument("category", choices=CATEGORY_NAMES)
    show = commands.add_parser("show", help="one record as JSON, as the server serves it")
    show.add_argument("category", choices=CATEGORY_NAMES)
    show.add_argument("name")
    pending = commands.add_parser("pending", help="proposed, unapplied records (needs --apikey)")
    pending.add_argument("category", choices=CATEGORY_NAMES)
    query = commands.add_parser("query", help="the names (or records) a query selects")
    query.add_argument("category", choices=CATEGORY_NAMES)
    query.add_argument("--where", action="append", type=_condition, default=[], metavar="FIELD=VALUE")
    query.add_argument("--tags-any", action="append", default=[], metavar="TAG")
    query.add_argument("--tags-all", action="append", default=[], metavar="TAG")
    query.add_argument("--tags-none", action="append", default=[], metavar="TAG")
    query.add_argument("--name-contains", metavar="TEXT")
    query.add_argument("--order-by", metavar="FIELD")
    query.add_argument("--desc", action="store_true", help="order descending")
    query.add_argument("--offset", type=int, default=0)
    query.add_argument("--limit", type=int)
    query.add_argument("--json", action="store_true", help="print {name: record} instead of names")
    return parser


def _dump(records: dict[str, Any]) -> str:
    return json.dumps(
        {name: r.model_dump(mode="json", by_alias=True, exclude_unset=True) for name, r in records.items()},
        indent=2,
        ensure_ascii=False,
    )


def _query(manager: ModelReferenceManager, options: argparse.Namespace) -> str:
    query = manager.query(options.category)
    if options.where:
        query = query.where(**dict(options.where))
    for step, tags in (("tags_any", options.tags_any), ("tags_all", options.tags_all)):
        if tags:
            query = getattr(query, step)(tags)
    if options.tags_none:
        query = query.tags_none(options.tags_none)
    if options.name_contains:
        query = query.name_contains(options.name_contains)
    if options.order_by:
        query = query.order_by(options.order_by, descending=options.desc)
    query = query.offset(options.offset)
    if options.limit is not None:
        query = query.limit(options.limit)
    found = query.to_list()
    if options.json:
        return _dump({record.name: record for record in found})
    return "\n".join(record.name for record in found)


def _status(manager: ModelReferenceManager) -> str:
    manager.get_all_model_references_or_none()
    lines = []
    for category in SERVED:
        status = manager.cache_status(category)
        if status is None:
            lines.append(f"{category.value:<22} unavailable")
            continue
        state = f"STALE ({status.error})" if status.stale else "current"
        lines.append(
            f"{category.value:<22}{status.records:>5} records  from {status.source:<6} "
            f"confirmed {status.age_seconds:.0f} s ago  {state}"
        )
    return "\n".join(lines)


def run(options: argparse.Namespace) -> str:
    manager = ModelReferenceManager(
        options.url,
        apikey=options.apikey,
        cache_dir=None if options.no_cache else options.cache_dir,
        timeout=options.timeout,
    )
    if options.command == "categories":
        references = manager.get_all_model_references_or_none()
        return "\n".join(
            f"{category.value:<22}{len(records) if records is not None else '-':>5}"
            for category, records in references.items()
            if category in SERVED
        )
    if options.command == "status":
        return _status(manager)
    if options.command == "names":
        return "\n".join(manager.get_model_names(options.category))
    if options.command == "show":
        record = manager.get_raw_model_json(options.category, options.name)
        if record is None:
            manager.get_model(options.category, options.name)  # raises the precise error
        return json.dumps(record, indent=2, ensure_ascii=False)
    if options.command == "pending":
        return _dump(manager.get_pending_model_reference(options.category))
    return _query(manager, options)


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        output = run(options)
    except (HMRClientError, ValueError) as error:
        print(f"hmr-client: {error}", file=sys.stderr)
        return 1
    finally:
        ModelReferenceManager.reset()  # the command's own manager, gone with the command
    if output:
        print(output)
    return 0
