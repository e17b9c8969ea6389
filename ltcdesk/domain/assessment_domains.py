"""The domains of the single holistic assessment (issue 6; DOMAIN.md "Single assessment").

Each domain has a key, a label, whether it is CLINICAL (only clinical roles and the team lead
edit it; a care navigator reads it) and a few structured fields with their types and ranges.
``check_fields`` turns what a form or the CLI gave into stored values, raising
ValidationError naming "<domain>: <field>" (e.g. "medicines: regular medicines").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ltcdesk.domain.errors import ValidationError
from ltcdesk.domain.text import quote_input

POLYPHARMACY_AT = 10
BARTHEL_MAX = 20
NEED_TEXT_MAX = 500


class Kind(StrEnum):
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: Kind
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    max_len: int = 200


@dataclass(frozen=True)
class DomainSpec:
    key: str
    label: str
    clinical: bool
    fields: tuple[FieldSpec, ...]

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise ValidationError(self.label.lower(), f"no field {quote_input(key)}")


def _int(key: str, label: str, lo: int, hi: int) -> FieldSpec:
    return FieldSpec(key, label, Kind.INT, lo, hi)


def _bool(key: str, label: str) -> FieldSpec:
    return FieldSpec(key, label, Kind.BOOL)


def _date(key: str, label: str) -> FieldSpec:
    return FieldSpec(key, label, Kind.DATE)


def _choice(key: str, label: str, *choices: str) -> FieldSpec:
    return FieldSpec(key, label, Kind.CHOICE, choices=choices)


def _text(key: str, label: str, max_len: int = 200) -> FieldSpec:
    return FieldSpec(key, label, Kind.TEXT, max_len=max_len)


# Lawton IADL items, each 0 (needs help) or 1 (independent).
IADL_ITEMS = ("telephone", "shopping", "food_preparation", "housekeeping", "laundry",
              "transport", "medicines", "finances")  # fmt: skip

DOMAINS: tuple[DomainSpec, ...] = (
    DomainSpec("conditions", "Conditions and symptoms", True, (
        _int("symptom_burden", "symptom burden", 0, 10),
        _int("unplanned_admissions_12m", "unplanned admissions in 12 months", 0, 50),
        _bool("end_of_life", "end of life care"),
    )),
    DomainSpec("medicines", "Medicines", True, (
        _int("regular_medicines", "regular medicines", 0, 50),
        _bool("adherence_concerns", "adherence concerns"),
        _date("last_review", "last medicines review"),
    )),
    DomainSpec("mental_health", "Mental health and mood", True, (
        _int("phq2", "PHQ-2 score", 0, 6),
        _bool("low_mood", "low mood"),
        _bool("anxiety", "anxiety"),
    )),
    DomainSpec("memory", "Memory and cognition", True, (
        _bool("memory_concerns", "memory concerns"),
        _bool("dementia_diagnosis", "dementia diagnosis"),
        _int("six_cit", "6CIT score", 0, 28),
    )),
    DomainSpec("daily_living", "Daily living", True, (
        _int("barthel_total", "Barthel index", 0, BARTHEL_MAX),
        _int("iadl_total", "IADL score", 0, len(IADL_ITEMS)),
        _text("iadl_help_with", "IADL help with"),
    )),
    DomainSpec("mobility_falls", "Mobility and falls", True, (
        _int("falls_last_12_months", "falls in the last 12 months", 0, 100),
        _bool("fear_of_falling", "fear of falling"),
        _choice("walking_aid", "walking aid", "none", "stick", "frame", "wheelchair"),
    )),
    DomainSpec("nutrition", "Nutrition and weight", True, (
        _int("must_score", "MUST score", 0, 6),
        _bool("weight_loss", "unplanned weight loss"),
        _bool("swallowing_problems", "swallowing problems"),
    )),
    DomainSpec("continence", "Continence", True, (
        _bool("bladder_problems", "bladder problems"),
        _bool("bowel_problems", "bowel problems"),
        _bool("uses_pads", "uses pads"),
    )),
    DomainSpec("skin", "Skin", True, (
        _bool("pressure_damage", "pressure damage"),
        _bool("wounds", "wounds"),
        _choice("pressure_risk", "pressure ulcer risk", "low", "medium", "high"),
    )),
    DomainSpec("sensory", "Sensory (sight, hearing)", True, (
        _bool("sight_problems", "sight problems"),
        _bool("hearing_problems", "hearing problems"),
        _bool("hearing_aids", "hearing aids"),
    )),
    DomainSpec("housing", "Housing and home safety", False, (
        _choice("tenure", "tenure", "owner", "social_rented", "private_rented", "care_home",
                "other"),
        _bool("home_hazards", "home hazards"),
        _bool("warm_enough", "home warm enough"),
        _bool("smoke_alarm", "working smoke alarm"),
    )),
    DomainSpec("money", "Money and benefits", False, (
        _bool("money_worries", "money worries"),
        _bool("benefits_check_wanted", "benefits check wanted"),
        _bool("attendance_allowance", "receives attendance allowance"),
    )),
    DomainSpec("social_contact", "Social contact and loneliness", False, (
        _bool("lives_alone", "lives alone"),
        _choice("loneliness", "loneliness", "never", "sometimes", "often"),
        _int("contacts_per_week", "contacts per week", 0, 100),
    )),
    DomainSpec("carers", "Carers and family", False, (
        _bool("has_carer", "has a carer"),
        _int("carer_strain", "carer strain", 0, 10),
        _bool("carer_assessment_offered", "carer's assessment offered"),
    )),
    DomainSpec("work", "Work and education", False, (
        _choice("status", "work status", "retired", "employed", "unemployed", "studying",
                "unable_to_work", "volunteering"),
        _bool("wants_support", "wants support with work or learning"),
    )),
    DomainSpec("spiritual", "Spiritual and cultural needs", False, (
        _text("faith_or_culture", "faith or culture"),
        _text("language", "preferred language", 60),
        _bool("interpreter_needed", "interpreter needed"),
    )),
    DomainSpec("what_matters", "What matters to me", False, (
        _text("in_my_words", "in my words", 1000),
    )),
    DomainSpec("risks", "Risks and safeguarding", True, (
        _bool("safeguarding_concern", "safeguarding concern"),
        _bool("self_neglect", "self-neglect"),
        _choice("risk_level", "risk level", "low", "medium", "high"),
    )),
)  # fmt: skip

BY_KEY: dict[str, DomainSpec] = {d.key: d for d in DOMAINS}
CLINICAL_DOMAINS = frozenset(d.key for d in DOMAINS if d.clinical)
SOCIAL_DOMAINS = frozenset(d.key for d in DOMAINS if not d.clinical)


def domain(key: str) -> DomainSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValidationError("domain", f"no assessment domain {quote_input(key)}") from None


def where(spec: DomainSpec, f: FieldSpec) -> str:
    """How a field is named in a message: "medicines: regular medicines"."""
    return f"{spec.label.lower()}: {f.label}"


def check_value(spec: DomainSpec, f: FieldSpec, value: object) -> object:
    """The stored (JSON-able) form of ``value``; None clears the field."""
    name = where(spec, f)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.kind is Kind.INT:
        if isinstance(value, bool):
            raise ValidationError(name, "must be a whole number")
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise ValidationError(name, "must be a whole number") from None
        lo = 0 if f.minimum is None else f.minimum
        hi = number if f.maximum is None else f.maximum
        if not lo <= number <= hi:
            raise ValidationError(name, f"must be between {lo} and {hi}")
        return number
    if f.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "y", "true", "1"):
            return True
        if text in ("no", "n", "false", "0"):
            return False
        raise ValidationError(name, "must be yes or no")
    if f.kind is Kind.DATE:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(name, "must be a date (YYYY-MM-DD)") from None
    if f.kind is Kind.CHOICE:
        text = str(value).strip()
        if text not in f.choices:
            raise ValidationError(name, f"must be one of {', '.join(f.choices)}")
        return text
    text = str(value).strip()
    if len(text) > f.max_len:
        raise ValidationError(name, f"must be at most {f.max_len} characters")
    return text


def check_fields(spec: DomainSpec, values: dict[str, object]) -> dict[str, object]:
    """Every field checked; unknown fields refused; None values dropped."""
    out: dict[str, object] = {}
    for key, value in values.items():
        checked = check_value(spec, spec.field(key), value)
        if checked is not None:
            out[key] = checked
    return out


def computed_flags(key: str, values: dict[str, object]) -> dict[str, object]:
    """Flags derived from the fields, never stored: polypharmacy at 10+ medicines."""
    if key == "medicines":
        count = values.get("regular_medicines")
        return {"polypharmacy": isinstance(count, int) and count >= POLYPHARMACY_AT}
    return {}
