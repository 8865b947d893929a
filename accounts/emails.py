"""E-mail addresses: the syntax rules of ``email-validator`` (no DNS look-up: deliverability is
not checked; a company domain under ``.local`` is accepted) and a refusal of look-alikes that
mix alphabets within one part of an address.

Mixed scripts: a Cyrillic "а" among Latin letters (``pаypal@example.com``) looks like another
person's address. Each part (the local part, each label of the domain) must use the letters of
one script, or one of the combinations that writing systems use together (Unicode's "highly
restrictive" level, UTS #39: Latin with Han and the Japanese kana, Latin with Han and Bopomofo,
Latin with Han and Hangul). Digits and punctuation belong to every script.
"""

from __future__ import annotations

import unicodedata

import email_validator
from email_validator import EmailNotValidError
from email_validator import validate_email as _library_validate

from accounts.models import EMAIL_MAX
from core.errors import N_

INVALID = N_("Enter a valid e-mail address, such as name@example.com.")
EMPTY = N_("Enter an e-mail address.")
TOO_LONG = N_("This e-mail address is too long.")
MIXED_SCRIPTS = N_(
    "This e-mail address mixes letters of different alphabets (such as a Cyrillic “а” among Latin letters). "
    "Type it again with the letters of one alphabet."
)
_ALLOWED_TOGETHER = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_SCRIPT_OF_NAME = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "KATAKANA-HIRAGANA": "KATAKANA"}

# A company's own mail domain may sit under .local (long the default of Windows domains): accepted,
# the way the library documents. Its other special-use names (.test, .invalid, localhost, …) are not.
if "local" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("local")


def normalise_email(email: str) -> str:
    """The form addresses are stored and looked up in: composed (NFC), trimmed, lower case."""
    return unicodedata.normalize("NFC", email.strip()).lower()


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name; None for digits, marks and punctuation."""
    if not unicodedata.category(char).startswith("L"):
        return None
    words = unicodedata.name(char, "").split()
    if words and words[0] in ("FULLWIDTH", "HALFWIDTH"):
        words = words[1:]
    if not words:
        return "UNKNOWN"
    return _SCRIPT_OF_NAME.get(words[0], words[0])


def mixes_scripts(part: str) -> bool:
    scripts = {script for char in part if (script := _script(char)) is not None}
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in _ALLOWED_TOGETHER)


def email_error(email: str) -> str | None:
    """Why an address (normalised) cannot be used, or None when it can."""
    if not email:
        return EMPTY
    if len(email) > EMAIL_MAX:
        return TOO_LONG
    try:
        _library_validate(email, check_deliverability=False)
    except EmailNotValidError:
        return INVALID
    except (TypeError, ValueError, UnicodeError):  # lone surrogates and other undecodable input
        return INVALID
    local, _at, domain = email.rpartition("@")
    if mixes_scripts(local) or any(mixes_scripts(label) for label in domain.split(".")):
        return MIXED_SCRIPTS
    return None
