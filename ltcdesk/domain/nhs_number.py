"""NHS numbers: ten digits, the last a Modulus 11 check digit.

Input may contain spaces or hyphens (``943 476 5919``, ``943-476-5919``); storage is the
ten digits; display is ``943 476 5919``. ``normalise`` is the one reading of an NHS number
that every screen, command, import and service uses: newlines, tabs and other invisible
characters are not separators, and a number that is all one digit (``0000000000``,
``1111111111``: each passes the check digit) is refused as no real person's.
"""

from __future__ import annotations

import re

from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.text import has_control_chars, quote_input

# Spaces (of any width) and hyphens; controls and line breaks are refused before this.
_SEPARATORS = re.compile(r"[\s-]+")
INPUT_MAX = 20  # "943 - 476 - 5919" and more; anything longer is not an NHS number
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no valid number can end them."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError("check_digit needs exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    digit = 11 - (total % 11)
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def normalise(raw: str, field: str = "NHS number") -> str:
    """Return the ten digits of a valid NHS number, or raise ValidationError saying why."""
    if raw is None or not str(raw).strip():
        raise ValidationError(field, "is required")
    text = str(raw).strip()
    if len(text) > INPUT_MAX:
        raise ValidationError(field, f"{quote_input(text)} is too long for an NHS number")
    if has_control_chars(text):
        raise ValidationError(field, f"{quote_input(text)} contains control characters")
    digits = _SEPARATORS.sub("", text)
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            field, f"{quote_input(text)} must contain only digits (spaces and hyphens allowed)"
        )
    if len(digits) != 10:
        raise ValidationError(field, f"{quote_input(text)} must have 10 digits, not {len(digits)}")
    expected = check_digit(digits[:9])
    if expected is None or expected != int(digits[9]):
        raise ValidationError(
            field, f"{quote_input(text)} is not a valid NHS number (check digit is wrong)"
        )
    if len(set(digits)) == 1:
        raise ValidationError(
            field, f"{format_nhs(digits)} is not a real NHS number (all one digit)"
        )
    return digits


def is_valid(raw: str) -> bool:
    try:
        normalise(raw)
    except ValidationError:
        return False
    return True


def format_nhs(digits: str) -> str:
    """``9434765919`` -> ``943 476 5919``; anything not ten digits is returned unchanged."""
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def complete(first_nine: str) -> str | None:
    """Append the check digit to nine digits; None when those nine cannot start a valid
    number (no check digit fits, or the ten would be all one digit)."""
    digit = check_digit(first_nine)
    if digit is None or set(first_nine) == {str(digit)}:
        return None
    return first_nine + str(digit)
