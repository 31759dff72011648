"""Collect the Content-Security-Policy violations a browser context reports.

Two sources, as either alone can miss one: Chromium's console message ("Refused to … because
it violates the following Content Security Policy directive …") and the page's
``securitypolicyviolation`` event, reported back through an exposed binding.
"""

_LISTEN = """
document.addEventListener('securitypolicyviolation', (e) => {
  const what = e.blockedURI || 'inline';
  window.__reportCsp(`${e.violatedDirective} blocked ${what} at ${e.documentURI}`);
});
"""


def watch_csp(context) -> list[str]:
    """Start recording the context's violations; the returned list fills as they happen."""
    found: list[str] = []
    context.expose_binding("__reportCsp", lambda _source, text: found.append(text))
    context.add_init_script(_LISTEN)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    context.on("console", on_console)
    return found
