"""JSON that parses but must not go further: too deep to walk, or with NUL characters.

No Flask here: the OCDS reader uses it too.
"""

import json

JSON_MAX_DEPTH = 32


class UnusableJSON(ValueError):
    """JSON that parses but that the app refuses (too deep, NUL characters)."""


def loads_bounded(text: str | bytes, max_depth: int = JSON_MAX_DEPTH, **kwargs) -> object:
    """``json.loads`` that raises ValueError (never RecursionError) for unusable input."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise UnusableJSON(f"nested deeper than {max_depth} levels") from None
    check_json_value(value, max_depth)
    return value


def check_json_value(value: object, max_depth: int = JSON_MAX_DEPTH,
                     allow_nul: bool = False) -> None:
    """Walk a decoded value without recursion; raise UnusableJSON when too deep or (unless
    `allow_nul`, for files whose reader drops NUL itself) with a NUL character."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not allow_nul and "\x00" in item:
                raise UnusableJSON("a text contains a NUL character (\\u0000)")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise UnusableJSON(f"nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)
