"""Sentences the engine writes for people, kept translatable without the engine knowing Flask.

The engine writes English (the source language), but through :class:`Text`: a ``str`` that
also remembers its message id (a ``%(name)s`` template marked with :func:`N_` so that
``pybabel extract`` finds it) and its parameters. Everything that treats it as a string (the
JSON API, the CSV export, tests) sees the English sentence; the web layer looks ``msgid`` up
in the reader's catalogue and fills in the parameters, translating those that are themselves
:class:`Text` (a level name, a phrase). :class:`TextList` joins several of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

__all__ = ["N_", "Euros", "Nn_", "Text", "TextList", "decode", "encode", "plural"]


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for a no-op marker)
    """Mark ``message`` for extraction; it is translated later, where the reader is known."""
    return message


def Nn_(singular: str, plural_form: str) -> tuple[str, str]:  # noqa: N802
    """Mark a singular and plural pair for extraction (``pybabel extract -k Nn_:1,2``)."""
    return singular, plural_form


class Euros(float):
    """An amount of money: ``EUR 1,250,000`` in English, formatted per locale by the web layer."""

    def __str__(self) -> str:
        return f"EUR {self:,.0f}"


def english(value: Any) -> str:
    """How a parameter reads in the English sentence."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Euros):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Text(str):
    """An English sentence with the template and parameters it was made from."""

    msgid: str
    params: dict[str, Any]
    plural: str | None  # with ``n`` in params: the plural form (``ngettext`` in the web layer)

    def __new__(cls, msgid: str, /, plural: str | None = None, **params: Any) -> Text:
        template = plural if plural is not None and params.get("n") != 1 else msgid
        text = template % {k: english(v) for k, v in params.items()} if params else template
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.plural = plural
        self.params = params
        return self

    def __reduce__(self):  # copy, deepcopy and pickle keep the template and parameters
        return _rebuild_text, (self.msgid, self.plural, self.params)


class TextList(str):
    """Several texts joined by a separator that reads the same in every language (``; ``)."""

    items: list[Any]
    sep: str

    def __new__(cls, sep: str, items: Iterable[Any]) -> TextList:
        items = list(items)
        self = super().__new__(cls, sep.join(str(i) for i in items))
        self.items = items
        self.sep = sep
        return self

    def __reduce__(self):
        return TextList, (self.sep, self.items)


def plural(forms: tuple[str, str], n: float, **params: Any) -> Text:
    """The sentence for ``n`` things, from a pair marked with :func:`Nn_`."""
    return Text(forms[0], plural=forms[1], n=n, **params)


def _rebuild_text(msgid: str, plural_form: str | None, params: dict) -> Text:
    return Text(msgid, plural=plural_form, **params)


def encode(value: Any) -> Any:
    """A JSON form of a text that keeps what translating it needs (plain values stay)."""
    if isinstance(value, Text):
        encoded = {"msgid": value.msgid, "params": {k: encode(v) for k, v in value.params.items()}}
        if value.plural is not None:
            encoded["plural"] = value.plural
        return encoded
    if isinstance(value, TextList):
        return {"sep": value.sep, "items": [encode(i) for i in value.items]}
    if isinstance(value, Euros):
        return {"euros": float(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def decode(value: Any) -> Any:
    """The text :func:`encode` stored (a :class:`Text` again)."""
    if isinstance(value, Mapping) and "msgid" in value:
        return Text(value["msgid"], plural=value.get("plural"),
                    **{k: decode(v) for k, v in value["params"].items()})
    if isinstance(value, Mapping) and "sep" in value and "items" in value:
        return TextList(value["sep"], [decode(i) for i in value["items"]])
    if isinstance(value, Mapping) and "euros" in value:
        return Euros(value["euros"])
    if isinstance(value, Mapping) and "date" in value:
        return date.fromisoformat(value["date"])
    return value
