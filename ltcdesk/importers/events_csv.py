"""Hospital events from a CSV list: which columns hold what, and every row checked into a
plain dict ready for a bulk insert (no database here: the service passes in what it read).

One row per event: NHS number, event type, date and hospital; reason and expected
discharge optional. Column names are matched loosely ("NHS number", "nhs_number", "Event
type", "type" …); dates are DD/MM/YYYY or YYYY-MM-DD. A list repeats the same NHS
numbers, hospitals and dates again and again, so each distinct text is checked once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from typing import Any, TypeVar, cast

from ltcdesk.domain import nhs_number, validate
from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.hospital_events import HOSPITAL_MAX, REASON_MAX, check_dates, kind_of
from ltcdesk.importers.csv_text import CsvTable, header_key

COLUMNS = {
    "nhs": ("nhs number", "nhs_number", "nhs no", "nhsnumber", "nhs"),
    "kind": ("event type", "event_type", "type", "event", "kind"),
    "on": ("date", "event date", "event_date", "occurred on", "occurred_on"),
    "hospital": ("hospital", "provider", "site", "trust"),
    "reason": ("reason", "diagnosis", "presenting complaint", "notes"),
    "expected": ("expected discharge", "expected_discharge", "edd"),
}
REQUIRED = ("nhs", "kind", "on", "hospital")
WORDS = {"nhs": "NHS number", "kind": "event type", "on": "date", "hospital": "hospital"}
MAX_LISTED = 500  # rows with a problem listed by number; the rest are counted

T = TypeVar("T")


@dataclass(frozen=True)
class PatientFacts:
    """What checking an event needs to know about the person."""

    id: int
    born: date
    died: date | None
    in_reach: bool = True  # cared for by the importing user's team (need to know)


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number as a spreadsheet shows it (the header is row 1)
    message: str


@dataclass
class CheckedEvents:
    """The rows of a list, checked. ``events[i]`` came from spreadsheet row ``rows[i]``."""

    events: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    repeated: list[RowProblem] = field(default_factory=list)  # the same as an earlier row
    problems: list[RowProblem] = field(default_factory=list)  # at most MAX_LISTED
    problem_rows: int = 0


def columns_of(header: tuple[str, ...]) -> dict[str, int]:
    """Which column (by position) holds each field. Refused: a required field missing, or
    two columns that both name one field ("NHS number" and "NHS no")."""
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        key = header_key(name)
        for what, names in COLUMNS.items():
            if key in {header_key(n) for n in names}:
                if what in found:
                    first = header[found[what]]
                    raise ValidationError(
                        "file",
                        f"has two columns for the {WORDS.get(what, what)}: "
                        f"'{validate.shown(first)}' and '{validate.shown(name)}'; keep one",
                    )
                found[what] = position
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        shown = ", ".join(validate.shown(h) for h in header if h) or "no header"
        raise ValidationError(
            "file",
            "is missing the column(s) "
            + ", ".join(WORDS[m] for m in missing)
            + f" (found: {validate.shown(shown, 200)})",
        )
    return found


def check_rows(
    table: CsvTable, patients: Mapping[str, PatientFacts], *, today: date
) -> CheckedEvents:
    """Every row checked; nothing raised for a bad row: each is listed in ``problems``."""
    cols = columns_of(table.header)
    n = table.rows

    def column(what: str) -> Any:
        return table.columns[cols[what]] if what in cols else repeat("", n)

    out = CheckedEvents()
    seen: dict[tuple[int, str, date], int] = {}
    nhs_of: dict[str, str | ValidationError] = {}
    kinds: dict[str, str | ValidationError] = {}
    dates: dict[str, date | ValidationError | None] = {}
    homes: dict[str, date | ValidationError | None] = {}
    hospitals: dict[str, str | ValidationError | None] = {}
    reasons: dict[str, str | ValidationError | None] = {}

    def hospital(raw: str) -> str:
        return validate.required_text(raw, "hospital", max_len=HOSPITAL_MAX)

    def reason(raw: str) -> str | None:
        return validate.text(raw, "reason", max_len=REASON_MAX)

    def on(raw: str) -> date | None:
        return validate.parse_date(raw, "date", required=True)

    def expected(raw: str) -> date | None:
        return validate.parse_date(raw, "expected discharge")

    def problem(row: int, message: str) -> None:
        out.problem_rows += 1
        if len(out.problems) < MAX_LISTED:
            out.problems.append(RowProblem(row, message))

    rows = zip(
        range(n),
        column("nhs"),
        column("kind"),
        column("on"),
        column("hospital"),
        column("reason"),
        column("expected"),
        strict=False,
    )
    for index, raw_nhs, raw_kind, raw_on, raw_hospital, raw_reason, raw_expected in rows:
        row = index + 2
        if not (raw_nhs + raw_kind + raw_on + raw_hospital + raw_reason + raw_expected).strip():
            continue  # a blank line
        digits = _memo(nhs_of, nhs_number.normalise, raw_nhs)
        if isinstance(digits, ValidationError):
            problem(row, str(digits))
            continue
        person = patients.get(digits)
        if person is None or not person.in_reach:
            said = "is not registered here" if person is None else "is not cared for by your team"
            problem(row, f"NHS number: {nhs_number.format_nhs(digits)} {said}")
            continue
        values = (
            _memo(kinds, kind_of, raw_kind),
            _memo(dates, on, raw_on),
            _memo(hospitals, hospital, raw_hospital),
            _memo(reasons, reason, raw_reason),
            _memo(homes, expected, raw_expected),
        )
        error = next((v for v in values if isinstance(v, ValidationError)), None)
        if error is not None:
            problem(row, str(error))
            continue
        kind, when, where, why, home = cast(tuple[str, date, str, str | None, date | None], values)
        try:
            check_dates(kind, when, home, born=person.born, died=person.died, today=today)
        except ValidationError as err:
            problem(row, str(err))
            continue
        key = (person.id, kind, when)
        first = seen.get(key)
        if first is not None:
            out.repeated.append(
                RowProblem(row, f"the same as row {first} (same person, type and date)")
            )
            continue
        seen[key] = row
        out.events.append(
            {
                "patient_id": person.id,
                "kind": kind,
                "occurred_on": when,
                "hospital": where,
                "reason": why,
                "expected_discharge": home,
            }
        )
        out.rows.append(row)
    return out


def _memo(cache: dict[str, Any], check: Callable[[str], T], raw: str) -> T | ValidationError:
    """``check(raw)`` or the ValidationError it raised, computed once per distinct text.
    The error is returned, not raised: raising one object again and again would grow its
    traceback each time."""
    try:
        return cache[raw]
    except KeyError:
        pass
    result: T | ValidationError
    try:
        result = check(raw)
    except ValidationError as err:
        err.__traceback__ = None
        result = err
    cache[raw] = result
    return result
