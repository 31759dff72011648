"""Every browser test runs under the app's real Content-Security-Policy: one that reports a
violation fails (htmx must work without eval or inline styles)."""

import pytest

from tests.e2e.csp import watch_csp


@pytest.fixture
def context(context):
    """pytest-playwright's context (behind the `page` fixture), watched for CSP violations."""
    violations = watch_csp(context)
    yield context
    assert violations == [], "\n".join(violations)
