"""Text as people type it: what counts as an invisible character, and how a message quotes
what someone typed.

A message that repeats input back (``'C8200X' is not a practice code``) quotes at most the
first ``QUOTE_LIMIT`` characters, with every invisible character written out as an escape:
a terminal escape sequence (ESC), a right-to-left override (U+202E) or a newline typed into
a field must not redraw the screen or make the message read differently from what was
typed, and a 100,000-character paste is never echoed whole.
"""

from __future__ import annotations

import unicodedata

QUOTE_LIMIT = 40
MESSAGE_LIMIT = 600  # a whole message, as the command line prints it
ELLIPSIS = "…"

# Invisible characters refused in text: controls, format characters (bidi overrides that
# make text read differently from what is stored, soft hyphens, byte order marks),
# surrogates, private use and unassigned code points. NUL among them: PostgreSQL cannot
# store it at all.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# ...except the joiners, which names in Persian and Indic scripts and emoji sequences need.
JOINERS = frozenset({"\u200c", "\u200d"})
LINE_BREAK_CATEGORIES = frozenset({"Zl", "Zp"})


def has_control_chars(text: str, *, allow_newlines: bool = False) -> bool:
    """Whether ``text`` holds a character refused in stored text (newlines and tabs are
    allowed in multi-line text)."""
    for ch in text:
        if allow_newlines and ch in "\n\t":
            continue
        if ch in JOINERS:
            continue
        category = unicodedata.category(ch)
        if category in REFUSED_CATEGORIES or (
            category in LINE_BREAK_CATEGORIES and not allow_newlines
        ):
            return True
    return False


def escaped(text: str) -> str:
    """``text`` with every character that does not print (controls, ESC, bidi and other
    format characters, line separators, odd spaces) written as a Python-style escape."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def shortened(value: object, limit: int = QUOTE_LIMIT) -> str:
    """The first ``limit`` characters of ``value``, escaped, with "…" if there were more."""
    raw = str(value)
    return escaped(raw[:limit]) + (ELLIPSIS if len(raw) > limit else "")


def quote_input(value: object, limit: int = QUOTE_LIMIT) -> str:
    """Input as an error message quotes it: ``'first 40 characters…'``, escaped."""
    return f"'{shortened(value, limit)}'"


def printable_message(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A whole message made safe for a terminal: one line, escaped, at most ``limit``
    characters (the last line of defence for a message that quoted input unescaped)."""
    text = escaped(message[: limit * 2])
    return text if len(text) <= limit and len(message) <= limit * 2 else text[:limit] + ELLIPSIS
