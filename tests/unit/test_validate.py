from __future__ import annotations

import unicodedata
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
    stripped = unicodedata.normalize("NFC", raw.strip())
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


# ------------------------------------------------------------------ hostile input (issue 4)


def test_nul_and_invisible_formatting_are_refused_but_joiners_are_not():
    for bad in ("Smith\x00", "\u202eevil", "a\ufeffb", "x\u00ady", "\ud800", "\ue000"):
        with pytest.raises(ValidationError, match="control characters"):
            validate.text(bad, "family name")
    # Zero-width (non-)joiners are part of Persian and Indic names and emoji sequences.
    for good in ("Mohammad\u200cReza", "👨\u200d👩\u200d👧", "محمد", "שרה"):
        assert validate.text(good, "family name") == good


def test_line_separators_only_in_multiline_text():
    with pytest.raises(ValidationError, match="control characters"):
        validate.text("one\u2028two", "address")
    assert validate.text("one\u2028two", "note", multiline=True) == "one\u2028two"


def test_multiline_text_keeps_line_breaks_as_newlines():
    assert validate.text("a\r\nb\rc", "note", multiline=True) == "a\nb\nc"


def test_text_is_stored_in_normal_form_c():
    assert validate.text("Zoe\u0308", "given name") == "Zo\u00eb"


def test_names_need_a_letter():
    assert validate.name("O'Brien-Smith", "family name") == "O'Brien-Smith"
    for bad in ("!!!", "123", "😀", "--"):
        with pytest.raises(ValidationError, match="has no letters"):
            validate.name(bad, "family name")


def test_required_labels_fit_their_columns():
    assert validate.required_text("P" * 100, "practice name") == "P" * 100
    with pytest.raises(ValidationError, match="too long"):
        validate.required_text("P" * 101, "practice name")


def test_dates_take_ascii_digits_only_and_a_datetime_keeps_its_day():
    from datetime import datetime

    for bad in ("٢٠٢٠-٠١-٠١", "２０２０-０１-０１", "2020-01-01\n1", "1/1/1"):
        with pytest.raises(ValidationError) as info:
            validate.parse_date(bad, "start date")
        assert info.value.field == "start date"
    assert validate.parse_date(datetime(2020, 5, 6, 23, 59), "d") == date(2020, 5, 6)
    assert type(validate.parse_date(datetime(2020, 5, 6), "d")) is date


def test_event_dates_fall_between_birth_and_today():
    born = date(1940, 6, 1)
    assert validate.event_date(None, "consent date", today=TODAY, born=born) is None
    assert validate.event_date(None, "d", today=TODAY, born=born, default_today=True) == TODAY
    with pytest.raises(ValidationError, match="before the date of birth"):
        validate.event_date("0001-01-01", "consent date", today=TODAY, born=born)
    with pytest.raises(ValidationError, match="in the future"):
        validate.event_date("9999-12-31", "consent date", today=TODAY, born=born)


def test_levels_refuse_lookalikes():
    assert validate.level(2) == 2
    assert validate.level(" 3 ") == 3
    for bad in (True, 2.0, "３", "٢", "+3", "2.0", 10**100, "9" * 5000):
        with pytest.raises(ValidationError, match="must be 1, 2 or 3") as info:
            validate.level(bad)
        assert len(str(info.value)) < 100


def test_phone_numbers_fit_the_column():
    assert validate.phone("+44 116 496 0123") == "+44 116 496 0123"
    with pytest.raises(ValidationError, match="not a telephone number"):
        validate.phone("+" + "1" * 20)


def test_identifiers_refuse_a_trailing_newline_inside():
    with pytest.raises(ValidationError):
        validate.username("nurse\n1")
    with pytest.raises(ValidationError):
        validate.practice_code("C8200\n")
    assert validate.condition_code(" copd ") == "COPD"
    with pytest.raises(ValidationError, match="not a known long term condition code"):
        validate.condition_code("DM\x00")


def test_nhs_numbers_far_too_long_are_refused_briefly():
    with pytest.raises(ValidationError) as info:
        validate.nhs("1" * 100_000)
    assert info.value.field == "NHS number"
    assert len(str(info.value)) < 100
    with pytest.raises(ValidationError, match="control characters"):
        validate.nhs("943 476\x00 5919")
    assert validate.nhs(" 943-476-5919 ") == "9434765919"


@given(st.text(max_size=60))
def test_quoted_input_is_short_and_visible(raw):
    shown = validate.shown(raw)
    assert len(shown) <= 40 * 10 + 1
    assert shown.isprintable()


def test_condition_filters_take_only_known_codes():
    assert validate.known_condition(" copd ") == "COPD"
    assert validate.known_condition("hf", "--condition") == "HF"
    for unknown in ("XYZ", "COPDX", "DIABETES"):
        with pytest.raises(ValidationError, match="is not a long term condition code") as info:
            validate.known_condition(unknown, "--condition")
        assert info.value.field == "--condition"
        assert "COPD" in info.value.message  # the known codes are listed
