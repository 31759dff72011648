"""Security headers on every answer: a strict Content-Security-Policy and its companions.

A small ``after_request`` hook rather than flask-talisman: Talisman would also redirect to
HTTPS and set the session cookie's flags (the accounts code owns those), and it cannot say
"no-store on private pages"; what is left is a handful of constant headers.

The policy allows no inline script or style and no ``eval``: htmx runs under it because its
configuration is a ``<meta name="htmx-config">`` with ``allowEval`` and
``includeIndicatorStyles`` off, and the templates carry no ``hx-on`` handler, ``<script>``,
``<style>`` or ``style=""``.
"""

from flask import Flask, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
HSTS_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Register the hook; CONTENT_SECURITY_POLICY and HSTS_MAX_AGE (0: none) are settings."""
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    app.config.setdefault("HSTS_MAX_AGE", HSTS_MAX_AGE)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        # Browsers ignore HSTS over plain HTTP; behind a TLS proxy `is_secure` needs ProxyFix.
        max_age = int(app.config["HSTS_MAX_AGE"])
        if request.is_secure and max_age > 0:
            headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
        # Pages and JSON carry personal or role-specific data (and CSRF tokens): no copy may
        # stay in a shared or browser cache. Static files keep their own caching.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
