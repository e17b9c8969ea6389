"""Messages quote what was typed escaped and shortened (issue 13)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.text import QUOTE_LIMIT, printable_message, quote_input


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("C8200X", "'C8200X'"),
        ("\x1b[2J\x1b[31mC82001", "'\\x1b[2J\\x1b[31mC82001'"),  # clear screen, red
        ("\u202eC82001", "'\\u202eC82001'"),  # right-to-left override
        ("a\u2066b\u2069", "'a\\u2066b\\u2069'"),  # bidi isolates
        ("one\ntwo\r", "'one\\ntwo\\r'"),
        ("nul\x00", "'nul\\x00'"),
        ("María O'Kon – Nguyễn", "'María O'Kon – Nguyễn'"),  # printable text stays as typed
    ],
)
def test_invisible_characters_are_written_out(typed, quoted):
    assert quote_input(typed) == quoted


def test_only_the_first_40_characters_are_quoted():
    assert quote_input("x" * 40) == "'" + "x" * 40 + "'"
    assert quote_input("y" * 41) == "'" + "y" * 40 + "…'"
    assert quote_input("z" * 100_000) == "'" + "z" * 40 + "…'"


@given(st.text(max_size=200))
def test_a_quote_is_one_printable_line_of_at_most_40_characters_typed(raw):
    quoted = quote_input(raw)
    assert quoted.isprintable()
    assert len(quoted) <= 2 + QUOTE_LIMIT * 10 + 1  # each character at most "\U0010ffff"


@pytest.mark.parametrize(
    "read",
    [
        lambda raw: validate.practice_code(raw),
        lambda raw: validate.postcode(raw),
        lambda raw: validate.parse_date(raw, "date"),
        lambda raw: validate.phone(raw),
        lambda raw: validate.condition_code(raw),
        lambda raw: validate.known_condition(raw),
        lambda raw: validate.level(raw),
        lambda raw: nhs_number.normalise(raw),
    ],
)
@pytest.mark.parametrize(
    "raw", ["\x1b]0;pwned\x07" + "A" * 100_000, "\u202e" + "9" * 99_999, "x\n" * 50_000]
)
def test_no_validator_echoes_escapes_or_a_pasted_essay(read, raw):
    with pytest.raises(ValidationError) as info:
        read(raw)
    said = str(info.value)
    assert len(said) < 200
    assert said.isprintable()


def test_a_whole_message_is_made_one_short_printable_line():
    assert printable_message("worker: no member of staff called 'x'") == (
        "worker: no member of staff called 'x'"
    )
    said = printable_message("bad: '" + "\x1b[2J" * 50_000 + "'")
    assert said.isprintable()
    assert len(said) < 700
    assert said.endswith("…")
