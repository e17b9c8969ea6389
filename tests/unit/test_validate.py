from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError

TODAY = date(2026, 11, 22)


def test_dates_accept_uk_and_iso_forms():
    assert validate.parse_date("05/03/1940", "date of birth") == date(1940, 3, 5)
    assert validate.parse_date("1940-03-05", "date of birth") == date(1940, 3, 5)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("31/02/1940", "not a real date"), ("yesterday", "not a date"), ("1940-13-01", "not a real")],
)
def test_bad_dates_name_the_field(raw, fragment):
    with pytest.raises(ValidationError) as info:
        validate.parse_date(raw, "date of birth")
    assert info.value.field == "date of birth"
    assert fragment in info.value.message


def test_future_date_of_birth_is_refused():
    with pytest.raises(ValidationError, match="in the future"):
        validate.date_of_birth("2030-01-01", TODAY)


def test_postcodes_are_normalised():
    assert validate.postcode("le47ab") == "LE4 7AB"
    assert validate.postcode(" SW1A 1AA ") == "SW1A 1AA"
    with pytest.raises(ValidationError, match="not a UK postcode"):
        validate.postcode("12345")


def test_huge_text_and_control_characters_are_refused():
    with pytest.raises(ValidationError, match="too long"):
        validate.text("x" * 10_000, "address")
    with pytest.raises(ValidationError, match="control characters"):
        validate.text("Smith\x00", "family name")
    assert validate.text("line one\nline two", "note", multiline=True) == "line one\nline two"


@given(st.text(max_size=300))
def test_text_validation_never_fails_with_anything_but_a_validation_error(raw):
    stripped = raw.strip()
    if len(stripped) > 200:
        with pytest.raises(ValidationError, match="too long") as info:
            validate.text(raw, "note", max_len=200)
        assert info.value.field == "note"
        return
    try:
        result = validate.text(raw, "note", max_len=200)
    except ValidationError as exc:
        rejected = exc
    else:
        assert result == (stripped or None)
        return
    assert rejected.field == "note"
    assert rejected.message == "contains control characters"


def test_levels_are_one_two_or_three():
    assert validate.level("3") == 3
    for bad in ("4", "0", "x", None):
        with pytest.raises(ValidationError, match="must be 1, 2 or 3"):
            validate.level(bad)


def test_stale_message_shows_local_time_not_utc(monkeypatch):
    import time
    from datetime import datetime

    from ltcdesk.domain.errors import StaleRecordError

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        summer = StaleRecordError("This record", "Nia Nurse", datetime(2026, 7, 1, 13, 2))
        winter = StaleRecordError("This record", "Nia Nurse", datetime(2026, 12, 1, 13, 2))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "01/07/2026 at 14:02" in str(summer)
    assert "01/12/2026 at 13:02" in str(winter)
