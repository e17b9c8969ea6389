"""What changed between two versions of a care plan ("compare versions"): pure, no I/O.

Goals are matched by their lineage (``goal_key``), so a goal carried into a review and
reworded shows as changed, not as one removed and another added.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ltcdesk.services.careplan_views import (
    LABELS,
    CarePlanView,
    Change,
    ContingencyRow,
    Contribution,
    CopyHolder,
    GoalView,
)

_SHORT = 60


def short(text: str, limit: int = _SHORT) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def _d(value: date | None) -> str | None:
    return f"{value:%d/%m/%Y}" if value else None


def _label(value: str | None) -> str | None:
    return LABELS.get(value, value) if value else None


def compare_plans(a: CarePlanView, b: CarePlanView) -> list[Change]:
    """Every difference from ``a`` (before) to ``b`` (after), section by section."""
    out: list[Change] = []
    _field(out, "about me", "About me", a.about_me, b.about_me)
    _field(out, "what matters", "What matters to me", a.what_matters, b.what_matters)
    _lines(out, "agenda", a.agenda, b.agenda)
    _goals(out, a.goals, b.goals)
    _lines(
        out,
        "contributions",
        map(_contribution, a.contributions),
        map(_contribution, b.contributions),
    )
    _lines(out, "contingency", map(_contingency, a.contingency), map(_contingency, b.contingency))
    for name, before, after in (
        ("Flu vaccine", a.preventive.flu_vaccine, b.preventive.flu_vaccine),
        (
            "Pneumococcal vaccine",
            a.preventive.pneumococcal_vaccine,
            b.preventive.pneumococcal_vaccine,
        ),
        ("Medicines review", a.preventive.medicines_review, b.preventive.medicines_review),
        ("Falls risk assessed", a.preventive.falls_risk_assessed, b.preventive.falls_risk_assessed),
    ):
        _field(out, "preventive", name, _d(before), _d(after))
    _field(out, "review", "Review date", _d(a.review_date), _d(b.review_date))
    _field(out, "review", "Reviewer", a.reviewer, b.reviewer)
    _lines(out, "copies", map(_copy, a.copies), map(_copy, b.copies))
    _field(out, "status", "Status", _label(a.status), _label(b.status))
    return out


def _field(
    out: list[Change], section: str, item: str, before: str | None, after: str | None
) -> None:
    if (before or None) != (after or None):
        out.append(Change(section, item, before or None, after or None))


def _lines(out: list[Change], section: str, before: Iterable[str], after: Iterable[str]) -> None:
    """Lists compared as sets of lines: what was removed, then what was added."""
    old, new = list(before), list(after)
    for line in old:
        if line not in new:
            out.append(Change(section, short(line), line, None))
    for line in new:
        if line not in old:
            out.append(Change(section, short(line), None, line))


def _contribution(c: Contribution) -> str:
    return f"{'I will' if c.by_person else c.who + ' will'}: {c.what}"


def _contingency(r: ContingencyRow) -> str:
    calls = "; ".join(x for x in (r.call_in_hours, r.call_out_of_hours) if x)
    return f"{LABELS[r.level]}: {r.signs} → {r.action}" + (f" ({calls})" if calls else "")


def _copy(c: CopyHolder) -> str:
    return f"{c.who} ({LABELS.get(c.role, c.role)})"


def _steps(g: GoalView) -> str:
    return "; ".join(
        ", ".join(
            x
            for x in (s.what, s.when, s.how_often, f"by {s.due_on:%d/%m/%Y}" if s.due_on else None)
            if x
        )
        for s in g.steps
    )


def _follow_up(g: GoalView) -> str | None:
    parts = [g.follow_up_who, _d(g.follow_up_when), _label(g.follow_up_how)]
    joined = ", ".join(p for p in parts if p)
    return joined or None


def _goals(out: list[Change], before: tuple[GoalView, ...], after: tuple[GoalView, ...]) -> None:
    old = {g.goal_key: g for g in before}
    new = {g.goal_key: g for g in after}
    for key, g in old.items():
        if key not in new:
            out.append(Change("goals", short(g.description), g.description, None))
    for key, g in new.items():
        was = old.get(key)
        name = short(g.description)
        if was is None:
            out.append(Change("goals", name, None, g.description))
            continue
        for what, x, y in (
            ("wording", was.description, g.description),
            ("importance", str(was.importance), str(g.importance)),
            ("confidence", str(was.confidence), str(g.confidence)),
            ("status", _label(was.status), _label(g.status)),
            ("quick win", "yes" if was.quick_win else "no", "yes" if g.quick_win else "no"),
            ("action plan", _steps(was), _steps(g)),
            ("follow-up", _follow_up(was), _follow_up(g)),
            ("what gets in the way", was.barriers, g.barriers),
            ("what would move it up a point", was.move_up, g.move_up),
            ("comment", was.comment, g.comment),
        ):
            _field(out, "goals", f"{name} – {what}", x, y)
