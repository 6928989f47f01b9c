"""JSON request bodies with upstream's 422 shapes: an object, validated by a pydantic model."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from apps.api.errors import RequestValidationError, pydantic_errors, validation_error

Model = TypeVar("Model", bound=BaseModel)


def json_object(request) -> dict:
    """The JSON body, which must be an object."""
    data = request.data
    if not isinstance(data, dict):
        raise RequestValidationError(
            [validation_error(["body"], "Input should be a valid dictionary", data, "model_attributes_type")]
        )
    return data


def parsed_body(model: type[Model], request, *, required: bool = True) -> Model:
    """The body as `model`; every error at once. Not `required`: a missing or non-object body is `{}`."""
    data = json_object(request) if required else (request.data if isinstance(request.data, dict) else {})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(pydantic_errors(exc, "body")) from None
