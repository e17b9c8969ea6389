"""Working days in England and Wales, checked against the published bank holidays."""

from __future__ import annotations

from datetime import date

import pytest

from ltcdesk.domain.working_days import add_working_days, bank_holidays, easter_sunday

# GOV.UK, "UK bank holidays", England and Wales.
PUBLISHED = {
    2025: [(1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)],
    2026: [(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)],
    2027: [(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_are_the_published_ones(year):
    assert sorted(bank_holidays(year)) == [date(year, m, d) for m, d in PUBLISHED[year]]


def test_easter_and_a_new_year_substitute():
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2038)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2038, 4, 25),
    ]
    # 1 January 2028 is a Saturday: the holiday is Monday 3 January.
    assert date(2028, 1, 3) in bank_holidays(2028)
    assert date(2028, 1, 1) not in bank_holidays(2028)


def test_two_working_days_skip_weekends_and_bank_holidays():
    assert add_working_days(date(2026, 11, 18), 2) == date(2026, 11, 20)  # Wed → Fri
    assert add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 24)  # Fri → Tue
    # Discharged on the Thursday before Easter: Good Friday and Easter Monday skipped.
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)
    # Discharged on Christmas Eve 2026 (Thursday): 25th, weekend and the 28th skipped.
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)
