"""The JSON bodies of the pending-queue writes, as upstream declares them (pydantic models).

Strict like the rest of the API (a boolean is `true`, an id is a JSON integer); the rules that
need the queue (which ids exist, blank titles, reasons for rejections) are the services'.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


def _openapi_30(schema: dict) -> None:
    """The OpenAPI document is 3.0, which has no null type: `X | None` is described as a nullable X."""
    for name, field in schema["properties"].items():
        options = field.pop("anyOf", None)
        if options is not None:
            (kind,) = [option for option in options if option != {"type": "null"}]
            schema["properties"][name] = {**kind, **field, "nullable": True}


class _Body(BaseModel):
    """Also the OpenAPI component of the body (drf-spectacular reads pydantic models)."""

    model_config = ConfigDict(strict=True, json_schema_extra=_openapi_30)


class ReviewRequest(_Body):
    batch_title: str = Field(min_length=1, max_length=120)
    approved_ids: list[int] | None = None
    rejected_ids: list[int] | None = None
    reject_reason: str | None = Field(default=None, max_length=500)


class ApplyOneRequest(_Body):
    job_id: str | None = Field(default=None, max_length=120)


class ApplyRequest(_Body):
    change_ids: list[int] = Field(min_length=1)
    job_id: str | None = Field(default=None, max_length=120)
    allow_mixed_batch: bool = False


class PurgeRequest(_Body):
    statuses: list[str] | None = None
    categories: list[str] | None = None
    model_name: str | None = Field(default=None, max_length=200)
    requested_by: list[str] | None = None
    purge_all: bool = False
    dry_run: bool = False
