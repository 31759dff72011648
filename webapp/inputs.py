"""Bounds on every input before it reaches a parser or the database.

- JSON bodies: at most ``JSON_MAX_DEPTH`` levels (deeper nesting made Python's parser raise
  RecursionError, a 500), no NUL character in any string (PostgreSQL refuses NUL in text).
- Query strings, form fields and URL parts: no NUL character, no value over
  ``MAX_PARAMETER_LENGTH`` characters (``MAX_FORM_FIELD_LENGTH`` for form fields): a 400 with
  the reason, whatever the endpoint. Form fields get the larger bound because their own
  validation (a description of at most 4,000 characters, say) answers with the form again and
  the error beside the field, which a blanket 400 would pre-empt.
- Row ids typed by people (``?proposal=``, form fields): ASCII digits within the INTEGER range;
  ``str.isdigit`` also accepts "²" (which ``int`` refuses) and 40-digit numbers (which the
  database refuses).
"""

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider

from webapp.jsonbounds import loads_bounded

MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns on PostgreSQL
MAX_PARAMETER_LENGTH = 2000
MAX_FORM_FIELD_LENGTH = 100_000
#: Whole request bodies (the OCDS import has its own, smaller, limit inside this one).
MAX_CONTENT_LENGTH = 64 * 1024 * 1024


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies that would crash or reach the database unusable."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        return loads_bounded(s, **kwargs)


def row_id(value: object) -> int | None:
    """A typed row id (ASCII digits, within the INTEGER range), or None."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def _refuse_unusable_parameters() -> None:
    parts = [
        *(("URL", v, MAX_PARAMETER_LENGTH)
          for v in (request.view_args or {}).values() if isinstance(v, str)),
        *((k, v, MAX_PARAMETER_LENGTH) for k, values in request.args.lists() for v in [k, *values]),
    ]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        parts += [(k, v, MAX_FORM_FIELD_LENGTH)
                  for k, values in request.form.lists() for v in [k, *values]]
    for name, value, limit in parts:
        if "\x00" in value:
            abort(400, f"'{name[:50]}' contains a NUL character.".replace("\x00", "\\0"))
        if len(value) > limit:
            abort(400, f"'{name[:50]}' is longer than {limit} characters."
                  .replace("\x00", "\\0"))


def init_app(app: Flask) -> None:
    """Install the bounded JSON provider, the body size limit and the parameter check."""
    app.json = BoundedJSONProvider(app)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: unlimited
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.before_request(_refuse_unusable_parameters)
