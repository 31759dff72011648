"""One place decides between a full page and an htmx fragment."""

from flask import current_app, make_response, render_template
from jinja2_fragments.flask import render_block

from models import is_web_url


def wants_fragment() -> bool:
    """True for an htmx request that swaps a region; boosted and history requests need the page."""
    htmx = current_app.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str = "content", status: int = 200, **context):
    """Render `template` whole, or only its `block` for an htmx request; vary on HX-Request."""
    if wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def template_macro(template: str, name: str):
    """The macro `name` of `template`, callable from any template without an import (as a
    Jinja global). It is looked up at each call, so that a template reloaded in development
    is the one used."""

    def call(*args, **kwargs):
        return getattr(current_app.jinja_env.get_template(template).module, name)(*args, **kwargs)

    return call


def safe_url(value: object) -> str:
    """The ``safe_url`` filter: the value when it is an http(s) address, else "".

    Every ``href`` built from stored data goes through it, so a row saved before the input
    was validated (``javascript:…``, ``data:…``) is shown as no link at all.
    """
    text = str(value or "").strip()
    return text if is_web_url(text) else ""
