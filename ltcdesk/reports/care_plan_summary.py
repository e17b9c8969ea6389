"""The one-page summary of a care plan: what matters, each goal with its scores and next
step, the contingency rows, the review date, and "See the full plan".

Long texts are cut at a word with "…". :func:`ltcdesk.reports.care_plan.render_care_plan_pdf`
tries the :data:`SUMMARY_LIMITS` loosest first and keeps the first that fits one page. In
large print (16 pt) a table has no room for three columns, so goals stack instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from ltcdesk.reports.care_plan_parts import (
    ScoreScale,
    esc,
    first_of_each_level,
    long_date,
    shorten,
    step_when,
)
from ltcdesk.services.careplan_views import LABELS, GoalView

if TYPE_CHECKING:
    from ltcdesk.reports.care_plan import CarePlanReport

SEE_FULL_PLAN = "This is a summary. See the full plan for everything we agreed."
SHORTENED = "Text ending in “…” has been shortened here."


@dataclass(frozen=True)
class SummaryLimits:
    """How much of each text the summary keeps (characters) and how many goals and
    contingency rows it lists."""

    goal: int
    matters: int
    step: int
    contingency: int
    goals: int
    rows: int


SUMMARY_LIMITS = (
    SummaryLimits(260, 420, 140, 170, 8, 6),
    SummaryLimits(180, 280, 100, 120, 8, 4),
    SummaryLimits(120, 180, 70, 80, 6, 3),
    SummaryLimits(80, 110, 50, 55, 6, 3),
    SummaryLimits(55, 70, 35, 40, 4, 3),
    SummaryLimits(40, 50, 25, 30, 3, 3),
    SummaryLimits(30, 35, 20, 22, 2, 3),
)


class SummaryLayout:
    """Builds the summary's flowables for one report at one set of limits."""

    def __init__(self, report: CarePlanReport, limits: SummaryLimits) -> None:
        self.r = report
        self.lim = limits
        self.shortened = False

    def short(self, text: str | None, limit: int) -> str:
        cut, was_cut = shorten(text, limit)
        self.shortened |= was_cut
        return esc(cut)

    def story(self) -> list[Flowable]:
        r, plan = self.r, self.r.plan
        out = r.title_block()
        out += [
            r.p("What matters to me", "h2"),
            r.p(self.short(plan.what_matters, self.lim.matters)),
        ]
        out.append(r.p("My goals", "h2"))
        if not plan.goals:
            out.append(r.p("No goals have been written down yet."))
        elif r.large_print:
            out += self.goals_stacked()
        else:
            out.append(self.goals_table())
        out.append(r.p("If things get worse", "h2"))
        if plan.contingency:
            out.append(self.contingency())
        else:
            out.append(r.p("No plan for this has been written down yet."))
        if plan.review_date is None:
            review = "<b>Next review:</b> not set yet."
        else:
            by = f" with {esc(plan.reviewer)}" if plan.reviewer else ""
            review = f"<b>Next review:</b> {long_date(plan.review_date)}{by}."
        note = f"{SEE_FULL_PLAN} {SHORTENED}" if self.shortened else SEE_FULL_PLAN
        out += [Spacer(0, r.sizes.body * 0.4), r.p(review), r.p(note, "note")]
        return out

    def more_goals(self) -> str | None:
        more = len(self.r.plan.goals) - self.lim.goals
        if more <= 0:
            return None
        self.shortened = True
        return f"…and {more} more goal{'s' if more > 1 else ''}: see the full plan."

    def goals_table(self) -> Table:
        r, z = self.r, self.r.sizes
        rows: list[list[object]] = [r.header_row("My goal", "Scores", "Next step")]
        for goal in r.plan.goals[: self.lim.goals]:
            scores: list[Flowable] = []
            for name, value in (("Importance", goal.importance), ("Confidence", goal.confidence)):
                scale = ScoreScale(
                    value,
                    box=z.box,
                    font=r.fonts.regular,
                    bold=r.fonts.bold,
                    font_size=0,
                    numbers=False,
                    gap=0.6 * mm,
                )
                scores += [r.p(f"{name} {value} out of 10", "cell"), scale, Spacer(0, 2)]
            description = r.p(self.short(goal.description, self.lim.goal), "cell")
            rows.append([description, scores, r.p(self.next_step(goal), "cell")])
        more = self.more_goals()
        if more:
            rows.append([r.p(more, "cell"), "", ""])
        return r.table(rows, (0.44, 0.25, 0.31))

    def goals_stacked(self) -> list[Flowable]:
        r, out = self.r, []
        for goal in r.plan.goals[: self.lim.goals]:
            text = self.short(goal.description, self.lim.goal)
            lines = [
                r.p(f"<b>{goal.position}. {text}</b>"),
                r.p(
                    f"Importance {goal.importance} out of 10 · "
                    f"Confidence {goal.confidence} out of 10",
                    "bullet",
                ),
            ]
            step = self.next_step(goal)
            if step:
                lines.append(r.p(step, "bullet"))
            out.append(KeepTogether(lines))
        more = self.more_goals()
        if more:
            out.append(r.p(more))
        return out

    def next_step(self, goal: GoalView) -> str:
        parts = []
        if goal.steps:
            step = goal.steps[0]
            when = ", ".join(x for x in (step_when(step), step.how_often) if x)
            text = f"{step.what} ({when})" if when else step.what
            parts.append(f"<b>Next step:</b> {self.short(text, self.lim.step)}")
        # In large print a line a goal is all the page has room for: the step wins.
        if (goal.follow_up_who or goal.follow_up_when) and not (parts and self.r.large_print):
            how = LABELS.get(goal.follow_up_how or "", "")
            when = long_date(goal.follow_up_when, "")
            check = ", ".join(x for x in (goal.follow_up_who, when, how) if x)
            parts.append(f"<b>Check-in:</b> {self.short(check, self.lim.step)}")
        return "<br/>".join(parts)

    def contingency(self) -> Table:
        r, lim = self.r, self.lim
        rows: list[list[object]] = []
        extra: list[tuple[object, ...]] = []
        for n, row in enumerate(first_of_each_level(r.plan.contingency, lim.rows)):
            calls = list(dict.fromkeys(x for x in (row.call_in_hours, row.call_out_of_hours) if x))
            signs = self.short(row.signs, lim.contingency)
            do = f"<b>Do:</b> {self.short(row.action, lim.contingency)}"
            if calls:
                do += f"<br/><b>Call:</b> {self.short(' or '.join(calls), lim.contingency)}"
            if r.large_print:  # two columns: the level, then everything else
                level = r.rag_cell(row.level, meaning=False)
                rows.append([level, r.p(f"{signs}<br/>{do}", "cell")])
            else:
                rows.append([r.rag_cell(row.level), r.p(signs, "cell"), r.p(do, "cell")])
            extra += r.rag_style(row.level, n)
        shares = (0.2, 0.8) if r.large_print else (0.2, 0.38, 0.42)
        return r.table(rows, shares, header=False, extra=extra)
