"""Field validators shared by services and importers; each names the field at fault."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.text import QUOTE_LIMIT, has_control_chars, quote_input, shortened
from ltcdesk.domain.vocab import CONDITION_NAMES

E = TypeVar("E", bound=StrEnum)

NAME_MAX = 100
SHORT_TEXT_MAX = 200
NOTE_MAX = 20_000
# Identifiers and short values are ASCII: [0-9] rather than \d (which takes any script's
# digits) and fullmatch rather than "$" (which also matches before a final newline).
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})")
_PHONE = re.compile(r"\+?[0-9 ()-]{6,20}")
PHONE_MAX = 20  # the column's width
_PRACTICE_CODE = re.compile(r"[A-Z][0-9]{5}")
_USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
_CONDITION_CODE = re.compile(r"[A-Z]{1,10}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
EARLIEST_DOB = date(1890, 1, 1)


def shown(value: object, limit: int = QUOTE_LIMIT) -> str:
    """Input as an error message may quote it: the first 40 characters, with invisible
    characters escaped (see ltcdesk.domain.text)."""
    return shortened(value, limit)


def _has_control_chars(text: str, allow_newlines: bool) -> bool:
    return has_control_chars(text, allow_newlines=allow_newlines)


def text(
    value: str | None,
    field: str,
    *,
    required: bool = False,
    max_len: int = SHORT_TEXT_MAX,
    multiline: bool = False,
) -> str | None:
    """Trimmed text in Unicode normal form C, or None when blank and optional.

    NFC so that the same name typed on two machines is stored, searched and sorted as the
    same characters. Multi-line text keeps its line breaks as "\\n" (a pasted "\\r\\n" too).
    """
    if value is None or not str(value).strip():
        if required:
            raise ValidationError(field, "is required")
        return None
    cleaned = unicodedata.normalize("NFC", str(value).strip())
    if multiline:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if len(cleaned) > max_len:
        raise ValidationError(
            field, f"is too long ({len(cleaned):,} characters; at most {max_len:,})"
        )
    if _has_control_chars(cleaned, allow_newlines=multiline):
        raise ValidationError(field, "contains control characters")
    return cleaned


def required_text(value: str | None, field: str, *, max_len: int = NAME_MAX) -> str:
    """A required label (a practice's or a team's name): at most NAME_MAX by default."""
    result = text(value, field, required=True, max_len=max_len)
    assert result is not None
    return result


def name(value: str | None, field: str, *, required: bool = True) -> str | None:
    """A person's name: text that holds at least one letter (of any script)."""
    result = text(value, field, required=required, max_len=NAME_MAX)
    if result is not None and not any(unicodedata.category(ch).startswith("L") for ch in result):
        raise ValidationError(field, f"{quote_input(result)} has no letters")
    return result


def parse_date(value: str | date | None, field: str, *, required: bool = False) -> date | None:
    """Accepts a date, ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, "is required")
        return None
    if isinstance(value, datetime):  # a datetime is a date too; keep the day only
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValidationError(field, f"{quote_input(value)} is not a date")
    raw = value.strip()
    try:
        if match := _ISO_DATE.fullmatch(raw):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
        if match := _UK_DATE.fullmatch(raw):
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
    except ValueError:
        raise ValidationError(field, f"{quote_input(raw)} is not a real date") from None
    raise ValidationError(field, f"{quote_input(raw)} is not a date (use DD/MM/YYYY or YYYY-MM-DD)")


def date_of_birth(value: str | date | None, today: date, field: str = "date of birth") -> date:
    dob = parse_date(value, field, required=True)
    assert dob is not None
    if dob > today:
        raise ValidationError(field, f"{dob:%d/%m/%Y} is in the future")
    if dob < EARLIEST_DOB:
        raise ValidationError(field, f"{dob:%d/%m/%Y} is implausibly early")
    return dob


def not_future(value: date | None, today: date, field: str) -> date | None:
    if value is not None and value > today:
        raise ValidationError(field, f"{value:%d/%m/%Y} is in the future")
    return value


def not_before(value: date | None, earliest: date, field: str, what: str) -> date | None:
    """``value`` unless it is before ``earliest`` (``what`` names it: "the date of birth")."""
    if value is not None and value < earliest:
        raise ValidationError(field, f"{value:%d/%m/%Y} is before {what} ({earliest:%d/%m/%Y})")
    return value


def event_date(
    value: str | date | None,
    field: str,
    *,
    today: date,
    born: date,
    default_today: bool = False,
) -> date | None:
    """A date something happened to a patient: a real date, not in the future and not
    before they were born. Blank is None, or today with ``default_today``."""
    when = parse_date(value, field)
    if when is None:
        return today if default_today else None
    not_future(when, today, field)
    not_before(when, born, field, "the date of birth")
    return when


def postcode(value: str | None, field: str = "postcode") -> str | None:
    """UK postcode, normalised to upper case with a single space (``LE1 5WW``)."""
    if value is None or not value.strip():
        return None
    match = _POSTCODE.fullmatch(value.strip().upper())
    if not match:
        raise ValidationError(field, f"{quote_input(value.strip())} is not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def phone(value: str | None, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _PHONE.fullmatch(cleaned) or len(cleaned) > PHONE_MAX:
        raise ValidationError(field, f"{quote_input(cleaned)} is not a telephone number")
    return cleaned


def practice_code(value: str | None, field: str = "practice") -> str:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    code = value.strip().upper()
    if not _PRACTICE_CODE.fullmatch(code):
        raise ValidationError(
            field, f"{quote_input(value.strip())} is not a practice code (e.g. C82001)"
        )
    return code


def username(value: str | None, field: str = "username") -> str:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    cleaned = value.strip().lower()
    if not _USERNAME.fullmatch(cleaned):
        raise ValidationError(
            field, "must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return cleaned


def nhs(value: str | None, field: str = "NHS number") -> str:
    """The ten digits of a valid NHS number (``nhs_number.normalise``, the one normaliser:
    far too long, invisible characters, letters, a wrong check digit or all one digit are
    each refused with a short message)."""
    return nhs_number.normalise("" if value is None else str(value), field)


def condition_code(value: str | None, field: str = "condition") -> str:
    """A register code such as ``COPD`` (whether it is a known one is for the caller)."""
    if value is None or not str(value).strip():
        raise ValidationError(field, "is required")
    code = str(value).strip().upper()
    if not _CONDITION_CODE.fullmatch(code):
        raise ValidationError(
            field, f"{quote_input(value)} is not a known long term condition code (e.g. COPD)"
        )
    return code


def known_condition(value: str | None, field: str = "condition") -> str:
    """A long term condition code of the vocabulary (``COPD``, ``HF``, ...), any case; an
    unknown one is refused naming the known codes (a filter on it could only ever find no
    one)."""
    code = condition_code(value, field)
    if code not in CONDITION_NAMES:
        known = ", ".join(sorted(CONDITION_NAMES))
        raise ValidationError(
            field, f"{quote_input(value)} is not a long term condition code; known: {known}"
        )
    return code


def choice(value: str | E | None, enum: type[E], field: str, *, default: E | None = None) -> E:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise ValidationError(field, "is required")
    raw = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(field, f"{quote_input(value)} is not one of: {allowed}") from None


def level(value: int | str | None, field: str = "level") -> int:
    """1, 2 or 3, given as a whole number or its digits (not True, 2.0 or "３")."""
    result: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        result = value
    elif isinstance(value, str) and value.strip() in ("1", "2", "3"):
        result = int(value.strip())
    if result not in (1, 2, 3):
        raise ValidationError(field, f"{quote_input(value)} must be 1, 2 or 3")
    return result
