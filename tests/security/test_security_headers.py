"""Security headers: a strict Content-Security-Policy (no inline script or style, no eval),
nosniff, no framing, a same-origin referrer, HSTS over HTTPS and no caching of private answers.

The templates must then carry nothing the policy would block: no ``<script>`` body, no event
handler attribute, no ``hx-on`` (htmx evaluates it with ``Function()``), no ``<style>`` and no
``style=""``. The browser half (no violation reported on any page) is test_csp_in_browser.py.
"""

import re
from pathlib import Path

import pytest

from tests.helpers import AUTHORITY, ENTERPRISE, bearer, login

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def _directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/api/v1/openapi.json",
                                  "/no-such-page"])
def test_every_answer_carries_the_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert _directives(headers["Content-Security-Policy"]) == _directives(CSP)
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored
    assert headers["Cache-Control"] == "no-store"


def test_private_pages_and_json_are_not_stored(app, client):
    login(client, AUTHORITY)
    assert client.get("/buyers/tenders").headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/me", headers=bearer(app, ENTERPRISE))
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_hsts_over_https_only_and_it_can_be_turned_off(app, client):
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    app.config["HSTS_MAX_AGE"] = 0
    assert "Strict-Transport-Security" not in client.get(
        "/", base_url="https://localhost").headers


def _templates():
    # Mails are not pages: no CSP applies in a mail client, and mail clients drop <style>
    # blocks, so their templates style with attributes (the Outbox page shows them sandboxed).
    return sorted(p for p in TEMPLATES.rglob("*.html")
                  if not p.relative_to(TEMPLATES).as_posix().startswith("alerts/mail/"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_needs_unsafe_inline_or_eval(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert not re.search(r"<style\b", text), "<style> block"
    assert not re.search(r"\sstyle=", text), "style attribute"
    assert not re.search(r"\son[a-z]+=", text), "event handler attribute"
    assert not re.search(r"\shx-on[:-]", text), "hx-on handler (needs eval)"
    assert "js:" not in text and "javascript:" not in text


def test_htmx_is_configured_to_evaluate_nothing(client):
    html = client.get("/login").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert '"allowEval": false' in config
    assert '"includeIndicatorStyles": false' in config
