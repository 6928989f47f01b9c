"""Request bodies of the text routes as pydantic models: upstream's service is FastAPI over
pydantic, so its 422 lists (`{"type", "loc", "msg", "input"[, "ctx"]}`) come out the same.

Unknown keys are ignored, as upstream's models do. Names that are stored (aliases, family
members) must be 1 to 255 characters (upstream takes any string; the database keeps 255).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints, ValidationError

from apps.api.errors import RequestValidationError, pydantic_errors, validation_error

StoredName = Annotated[str, StringConstraints(min_length=1, max_length=255)]


def body_of(request, model: type[BaseModel]) -> BaseModel:
    """The JSON body validated by `model`; 422 with every error located under "body"."""
    if not request.body:
        raise RequestValidationError([validation_error(["body"], "Field required", None, "missing")])
    try:
        return model.model_validate(request.data, from_attributes=True)  # as FastAPI validates bodies
    except ValidationError as exc:
        raise RequestValidationError(pydantic_errors(exc, "body")) from None


class ComposeNameRequest(BaseModel):
    author: str | None = None
    base_name: str
    size: str
    variant: str | None = None
    version: str | None = None
    quant: str | None = None
    separator: str | None = None
    part_order: list[str] | None = None


class CommonFieldsUpdateRequest(BaseModel):
    """The fields to set on every member; null or absent means "leave as it is"."""

    baseline: str | None = None
    description: str | None = None
    url: str | None = None
    nsfw: bool | None = None
    tags: list[str] | None = None
    style: str | None = None
    instruct_format: str | None = None


class GroupNameSchemaUpdateRequest(BaseModel):
    separator: str | None = None
    part_order: list[str] | None = None
    author_included: bool | None = None
    common_author: str | None = None
    template: str | None = None
    extra_parts: list[str] | None = None


class NameExceptionRequest(BaseModel):
    reason: str | None  # required; null clears the exception


class SetAliasesRequest(BaseModel):
    aliases: list[StoredName]


class AliasRequest(BaseModel):
    alias: StoredName


class SetFamilyRequest(BaseModel):
    members: list[StoredName]


class FamilyMemberRequest(BaseModel):
    group_name: StoredName
