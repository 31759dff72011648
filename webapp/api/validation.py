"""Parse JSON bodies and query strings into pydantic models; errors become 422 per field."""

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from webapp.errors import Invalid, field_messages

M = TypeVar("M", bound=BaseModel)


class InvalidInput(Invalid):
    """Input the API cannot use: a message per field, summed up in one line."""

    def __init__(self, errors: dict[str, str]):
        summary = "; ".join(f"{field}: {message}" for field, message in errors.items())
        super().__init__(errors, summary)


def field_errors(error: ValidationError) -> dict[str, str]:
    """Pydantic's errors keyed by their JSON path ("body" for the whole document)."""
    return field_messages(error, default_field="body")


def parse_json(model: type[M]) -> M:
    """The request's JSON body as `model`, or a 422 naming each bad field."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput({"body": "Send a JSON object with Content-Type: application/json."})
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model`, or a 422 naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
