"""What makes a password acceptable (OWASP ASVS 2.1), for the forms and the CLI alike.

Length counts, composition rules do not (ASVS 2.1.9): at least 12 characters, up to 128, any
characters. Guessable passwords are refused with zxcvbn, which matches against the 30,000
most common passwords of its bundled lists (ASVS 2.1.7: shipped with the package, no network),
common words, names, keyboard patterns, repeats, sequences and dates, and against the
user's own e-mail address.
"""

from flask_babel import gettext as _
from zxcvbn import zxcvbn

from webapp.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

# zxcvbn refuses longer input (its matching is quadratic); what follows only adds strength.
_ESTIMATE_CHARS = 72
# zxcvbn's score 3: about 10^8 guesses or more, out of reach of online guessing and costly
# offline against scrypt. Every password the project documents (e.g. the demo one) scores 4.
MIN_SCORE = 3
_SERVICE_WORDS = ("matchmaker",)


def password_problems(password: str, email: str = "") -> list[str]:
    """The reasons `password` is refused for the account with `email` (empty when it is fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [_("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)]
    personal = _personal_words(email)
    folded = password.casefold()
    if any(len(word) >= 3 and word in folded for word in personal):
        return [_("Do not use your e-mail address or name in your password.")]
    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=[*personal, *_SERVICE_WORDS])
    if result["score"] >= MIN_SCORE:
        return []
    return [_weakness(result["sequence"], personal)]


def _personal_words(email: str) -> list[str]:
    """The e-mail address and its parts a person might reuse: `jan.de.vries@gent.be` gives the
    address, `jan.de.vries`, and the name parts of at least three letters."""
    email = email.strip().casefold()
    if not email:
        return []
    local, _at, domain = email.partition("@")
    parts = {email, local}
    for piece in local.replace("-", ".").replace("_", ".").replace("+", ".").split("."):
        if len(piece) >= 3:
            parts.add(piece)
    return sorted(parts, key=len, reverse=True)


def _weakness(sequence: list[dict], personal: list[str]) -> str:
    """Say in a few words why zxcvbn found the password easy to guess, from its matches."""
    patterns = {(m["pattern"], m.get("dictionary_name")) for m in sequence}
    if len(sequence) == 1 and ("dictionary", "passwords") in patterns:
        return _("This is one of the most common passwords.")
    if any(m.get("dictionary_name") == "user_inputs" and m["matched_word"] in personal
           for m in sequence):
        return _("Do not use your e-mail address or name in your password.")
    kinds = {pattern for pattern, _name in patterns}
    if "repeat" in kinds:
        return _("Repeated characters or words are easy to guess: add unrelated words.")
    if "sequence" in kinds:
        return _("Sequences like abc or 6543 are easy to guess: add unrelated words.")
    if "spatial" in kinds:
        return _("Keyboard patterns like qwerty are easy to guess: add unrelated words.")
    return _("This password is too easy to guess: several unrelated words make a strong one.")
