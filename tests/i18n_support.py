"""Compiled catalogues for the tests: `make install` builds them; a bare pytest run may not."""

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "webapp" / "translations"


def ensure_compiled() -> None:
    """Compile each .po whose .mo is missing or older, as `make catalogues` does.

    The new .mo replaces the old one in one step: the other test workers, which may compile
    or read it at the same time, never see half a file."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with tempfile.NamedTemporaryFile(dir=mo.parent, suffix=".mo.part",
                                             delete=False) as target:
                write_mo(target, catalog)
            os.replace(target.name, mo)
