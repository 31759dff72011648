"""Parse JSON bodies and query strings into pydantic models; errors become 422 per field."""

from typing import TypeVar

from flask import abort, current_app, request
from flask_babel import gettext as _
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


JSON_MAX_BYTES = 5 * 1024 * 1024  # API bodies other than the OCDS import (its own limit)


def json_body() -> object:
    """The request's JSON, or a 422 saying why not (wrong type, not JSON, too deep, NUL);
    413 past JSON_MAX_BYTES. Bounded before parsing: see webapp.inputs."""
    if not request.is_json:
        raise InvalidInput({"body": _("Send a JSON object with Content-Type: application/json.")})
    if (request.content_length or 0) > JSON_MAX_BYTES:
        abort(413, _("The body is larger than %(mb)s MB.", mb=JSON_MAX_BYTES // (1024 * 1024)))
    try:
        return current_app.json.loads(request.get_data(cache=True))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, too deep, NUL
        raise InvalidInput({"body": _("Not usable JSON: %(error)s", error=error)}) from None


def parse_json(model: type[M], context: dict | None = None) -> M:
    """The request's JSON body as `model` (its validators may read `context`), or a 422
    naming each bad field."""
    payload = json_body()
    try:
        return model.model_validate(payload, context=context)
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model`, or a 422 naming each bad parameter (unknown ones too: a
    misspelt filter must not silently widen the answer)."""
    unknown = [name for name in request.args if name not in model.model_fields]
    if unknown:
        raise InvalidInput({name[:50]: _("Unknown parameter.") for name in unknown})
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
