"""Bad input everywhere: hypothesis throws random and hostile values at the services.

Whatever comes in (control characters, NUL, which PostgreSQL cannot store, 100,000
characters, right-to-left text and emoji, impossible numbers and dates), a service either
accepts it, storing exactly what a later read gives back, or refuses it with a DomainError
(a ValidationError naming one of the call's fields, when the input is at fault) and leaves
the database as it was: the same rows in every table and the same patient versions.

The fixtures are per test, not per example: the examples of one test share a database,
which grows as valid inputs are accepted (and so reaches more of each service's rules).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, func, select

from ltcdesk.db import Database
from ltcdesk.domain.errors import DomainError, ValidationError
from ltcdesk.domain.nhs_number import complete
from ltcdesk.domain.validate import EARLIEST_DOB
from ltcdesk.models import Patient
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.services.patients import (
    NewCarer,
    NewConsent,
    NewPatient,
    PatientChanges,
    PatientService,
    RecordEdits,
)
from ltcdesk.services.setup import SetupService
from tests.conftest import TODAY

T = TypeVar("T")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MESSAGE_MAX = 400  # a refusal is a sentence, not the input echoed back
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}

# ------------------------------------------------------------------ strategies

HOSTILE = [
    "",
    "   ",
    "\x00",
    "Smith\x00",
    "\x00Smith",
    "a\x00b",
    "Line\nbreak",
    "tab\there",
    "\r\n",
    "\u2028",
    "\u202eevil\u202c",
    "\u200f",
    "\ufeffBOM",
    "\ud800",
    "\uffff",
    "\U0010ffff",
    "\x1b[31mred",
    "محمد",
    "שרה כהן",
    "👨\u200d👩\u200d👧",
    "😀",
    "Zoë",
    "Zoe\u0308",
    "Ω" * 101,
    "x" * 201,
    "' OR 1=1 --",
    "%",
    "_",
    "Robert'); DROP TABLE patients;--",
    "null",
    "None",
    "0",
    "-1",
]


def huge(n: int = 100_000) -> st.SearchStrategy[str]:
    return st.sampled_from(["a", "\x00", "é", "😀", "ש", " ", "\n", "9"]).map(lambda c: c * n)


nasty_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"]),
        min_size=1,
        max_size=5,
    ),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=5),
        st.sampled_from(HOSTILE),
        st.text(max_size=5),
    ),
    huge(),
    st.integers(101, 60_000).map(lambda n: "A" * n),
)


def sometimes(good: st.SearchStrategy[T]) -> st.SearchStrategy[T | str]:
    """Mostly plausible values (so the accepting path runs), often hostile ones."""
    return st.one_of(good, nasty_text)


names = sometimes(
    st.sampled_from(["Smith", "O'Brien", "Zoë", "محمد", "שרה", "李", "Nguyễn", "Ní Bhriain"])
)
valid_nhs = st.integers(0, 999_999).map(lambda n: complete(f"999{n:06d}")).filter(bool)
nhs_numbers = st.one_of(
    valid_nhs,
    nasty_text,
    st.text(alphabet="0123456789 -", max_size=14),
    st.sampled_from(["9434765918", "943 476 5919", "٩٤٣٤٧٦٥٩١٩", "９４３４７６５９１９"]),
)
dates = st.one_of(
    st.none(),
    st.dates(),
    st.datetimes(),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),
    st.dates(date(1890, 1, 1), TODAY).map(lambda d: f"{d:%d/%m/%Y}"),
    st.sampled_from(
        [
            "31/02/2020",
            "2020-02-30",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "99999-01-01",
            "00/00/0000",
            "1/1/1",
            "yesterday",
            "٢٠٢٠-٠١-٠١",
            "2020-1-1",
            "2020-01-01T00:00",
            "2020-01-01\n",
            "22/11/2026",
            "23/11/2026",
        ]
    ),
    nasty_text,
)
levels = st.one_of(
    st.integers(-5, 8),
    st.integers(),
    st.sampled_from([10**100, -(10**100)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["1", "2", "3", " 2 ", "３", "٢", "1.0", "2e0", "0x2", "+3", "-1", "9" * 5000]),
    nasty_text,
)
phones = sometimes(
    st.sampled_from(["0116 496 0123", "+44 116 496 0123", "+4411649601234567890", "07700 900123"])
)
postcodes = sometimes(
    st.sampled_from(["LE4 7AB", "le47ab", "SW1A 1AA", "LE4\u00a07AB", "LE4 7AB\n"])
)
practices = sometimes(st.sampled_from(["C82001", "c82002", "C82009", "C8200", "Z99999"]))
usernames = sometimes(
    st.sampled_from(
        ["matron1", "matron2", "nurse", "lead", "navigator", "admin", "Nurse ", "nobody"]
    )
)
condition_codes = sometimes(st.sampled_from(["DM", "copd", "HF", " AF ", "XYZ", "D M", "DM\n"]))
optional_bools = st.one_of(st.none(), st.booleans())


# ------------------------------------------------------------------ the harness


class World:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tables = MetaData()
        self.tables.reflect(bind=db.engine)
        self.nhs = complete("999000001") or ""
        self.other = complete("999000002") or ""
        for number in (self.nhs, self.other):
            self.patients().register(
                NewPatient(number, "Fuzz", "Fiona", "1940-06-01", "C82001", sex="female")
            )
        self.patients().add_condition(self.nhs, "DM", "2001-01-01")
        self.caseload().assign(self.other, "matron1", 2, start_date="2026-01-05")
        self._next = 500_000

    def patients(self, user: str = "lead") -> PatientService:
        return PatientService(self.db.sessions, user, today=lambda: TODAY)

    def caseload(self, user: str = "lead") -> CaseloadService:
        return CaseloadService(self.db.sessions, user, today=lambda: TODAY)

    def setup(self) -> SetupService:
        return SetupService(self.db.sessions, "admin")

    def fresh_patient(self, *, on_caseload: bool = False) -> str:
        while True:  # skipping numbers a fuzzed registration may have taken
            self._next += 1
            number = complete(f"999{self._next:06d}")
            if number and number not in self.snapshot()[1]:
                break
        self.patients().register(NewPatient(number, "Fresh", "Fred", "1950-01-01", "C82002"))
        if on_caseload:
            self.caseload().assign(number, "matron1", 2, start_date="2026-01-05")
        return number

    def snapshot(self) -> tuple[dict[str, int], dict[str, int]]:
        """Row counts of every table, and every patient's version."""
        with self.db.engine.connect() as conn:
            counts = {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in self.tables.tables.items()
            }
            versions = dict(conn.execute(select(Patient.nhs_number, Patient.version)).all())
        return counts, versions

    def attempt(self, fields: set[str], call: Callable[[], T]) -> T | None:
        """``call``'s result, or None when it was refused as it should be."""
        before = self.snapshot()
        try:
            return call()
        except DomainError as exc:
            refusal = exc
        if isinstance(refusal, ValidationError):
            assert refusal.field in fields, f"unexpected field {refusal.field!r}: {refusal}"
            assert refusal.message
        check_refusal(refusal)
        assert self.snapshot() == before, "a refused call changed the database"
        return None


def check_refusal(exc: DomainError) -> None:
    message = str(exc)
    assert message.strip()
    assert len(message) <= MESSAGE_MAX, f"message of {len(message):,} characters"
    assert "\x00" not in message


def clean(value: object) -> str | None:
    """What a text field should store for ``value`` when it is accepted."""
    text = unicodedata.normalize("NFC", str(value).strip()) if value is not None else ""
    return text or None


def assert_storable(text: str | None) -> None:
    if text is not None:
        allowed = "\n\t\u200c\u200d"
        assert not any(unicodedata.category(ch) in _INVISIBLE and ch not in allowed for ch in text)
        assert len(text) <= 20_000


@pytest.fixture
def world(team: Database) -> World:
    return World(team)


REGISTER_FIELDS = {
    "NHS number",
    "family name",
    "given name",
    "date of birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "preferred contact",
    "language",
    "practice",
}
DETAIL_FIELDS = REGISTER_FIELDS - {"NHS number"}
CARER_FIELDS = {"carer name", "relationship", "carer phone", "support offered on"}
CONDITION_FIELDS = {"condition", "diagnosis date"}
CONSENT_FIELDS = {"consent", "consent date", "consent note"}
CASELOAD_FIELDS = {
    "NHS number",
    "key worker",
    "new key worker",
    "level",
    "reason",
    "start date",
    "transfer date",
    "date",
    "patients",
}

# ------------------------------------------------------------------ patients


@FUZZ
@given(
    nhs=nhs_numbers,
    family=names,
    given_name=names,
    dob=dates,
    practice=practices,
    sex=sometimes(st.sampled_from(["female", "Male", "other", "unknown", "F"])),
    address=st.one_of(st.none(), sometimes(st.just("1 High Street, Leicester"))),
    postcode=st.one_of(st.none(), postcodes),
    phone=st.one_of(st.none(), phones),
    contact=st.one_of(st.none(), sometimes(st.sampled_from(["phone", "home visit", "Letter"]))),
    language=st.one_of(st.none(), names),
)
def test_register(
    world, nhs, family, given_name, dob, practice, sex, address, postcode, phone, contact, language
):
    new = NewPatient(
        nhs, family, given_name, dob, practice, sex, address, postcode, phone,
        False, contact, True, language,
    )  # fmt: skip
    detail = world.attempt(REGISTER_FIELDS, lambda: world.patients().register(new))
    if detail is None:
        return
    assert (detail.family_name, detail.given_name) == (clean(family), clean(given_name))
    assert detail.address == clean(address)
    assert detail.language == clean(language)
    assert EARLIEST_DOB <= detail.date_of_birth <= TODAY
    assert detail.version == 1
    for text in (detail.family_name, detail.given_name, detail.address, detail.phone):
        assert_storable(text)
    again = world.patients().get(detail.nhs_number)  # read back through a new session
    assert again == detail


@FUZZ
@given(
    family=st.one_of(st.none(), names),
    given_name=st.one_of(st.none(), names),
    dob=dates,
    sex=st.one_of(st.none(), sometimes(st.just("male"))),
    address=st.one_of(st.none(), nasty_text),
    postcode=st.one_of(st.none(), postcodes),
    phone=st.one_of(st.none(), phones),
    practice=st.one_of(st.none(), practices),
    lives_alone=optional_bools,
    language=st.one_of(st.none(), names),
    stale=st.one_of(st.none(), st.just(0), st.integers(-(2**70), 2**70)),
)
def test_save_record_details(
    world,
    family,
    given_name,
    dob,
    sex,
    address,
    postcode,
    phone,
    practice,
    lives_alone,
    language,
    stale,
):
    changes = PatientChanges(
        family, given_name, dob, sex, address, postcode, phone, practice, lives_alone,
        None, None, language,
    )  # fmt: skip
    current = world.snapshot()[1][world.nhs]
    expected = None if stale is None else (current if stale == 0 else stale)
    detail = world.attempt(
        DETAIL_FIELDS,
        lambda: world.patients().save_record(world.nhs, RecordEdits(changes=changes), expected),
    )
    if detail is None:
        return
    assert detail.version in (current, current + 1)
    if family is not None:
        assert detail.family_name == clean(family)
    if address is not None:
        assert detail.address == clean(address)
    assert world.patients().get(world.nhs) == detail


@FUZZ
@given(code=condition_codes, diagnosed_on=dates)
def test_add_condition(world, code, diagnosed_on):
    nhs = world.fresh_patient()
    detail = world.attempt(
        CONDITION_FIELDS, lambda: world.patients().add_condition(nhs, code, diagnosed_on)
    )
    if detail is not None:
        (condition,) = detail.conditions
        assert condition.code == str(code).strip().upper()
        when = condition.diagnosed_on
        assert when is None or date(1950, 1, 1) <= when <= TODAY


@FUZZ
@given(code=condition_codes, ended_on=dates, reason=st.one_of(st.none(), nasty_text))
def test_end_condition(world, code, ended_on, reason):
    nhs = world.fresh_patient()
    world.patients().add_condition(nhs, "DM", "2001-01-01")
    detail = world.attempt(
        CONDITION_FIELDS | {"end date", "reason"},
        lambda: world.patients().end_condition(nhs, code, ended_on, reason),
    )
    if detail is not None:
        (condition,) = detail.conditions
        assert condition.ended_on is not None
        assert date(2001, 1, 1) <= condition.ended_on <= TODAY
        assert condition.ended_reason == clean(reason)


@FUZZ
@given(
    name=names,
    relationship=st.one_of(st.none(), nasty_text, st.just("daughter")),
    phone=st.one_of(st.none(), phones),
    lives_with=st.booleans(),
    offered=st.booleans(),
    offered_on=dates,
)
def test_add_carer(world, name, relationship, phone, lives_with, offered, offered_on):
    carer = NewCarer(name, relationship, phone, lives_with, offered, offered_on)
    before = len(world.patients().get(world.nhs).carers)
    detail = world.attempt(
        CARER_FIELDS,
        lambda: world.patients().save_record(world.nhs, RecordEdits(add_carers=(carer,))),
    )
    if detail is None:
        return
    assert len(detail.carers) == before + 1
    added = detail.carers[-1]
    assert (added.name, added.relationship) == (clean(name), clean(relationship))
    assert added.support_offered_on is None or date(1940, 6, 1) <= added.support_offered_on <= TODAY


@FUZZ
@given(
    status=sometimes(st.sampled_from(["given", "declined", "not asked", "NOT_ASKED", "yes"])),
    recorded_on=dates,
    note=st.one_of(st.none(), nasty_text, st.just("Discussed with\r\ndaughter present")),
)
def test_record_consent(world, status, recorded_on, note):
    detail = world.attempt(
        CONSENT_FIELDS,
        lambda: world.patients().record_consent(world.nhs, status, recorded_on, note),
    )
    if detail is None:
        return
    assert detail.consent is not None
    assert date(1940, 6, 1) <= detail.consent.recorded_on <= TODAY
    if detail.consent.note is not None:
        assert "\r" not in detail.consent.note
        assert_storable(detail.consent.note)


@FUZZ
@given(
    family=st.one_of(st.none(), names),
    conditions=st.lists(st.tuples(condition_codes, dates), max_size=3),
    carers=st.lists(
        st.builds(NewCarer, names, st.none(), st.one_of(st.none(), phones)), max_size=2
    ),
    consent=st.one_of(st.none(), st.builds(NewConsent, st.sampled_from(["given", "maybe"]), dates)),
)
def test_save_record_is_all_or_nothing(world, family, conditions, carers, consent):
    edits = RecordEdits(
        changes=PatientChanges(family_name=family),
        add_conditions=tuple(conditions),
        add_carers=tuple(carers),
        consent=consent,
    )
    nhs = world.fresh_patient()
    fields = DETAIL_FIELDS | CONDITION_FIELDS | CARER_FIELDS | CONSENT_FIELDS
    detail = world.attempt(fields, lambda: world.patients().save_record(nhs, edits, 1))
    if detail is not None:
        assert len(detail.conditions) == len(conditions)
        assert len(detail.carers) == len(carers)
        # One save, one version; a family name set to what it was changes nothing.
        assert detail.version == 2 if conditions or carers or consent else detail.version in (1, 2)


@FUZZ
@given(date_of_death=dates)
def test_record_death(world, date_of_death):
    nhs = world.fresh_patient(on_caseload=True)
    detail = world.attempt(
        {"date of death"}, lambda: world.patients().record_death(nhs, date_of_death)
    )
    if detail is not None:
        assert detail.date_of_death is not None
        assert detail.date_of_death <= TODAY
        assert detail.assignment is None


@FUZZ
@given(text=st.one_of(nasty_text, st.just("Fuzz"), st.just("999"), st.just("%")))
def test_searching(world, text):
    found = world.attempt({"search"}, lambda: world.patients().search(text))
    if found is not None and text == "%":
        assert found == []  # a literal percent sign, not a wildcard
    world.attempt(
        {"search", "key worker", "practice", "condition"},
        lambda: world.caseload().list_caseload(CaseloadFilter(text=text, worker=text[:30])),
    )


# ------------------------------------------------------------------ caseloads


@FUZZ
@given(
    worker=usernames,
    level=levels,
    reason=st.one_of(st.none(), nasty_text),
    start=dates,
    nhs_garbage=st.one_of(st.none(), nhs_numbers),
)
def test_assign(world, worker, level, reason, start, nhs_garbage):
    nhs = nhs_garbage or world.fresh_patient()
    view = world.attempt(
        CASELOAD_FIELDS, lambda: world.caseload().assign(nhs, worker, level, reason, start)
    )
    if view is not None:
        assert view.level in (1, 2, 3)
        assert date(1950, 1, 1) <= view.start_date <= TODAY
        assert view.start_reason == clean(reason)


@FUZZ
@given(
    level=levels,
    reason=st.one_of(st.none(), nasty_text, st.just("Reviewed")),
    worker=st.one_of(st.none(), usernames),
    on=dates,
)
def test_change_level(world, level, reason, worker, on):
    nhs = world.fresh_patient(on_caseload=True)
    view = world.attempt(
        CASELOAD_FIELDS, lambda: world.caseload().change_level(nhs, level, reason, worker, on)
    )
    if view is not None:
        assert view.level in (1, 3)
        assert date(2026, 1, 5) <= view.start_date <= TODAY


@FUZZ
@given(worker=usernames, reason=st.one_of(st.none(), nasty_text, st.just("Leave cover")), on=dates)
def test_transfer(world, worker, reason, on):
    nhs = world.fresh_patient(on_caseload=True)
    view = world.attempt(
        CASELOAD_FIELDS, lambda: world.caseload().transfer(nhs, worker, reason, on)
    )
    if view is not None:
        assert view.key_worker_username != "matron1"
        assert date(2026, 1, 5) <= view.start_date <= TODAY


@FUZZ
@given(
    extra=st.lists(nhs_numbers, max_size=3),
    worker=usernames,
    reason=st.one_of(st.none(), nasty_text, st.just("Leave cover")),
    level=levels,
    data=st.data(),
)
def test_bulk_operations(world, extra, worker, reason, level, data):
    batch = [world.fresh_patient(on_caseload=True) for _ in range(2)]
    batch = data.draw(st.permutations([*batch, *extra]))
    world.attempt(CASELOAD_FIELDS, lambda: world.caseload().bulk_transfer(batch, worker, reason))
    world.attempt(CASELOAD_FIELDS, lambda: world.caseload().bulk_change_level(batch, level, reason))


# ------------------------------------------------------------------ setting up


@FUZZ
@given(code=practices, name=sometimes(st.just("Castle Street Surgery")))
def test_add_practice(world, code, name):
    view = world.attempt(
        {"practice code", "practice name"}, lambda: world.setup().add_practice(code, name)
    )
    if view is not None:
        assert view.name == clean(name)
        assert len(view.name) <= 100


@FUZZ
@given(
    username=sometimes(st.sampled_from(["new.nurse", "a.b-c_d", "X", "nurse"])),
    display=names,
    role=sometimes(
        st.sampled_from(["district_nurse", "District nurse", "gp", "read-only", "boss"])
    ),
    team=st.one_of(st.none(), sometimes(st.just("Northfield"))),
)
def test_add_staff(world, username, display, role, team):
    view = world.attempt(
        {"username", "display name", "role", "team"},
        lambda: world.setup().add_staff(username, display, role, team),
    )
    if view is not None:
        assert view.display_name == clean(display)
        assert view.team is None or len(view.team) <= 100


# ------------------------------------------------------------------ a few by hand


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda w: w.patients().add_condition(w.nhs, "DM\x00"), "condition"),
        (lambda w: w.caseload().assign(w.nhs, "matron1\x00", 2), "key worker"),
        (lambda w: w.caseload().transfer(w.other, "nurse", "x" * 501), "reason"),
        (lambda w: w.patients().add_carer(w.nhs, "Ann", phone="+" + "1" * 20), "carer phone"),
        (lambda w: w.patients().record_consent(w.nhs, "given", "0001-01-01"), "consent date"),
        (lambda w: w.caseload().assign(w.nhs, "nurse", 2, start_date="1900-01-01"), "start date"),
        (lambda w: w.setup().add_practice("C82099", "P" * 150), "practice name"),
        (lambda w: w.setup().add_staff("new.one", "New One", "gp", "T" * 150), "team"),
        (
            lambda w: w.patients().register(
                NewPatient("1" * 100_000, "A", "B", "1950-01-01", "C82001")
            ),
            "NHS number",
        ),
        (
            lambda w: w.patients().save_record(
                w.nhs, RecordEdits(changes=PatientChanges(date_of_birth="2005-01-01"))
            ),
            "date of birth",
        ),
        (lambda w: w.caseload().bulk_transfer([w.other, "123"], "nurse", "Leave"), "NHS number"),
        (lambda w: w.caseload().change_level(w.other, True, "Up"), "level"),
        (lambda w: w.caseload().change_level(w.other, 3.0, "Up"), "level"),
        (
            lambda w: w.patients().register(
                NewPatient("9991000003", "!!!", "B", "1950-01-01", "C82001")
            ),
            "family name",
        ),
        (
            lambda w: w.patients().register(
                NewPatient(
                    "9991000003",
                    "A",
                    "B",
                    datetime(1950, 1, 1, 12),
                    "C82001",
                    phone="0116 496 0123\n",
                )
            ),
            None,
        ),
    ],
)
def test_known_bad_inputs_are_named(world, call, field):
    result = world.attempt({field} if field else set(), lambda: call(world))
    assert (result is None) == (field is not None)


def test_a_datetime_is_stored_as_its_day(world):
    nhs = world.fresh_patient()
    detail = world.patients().add_condition(nhs, "HF", datetime(2020, 5, 6, 23, 59))
    assert detail.conditions[0].diagnosed_on == date(2020, 5, 6)
    assert type(detail.conditions[0].diagnosed_on) is date
