"""Parse JSON bodies and query strings into pydantic models; errors become 422 per field."""

from typing import TypeVar

from flask import abort, current_app, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

M = TypeVar("M", bound=BaseModel)


class InvalidInput(HTTPException):
    """422 with a message per field, raised out of a view."""

    code = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__(description="Invalid input")
        self.errors = errors

    def get_response(self, environ=None, scope=None):
        response = jsonify(error="Invalid input", message=self._summary(), fields=self.errors)
        response.status_code = 422
        return response

    def _summary(self) -> str:
        return "; ".join(f"{field}: {message}" for field, message in self.errors.items())


def field_errors(error: ValidationError) -> dict[str, str]:
    """Turn pydantic's errors into {"field.path": "message a person understands"}."""
    errors: dict[str, str] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, item["msg"])
    return errors


JSON_MAX_BYTES = 5 * 1024 * 1024  # API bodies other than the OCDS import (its own limit)


def json_body() -> object:
    """The request's JSON, or a 422 saying why not (wrong type, not JSON, too deep, NUL);
    413 past JSON_MAX_BYTES. Bounded before parsing: see webapp.inputs."""
    if not request.is_json:
        raise InvalidInput({"body": "Send a JSON object with Content-Type: application/json."})
    if (request.content_length or 0) > JSON_MAX_BYTES:
        abort(413, f"The body is larger than {JSON_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return current_app.json.loads(request.get_data(cache=True))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, too deep, NUL
        raise InvalidInput({"body": f"Not usable JSON: {error}"}) from None


def parse_json(model: type[M]) -> M:
    """The request's JSON body as `model`, or a 422 naming each bad field."""
    payload = json_body()
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model`, or a 422 naming each bad parameter (unknown ones too: a
    misspelt filter must not silently widen the answer)."""
    unknown = [name for name in request.args if name not in model.model_fields]
    if unknown:
        raise InvalidInput({name[:50]: "Unknown parameter." for name in unknown})
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
