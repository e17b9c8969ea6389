"""Which passwords may be set: the NCSC and NIST SP 800-63B rules.

At least 10 characters and no composition rules (no "one capital, one digit"). Refused: a
password on a list of common and breached passwords or close to one (zxcvbn: 30,000 common
passwords, English words, names and keyboard, repeat, sequence and date patterns, with the
usual substitutions), anything containing the person's username or a part of their name,
and the published demo password. Each refusal says why, so people pick a phrase instead.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Iterable
from typing import Any

from ltcdesk.domain.errors import ValidationError

PASSWORD_MIN = 10
PASSWORD_MAX = 200  # longer is no safer and would let a sign-in attempt cost more
# zxcvbn's score: 3 means it estimates at least 10^8 guesses ("safely unguessable" online
# and a fair wait for an offline attacker against Argon2). 2 lets 'Summer2024!' through.
MIN_SCORE = 3
# Every demo account signs in with this (printed by ``ltcdesk demo``, given in the README):
# published, so it is never a password anyone may set and signs in only on a demo database.
DEMO_PASSWORD = "demo-password-2026"
# Words of this application that make a password easy to guess wherever it is used.
_CONTEXT_WORDS = ("ltcdesk", "nhs")
_ADVICE = "choose a longer phrase, such as three or four unrelated words"
_REASONS = {
    "common": f"is one of the most common passwords (or a small change to one); {_ADVICE}",
    "repeat": f"is too easy to guess: it repeats characters (like 'aaa' or 'abcabc'); {_ADVICE}",
    "sequence": f"is too easy to guess: it is a sequence (like 'abcd' or '4321'); {_ADVICE}",
    "spatial": (f"is too easy to guess: it is a row or pattern of keys (like 'qwerty'); {_ADVICE}"),
    "date": f"is too easy to guess: it is mostly a date or a year; {_ADVICE}",
    "words": f"is too easy to guess: it is mostly a common word or name; {_ADVICE}",
    "names": (f"is too easy to guess: it is mostly a name, a username or 'ltcdesk'; {_ADVICE}"),
}
_GUESSABLE = f"is too easy to guess; {_ADVICE}"
_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user's words in a module global


def is_demo_password(password: str) -> bool:
    """True for the published demo password (compared in constant time)."""
    typed = password.encode("utf-8", "surrogatepass") if isinstance(password, str) else b""
    return hmac.compare_digest(typed, DEMO_PASSWORD.encode())


def name_parts(*names: str) -> list[str]:
    """The lower-cased words of a username or name that a password may not contain: each
    whole name and every part of three or more letters ('m.okafor' gives 'okafor')."""
    parts: list[str] = []
    for name in names:
        whole = (name or "").strip().lower()
        if not whole:
            continue
        pieces = [p for p in re.split(r"[\W_]+", whole) if len(p) >= 3]
        for part in (whole, "".join(re.split(r"[\W_]+", whole)), *pieces):
            if len(part) >= 3 and part not in parts:
                parts.append(part)
    return parts


def check_password(username: str, password: str, display_name: str = "") -> None:
    """Refuse a password that is too short or too long, common or like a common one, or
    that contains the username or a part of the person's name (ValidationError naming
    'password', with the reason and what to choose instead)."""
    if not isinstance(password, str) or not password.strip():
        raise ValidationError("password", "is required (and may not be only spaces)")
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            "password", f"must have at least {PASSWORD_MIN} characters; {_ADVICE}"
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"may have at most {PASSWORD_MAX} characters")
    if is_demo_password(password):
        raise ValidationError(
            "password",
            "must not be the published demo password (it works only on a demo database); "
            "choose one of your own",
        )
    lowered = password.lower()
    user = (username or "").strip().lower()
    if user and user in lowered:
        raise ValidationError("password", "must not be or contain the username")
    parts = name_parts(username, display_name)
    found = [part for part in parts if part in lowered]
    if found:
        longest = max(found, key=len)
        raise ValidationError(
            "password", f"must not contain the person's name or username ('{longest}')"
        )
    reason = _weakness(password, [*parts, *_CONTEXT_WORDS])
    if reason is not None:
        raise ValidationError("password", reason)


def _weakness(password: str, words: Iterable[str]) -> str | None:
    """Why zxcvbn finds the password guessable, or None when it is strong enough."""
    from zxcvbn import zxcvbn  # 30,000-word lists: loaded when a password is first set

    with _zxcvbn_lock:
        result = zxcvbn(password, user_inputs=list(words), max_length=PASSWORD_MAX)
    if int(result["score"]) >= MIN_SCORE:
        return None
    return _REASONS.get(_kind(result["sequence"]), _GUESSABLE)


def _kind(sequence: list[dict[str, Any]]) -> str:
    """The kind of the longest recognised piece of the password."""
    known = [m for m in sequence if m.get("pattern") != "bruteforce"]
    if not known:
        return ""
    longest = max(known, key=lambda m: len(str(m.get("token", ""))))
    pattern = str(longest.get("pattern"))
    if pattern == "dictionary":
        source = longest.get("dictionary_name")
        if source == "passwords":
            return "common"
        return "names" if source == "user_inputs" else "words"
    if pattern == "regex":  # zxcvbn's only regex is 'recent year'
        return "date"
    return pattern
