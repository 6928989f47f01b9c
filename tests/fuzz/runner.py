"""Schemathesis against HMR's own OpenAPI document, in process (WSGI), on the real catalog.

One function runs every operation of `/api/openapi.json` with a fixed seed and a budget of
examples per operation, sending an approver's AI-Horde key, and returns the failures by check.
`tests/fuzz/test_openapi_fuzz.py` runs it briefly inside `make test`; `make fuzz` runs it longer
(`HMR_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def no_server_error(ctx, response, case):
    """schemathesis' `not_a_server_error`, except a 503 with the error envelope: the documented
    answer of a route this deployment does not serve (v1 metadata on a v2-canonical PRIMARY).
    Those are counted in `FuzzReport.unavailable`, so a test can say which operations gave them."""
    if response.status_code == 503 and isinstance(_json(response), dict) and "detail" in _json(response):
        return None
    return not_a_server_error(ctx, response, case)


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


CHECKS = (no_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
# The failure classes each check raises, so failures are counted by check.
CHECK_OF_FAILURE = {
    "ServerError": "not_a_server_error",
    "UndefinedStatusCode": "status_code_conformance",
    "MissingContentType": "content_type_conformance",
    "UndefinedContentType": "content_type_conformance",
    "MalformedMediaType": "content_type_conformance",
    "JsonSchemaError": "response_schema_conformance",
}


@dataclass
class FuzzReport:
    operations: int = 0
    requests: int = 0
    failures: Counter = field(default_factory=Counter)  # check name -> failing cases
    examples: list[str] = field(default_factory=list)  # one line per distinct failure
    unavailable: set[str] = field(default_factory=set)  # operations that answered 503


def fuzz(app, headers: dict[str, str], examples: int, seed: int = 16) -> FuzzReport:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    report = FuzzReport()
    seen: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1

        _examples_of(operation, report, seen, headers, examples, seed)()
    return report


def _examples_of(operation, report: FuzzReport, seen: set[str], headers, examples: int, seed: int):
    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.seed(seed)
    @hypothesis.given(case=operation.as_strategy())
    def run(case):
        report.requests += 1
        try:
            response = case.call(headers=headers)
            if response.status_code == 503:
                report.unavailable.add(operation.label)
            case.validate_response(response, checks=list(CHECKS))
        except FailureGroup as group:
            for failure in group.exceptions:
                _record(report, seen, operation, case, failure)
        except AssertionError as failure:
            _record(report, seen, operation, case, failure)

    return run


def _record(report, seen, operation, case, failure) -> None:
    check = CHECK_OF_FAILURE.get(type(failure).__name__, type(failure).__name__)
    report.failures[check] += 1
    title = getattr(failure, "title", "") or str(failure).splitlines()[0]
    key = f"{check} {operation.label} {title}"
    if key not in seen:
        seen.add(key)
        message = " ".join(str(getattr(failure, "message", "")).split())[:300]
        report.examples.append(f"{key}: {message} [{case.method} {case.formatted_path}]")
