"""Parse JSON bodies and query strings into pydantic models; errors become 422 per field."""

from typing import TypeVar

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from webapp.i18n import validation_message

M = TypeVar("M", bound=BaseModel)


class InvalidInput(HTTPException):
    """422 with a message per field, raised out of a view."""

    code = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__(description=_("Invalid input"))
        self.errors = errors

    def get_response(self, environ=None, scope=None):
        response = jsonify(error=_("Invalid input"), message=self._summary(), fields=self.errors)
        response.status_code = 422
        return response

    def _summary(self) -> str:
        return "; ".join(f"{field}: {message}" for field, message in self.errors.items())


def field_errors(error: ValidationError) -> dict[str, str]:
    """Turn pydantic's errors into {"field.path": "message a person understands"}."""
    errors: dict[str, str] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, validation_message(item))
    return errors


def parse_json(model: type[M]) -> M:
    """The request's JSON body as `model`, or a 422 naming each bad field."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput({"body": _("Send a JSON object with Content-Type: application/json.")})
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
