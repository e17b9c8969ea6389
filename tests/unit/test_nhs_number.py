from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltcdesk.domain import nhs_number
from ltcdesk.domain.errors import ValidationError

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
REPDIGITS = [str(d) * 10 for d in range(10)]


def repdigit(number: str) -> bool:
    return len(set(number)) == 1


def test_known_valid_number_is_accepted_in_every_written_form():
    for raw in ("9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "):
        assert nhs_number.normalise(raw) == "9434765919"


def test_display_form_groups_three_three_four():
    assert nhs_number.format_nhs("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("9434765918", "check digit"),
        ("943476591", "10 digits, not 9"),
        ("94347659190", "10 digits, not 11"),
        ("943A765919", "only digits"),
        ("", "required"),
        ("９４３４７６５９１９", "only digits"),  # full-width digits are not ASCII digits
    ],
)
def test_invalid_numbers_say_what_is_wrong(raw, fragment):
    with pytest.raises(ValidationError) as info:
        nhs_number.normalise(raw)
    assert info.value.field == "NHS number"
    assert fragment in str(info.value)


def test_a_remainder_of_ten_can_never_be_valid():
    # 000000006: sum = 6*2 = 12, 12 mod 11 = 1, 11-1 = 10 -> no valid check digit
    assert nhs_number.check_digit("000000006") is None
    assert all(not nhs_number.is_valid("000000006" + str(d)) for d in range(10))


@given(nine_digits)
def test_completed_numbers_validate_and_round_trip_through_display(stem):
    full = nhs_number.complete(stem)
    if full is None:
        return
    assert nhs_number.normalise(full) == full
    assert nhs_number.normalise(nhs_number.format_nhs(full)) == full


@given(nine_digits, st.integers(min_value=0, max_value=9))
def test_exactly_one_check_digit_is_valid(stem, digit):
    expected = nhs_number.check_digit(stem)
    number = stem + str(digit)
    assert nhs_number.is_valid(number) == (expected == digit and not repdigit(number))


@pytest.mark.parametrize("number", REPDIGITS)
def test_a_number_all_of_one_digit_is_refused(number):
    # 0000000000 and 1111111111 pass Modulus 11, but no person has them.
    with pytest.raises(ValidationError) as info:
        nhs_number.normalise(number)
    assert info.value.field == "NHS number"
    if nhs_number.check_digit(number[:9]) == int(number[9]):
        assert "all one digit" in str(info.value)
    assert nhs_number.complete(number[:9]) is None or nhs_number.complete(number[:9]) != number


def test_the_repdigits_that_pass_the_check_digit_are_the_ones_refused_for_it():
    passing = [n for n in REPDIGITS if nhs_number.check_digit(n[:9]) == int(n[9])]
    assert "0000000000" in passing
    assert "1111111111" in passing
    for number in passing:
        with pytest.raises(ValidationError, match="all one digit"):
            nhs_number.normalise(nhs_number.format_nhs(number))


@pytest.mark.parametrize(
    "raw",
    [
        "943\n476\n5919",
        "943\t476\t5919",
        "943\r4765919",
        "9434765919\x00",
        "943\x1b[2J4765919",
        "\u202e9434765919",
        "943\u2028476 5919",
        "943\x0b476\x0c5919",
    ],
)
def test_newlines_and_control_characters_are_not_separators(raw):
    # As registering a patient refuses them: one normaliser everywhere.
    from ltcdesk.domain import validate

    for read in (nhs_number.normalise, validate.nhs):
        with pytest.raises(ValidationError, match="control characters") as info:
            read(raw)
        assert "\x1b" not in str(info.value)
        assert "\u202e" not in str(info.value)
        assert "\n" not in str(info.value)


def test_a_pasted_essay_is_refused_without_being_echoed():
    with pytest.raises(ValidationError) as info:
        nhs_number.normalise("9" * 100_000)
    assert "too long" in str(info.value)
    assert len(str(info.value)) < 120


@given(nine_digits, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_in_the_first_nine_is_caught(stem, position, delta):
    full = nhs_number.complete(stem)
    if full is None:
        return
    typo = list(full)
    typo[position] = str((int(typo[position]) + delta) % 10)
    assert not nhs_number.is_valid("".join(typo))


@given(st.text(max_size=30))
def test_arbitrary_text_is_either_valid_or_a_validation_error(raw):
    try:
        digits = nhs_number.normalise(raw)
    except ValidationError:
        return
    assert len(digits) == 10
    assert digits.isdigit()
    assert not repdigit(digits)
    assert "\n" not in raw.strip()
    assert "\t" not in raw.strip()
