"""What a caseload list shows and searches, as rules a list, an export and a report share.

Searching: each patient gets a lower-case, accent-free "haystack" (names both ways round,
NHS number, postcode) once when a list loads; a search term becomes a ``needle`` the same
way, so a keystroke is one ``needle in haystack`` test per row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Final

from ltcdesk.domain.vocab import CONDITION_NAMES

# Most significant first, for "Main conditions": end of life care, then the conditions
# that most often drive admissions and case management in the community.
CONDITION_PRIORITY: Final = (
    "PC", "HF", "COPD", "DM", "DEM", "FRAIL", "CKD", "STIA", "CHD", "AF",
    "CAN", "SMI", "LD", "EP", "AST", "DEP", "RA", "OST", "OA", "HYP",
)  # fmt: skip
_RANK: Final = {code: n for n, code in enumerate(CONDITION_PRIORITY)}
MAIN_CONDITIONS: Final = 3  # how many a list shows


def condition_names(codes: Iterable[str]) -> list[str]:
    """Conditions by name, most significant first."""
    ranked = sorted(codes, key=lambda c: (_RANK.get(c, len(_RANK)), c))
    return [CONDITION_NAMES.get(c, c) for c in ranked]


def main_conditions(codes: Iterable[str]) -> str:
    """The "Main conditions" cell: up to three, most significant first."""
    return ", ".join(condition_names(codes)[:MAIN_CONDITIONS])


def flag_text(consent: str | None, date_of_death: date | None) -> str:
    """The "Flags" cell: what a matron must notice before contacting the patient."""
    if date_of_death is not None:
        return "Deceased"
    if consent is None:
        return "No consent recorded"
    if consent == "declined":
        return "Consent declined"
    if consent == "not_asked":
        return "Consent not asked"
    return ""


# ---------------------------------------------------------------- searching


def fold(text: str) -> str:
    """Lower case without accents, so "maria" finds "María" and "zoe" finds "Zoë"."""
    text = text.casefold().replace("\u2019", "'")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def haystack(family: str, given: str, nhs: str, postcode: str | None) -> str:
    """What a search looks in. It starts "family given", so sorting haystacks sorts by name.
    A newline never occurs in a needle, so no match spans two lines."""
    text = f"{family} {given}\n{given} {family}\n{nhs}"
    if postcode:
        text = f"{text}\n{postcode}\n{postcode.replace(' ', '')}"
    if text.isascii() and "'" not in text and "-" not in text and "  " not in text:
        return text.lower()  # nearly every patient: one string, built once
    family, given = fold(family), fold(given)
    lines = [f"{family} {given}", f"{given} {family}", nhs]
    bare = family.replace("'", "").replace("-", " ")
    if bare != family:  # "okon" finds O'Kon, "smith jones" finds Smith-Jones
        lines += [f"{bare} {given}", f"{given} {bare}"]
    if postcode:
        folded = fold(" ".join(postcode.split()))
        lines += [folded, folded.replace(" ", "")]
    return "\n".join(lines)


def needle(text: str) -> str:
    """The search term: NHS digits without spaces, anything else folded; a comma is a space,
    so "Smith, John" finds John Smith."""
    words = " ".join(text.replace(",", " ").split())
    digits = words.replace(" ", "").replace("-", "")
    if digits.isdigit():
        return digits
    return fold(words)
