"""Field validators shared by services and importers; each names the field at fault."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import TypeVar

from ltcdesk.domain.errors import ValidationError

E = TypeVar("E", bound=StrEnum)

NAME_MAX = 100
SHORT_TEXT_MAX = 200
NOTE_MAX = 20_000
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
EARLIEST_DOB = date(1890, 1, 1)


def _has_control_chars(text: str, allow_newlines: bool) -> bool:
    for ch in text:
        if allow_newlines and ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return True
    return False


def text(
    value: str | None,
    field: str,
    *,
    required: bool = False,
    max_len: int = SHORT_TEXT_MAX,
    multiline: bool = False,
) -> str | None:
    """Trimmed text, or None when blank and optional."""
    if value is None or not str(value).strip():
        if required:
            raise ValidationError(field, "is required")
        return None
    cleaned = str(value).strip()
    if len(cleaned) > max_len:
        raise ValidationError(
            field, f"is too long ({len(cleaned):,} characters; at most {max_len:,})"
        )
    if _has_control_chars(cleaned, allow_newlines=multiline):
        raise ValidationError(field, "contains control characters")
    return cleaned


def required_text(value: str | None, field: str, *, max_len: int = SHORT_TEXT_MAX) -> str:
    result = text(value, field, required=True, max_len=max_len)
    assert result is not None
    return result


def name(value: str | None, field: str, *, required: bool = True) -> str | None:
    return text(value, field, required=required, max_len=NAME_MAX)


def parse_date(value: str | date | None, field: str, *, required: bool = False) -> date | None:
    """Accepts a date, ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, "is required")
        return None
    if isinstance(value, date):
        return value
    raw = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
        if match:
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
    except ValueError:
        raise ValidationError(field, f"'{raw}' is not a real date") from None
    raise ValidationError(field, f"'{raw}' is not a date (use DD/MM/YYYY or YYYY-MM-DD)")


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


def postcode(value: str | None, field: str = "postcode") -> str | None:
    """UK postcode, normalised to upper case with a single space (``LE1 5WW``)."""
    if value is None or not value.strip():
        return None
    match = _POSTCODE.match(value.strip().upper())
    if not match:
        raise ValidationError(field, f"'{value.strip()[:20]}' is not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def phone(value: str | None, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _PHONE.match(cleaned):
        raise ValidationError(field, f"'{cleaned[:30]}' is not a telephone number")
    return cleaned


def practice_code(value: str | None, field: str = "practice") -> str:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    code = value.strip().upper()
    if not _PRACTICE_CODE.match(code):
        raise ValidationError(field, f"'{value.strip()[:20]}' is not a practice code (e.g. C82001)")
    return code


def username(value: str | None, field: str = "username") -> str:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    cleaned = value.strip().lower()
    if not _USERNAME.match(cleaned):
        raise ValidationError(
            field, "must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return cleaned


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
        raise ValidationError(field, f"'{str(value)[:30]}' is not one of: {allowed}") from None


def level(value: int | str | None, field: str = "level") -> int:
    try:
        result = int(str(value).strip()) if value is not None else None
    except ValueError:
        result = None
    if result not in (1, 2, 3):
        raise ValidationError(field, f"'{value}' must be 1, 2 or 3")
    return result
