"""The printed care plan: every section in plain English, scores as words and as drawn
scales, the person's name and NHS number and "Page X of Y" on every page, large print at
16 pt and up, a summary that is always one page, long texts that run over pages, and a
clinical copy with the version history and score trends."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pypdf
import pytest

from ltcdesk.reports.care_plan import CarePlanReport, render_care_plan_pdf
from ltcdesk.reports.care_plan_parts import ScoreScale, shorten
from ltcdesk.services.careplan_views import ActionStep, ContingencyRow, Preventive
from tests.unit.careplan_samples import PRINTED_AT, long_text, make_goal, sample_plan

NAME = "María O'Kon"
NHS_SHOWN = "943 476 5919"


def render(plan=None, **options) -> bytes:
    return render_care_plan_pdf(
        plan or sample_plan(), printed_by="Kate O'Connell", printed_at=PRINTED_AT, **options
    )


def pages(data: bytes) -> list[str]:
    """Each page's text with whitespace runs (and no-break spaces) made single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def with_goal(plan, position: int, description: str):
    goals = list(plan.goals)
    goals[position - 1] = replace(goals[position - 1], description=description)
    return replace(plan, goals=tuple(goals))


def test_the_persons_copy_has_every_section_in_plain_english():
    text = " ".join(pages(render()))
    for heading in (
        "My care and support plan",
        "What matters to me",
        "My goals",
        "What I will do",
        "What my team will do",
        "If things get worse",
        "Keeping well",
        "Who has a copy",
        "Next review",
        "Signature",
    ):
        assert heading in text, heading
    assert "Staying in my own home" in text
    assert "My breathing at night" in text  # the agenda
    assert "Age UK Leicester" in text
    assert "Befriending phone call every Tuesday." in text
    assert "Take my inhalers as the nurse showed me." in text
    assert "We will look at my plan again on 3 February 2027 with Mary Matron." in text
    assert "Agreed on 3 November 2026 with María O'Kon and her daughter Ana" in text


def test_goals_scores_steps_and_follow_up_are_printed():
    text = " ".join(pages(render()))
    assert "I want to walk to the corner shop on my own to get my paper." in text
    assert "Goal 1 (quick win)" in text
    for words in (
        "Importance 8 out of 10",
        "Confidence 5 out of 10",
        "Importance 9 out of 10",
        "Confidence 4 out of 10",
    ):
        assert words in text
    assert "Walk to the end of the road and back After breakfast Every day" in text
    assert "Mary Matron 1 December 2026 Phone call" in text  # who, when, how
    assert "What gets in the way: My breathing when it is cold" in text
    assert "What I said last time: I managed it twice last week" in text


def test_a_step_with_a_date_prints_by_when_next_to_when_and_how_often():
    plan = sample_plan()
    first = plan.goals[0]
    steps = (
        replace(first.steps[0], due_on=date(2026, 12, 5)),
        ActionStep("Ring the surgery about my flu jab", None, None, date(2027, 1, 8)),
        first.steps[1],
    )
    plan = replace(plan, goals=(replace(first, steps=steps), *plan.goals[1:]))
    text = " ".join(pages(render(plan)))
    assert "Walk to the end of the road and back After breakfast, by 05/12/2026 Every day" in text
    assert "Ring the surgery about my flu jab by 08/01/2027" in text
    assert "Use my blue inhaler before I go out Before I leave Each time" in text  # no date
    large = " ".join(pages(render(plan, large_print=True)))
    assert "by 05/12/2026" in large


def test_the_scores_are_drawn_as_eleven_box_scales_with_the_chosen_box():
    report = CarePlanReport(sample_plan(), printed_by="Kate", printed_at=PRINTED_AT)
    scales = []

    def collect(thing):
        if isinstance(thing, list | tuple):
            for item in thing:
                collect(item)
        elif isinstance(thing, ScoreScale):
            scales.append(thing)
        else:  # inside KeepTogether and Table cells
            for attr in ("_content", "_cellvalues"):
                collect(getattr(thing, attr, ()))

    collect(report.story())
    assert [s.value for s in scales] == [8, 5, 9, 4, 6, 8]
    assert all(s.count == 11 for s in scales)


def test_contingency_rows_say_green_amber_red_in_words_with_both_contacts():
    text = " ".join(pages(render()))
    green, amber, red = text.index("Green"), text.index("Amber"), text.index("Red")
    assert green < amber < red
    assert "I am getting worse" in text
    assert "Who to call, weekdays 9am to 5pm: Mary Matron 0116 496 0123" in text
    assert "Who to call, evenings, nights and weekends: NHS 111" in text
    assert "What I notice: Too breathless to speak" in text


def test_preventive_basics_say_done_booked_or_not_yet():
    text = " ".join(pages(render()))
    assert "Flu vaccination Done on 12 October 2026" in text
    assert "Pneumonia vaccination (pneumococcal) Not yet" in text
    assert "Medicines review Booked for 14 January 2027" in text
    assert "Falls risk check Done on 2 June 2026" in text


def test_copy_holders_are_listed_with_the_date_they_were_given_one():
    text = " ".join(pages(render()))
    assert "Ana O'Kon (daughter) Carer 4 November 2026" in text
    assert "Dr Priya Patel, Castle Street Surgery GP Not yet" in text


def test_name_nhs_number_and_page_x_of_y_are_on_every_page():
    plan = with_goal(sample_plan(goals=6), 2, long_text(3000))
    for options in ({}, {"large_print": True}, {"clinical": True}):
        texts = pages(render(plan, **options))
        assert len(texts) >= 3, options
        for number, text in enumerate(texts, start=1):
            assert NAME in text
            assert f"NHS number {NHS_SHOWN}" in text
            assert f"Page {number} of {len(texts)}" in text
            assert "CONFIDENTIAL" in text
        assert "Printed by Kate O'Connell on 22/11/2026 at 14:02" in texts[-1]


def test_pages_are_a4_portrait():
    for page in pypdf.PdfReader(io.BytesIO(render())).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595,
            842,
        )


def test_accented_names_and_apostrophes_print_in_dejavu():
    plan = sample_plan("Zoë Ní Bhriain", agreed_with="Zoë Ní Bhriain and Séamus")
    data = render(plan)
    text = " ".join(pages(data))
    assert "Zoë Ní Bhriain" in text
    assert "Zoë Ní Bhriain and Séamus" in text
    assert NAME not in text
    # Every piece of text, not just some (reportlab lists Helvetica on each page unused).
    fonts = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            fonts.add(str(font["/BaseFont"]))

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    assert {f.split("+")[-1] for f in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}


def test_markup_characters_in_what_people_typed_print_literally():
    plan = with_goal(sample_plan(), 1, "Go to <b>bingo</b> & the pub with Tom & Jerry")
    plan = replace(plan, what_matters="My cat <Tiddles> & my garden", patient_name="Ann <Smith>")
    text = " ".join(pages(render(plan)))
    assert "Go to <b>bingo</b> & the pub with Tom & Jerry" in text
    assert "My cat <Tiddles> & my garden" in text
    assert "Ann <Smith>" in text
    assert "Go back to the lunch club at St Mark's & see my friends." in text


def test_a_very_long_goal_wraps_and_runs_on_to_the_next_page():
    words = long_text(8000)
    texts = pages(render(with_goal(sample_plan(), 2, words)))
    start, end = words[:60], " ".join(words[-60:].split())
    first = next(n for n, t in enumerate(texts) if start in t)
    last = next(n for n, t in enumerate(texts) if end in t)
    assert last > first  # split across pages, nothing lost at the break
    joined = " ".join(texts)
    assert joined.count("without having to stop for breath") >= 8000 // len(words[:250]) - 1
    assert "Importance 9 out of 10" in texts[last] or "Importance 9 out of 10" in texts[last + 1]


def test_long_texts_in_table_cells_split_across_pages_in_large_print():
    huge = long_text(6000)
    plan = replace(
        sample_plan(),
        contingency=(ContingencyRow("amber", huge, huge, "Mary Matron 0116 496 0123", None),),
        contributions=(),
    )
    plan = replace(plan, goals=(make_goal(1, "Walk", 8, 5, steps=(), comment=huge),))
    texts = pages(render(plan, large_print=True))
    assert len(texts) >= 4
    assert "Who to call, weekdays 9am to 5pm: Mary Matron 0116 496 0123" in " ".join(texts)


def _body_font_sizes(data: bytes) -> list[tuple[float, str]]:
    """(size, text) of every piece of text that is not the header or footer."""
    found: list[tuple[float, str]] = []
    furniture = ("CONFIDENTIAL", "Printed by", "Page ", f"{NAME}    NHS")

    def visit(text, cm, tm, font, size):
        if text.strip() and not text.startswith(furniture):
            found.append((round(size * tm[0], 2), text.strip()))

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return found


def test_large_print_body_text_is_16_point_or_larger():
    normal = _body_font_sizes(render())
    large = _body_font_sizes(render(large_print=True))
    assert min(size for size, _ in normal) < 16  # the check can tell them apart
    small = [(size, text) for size, text in large if size < 16]
    assert not small, small[:5]
    assert max(size for size, _ in large) >= 21  # headings are bigger still
    text = " ".join(pages(render(large_print=True)))
    assert "Importance 8 out of 10" in text
    assert "If things get worse" in text


def test_large_print_summary_is_16_point_or_larger_too():
    small = [s for s in _body_font_sizes(render(summary=True, large_print=True)) if s[0] < 16]
    assert not small, small[:5]


@pytest.mark.parametrize("large_print", [False, True])
def test_the_summary_is_one_page_even_with_six_long_goals(large_print):
    plan = sample_plan(goals=6, what_matters=long_text(1500))
    plan = with_goal(plan, 3, long_text(2000))
    plan = replace(plan, contingency=plan.contingency * 3)
    texts = pages(render(plan, summary=True, large_print=large_print))
    assert len(texts) == 1
    text = texts[0]
    assert "My care and support plan: summary" in text
    assert "See the full plan" in text
    assert "…" in text
    assert "has been shortened" in text
    assert "Importance 8 out of 10" in text
    assert "Confidence 5 out of 10" in text
    assert "Next step:" in text
    for word in ("Green", "Amber", "Red"):
        assert word in text
    assert "Next review: 3 February 2027" in text
    assert NAME in text
    assert "Page 1 of 1" in text


def test_a_short_summary_keeps_every_word_and_says_nothing_was_shortened():
    text = pages(render(summary=True))[0]
    assert "See the full plan" in text
    assert "shortened" not in text
    assert "Staying in my own home, seeing my grandchildren on Sundays" in text
    assert "Sleep through the night without waking up breathless." in text
    assert "Check-in: Mary Matron, 1 December 2026, Phone call" in text


def test_shorten_cuts_at_a_word_and_marks_the_cut():
    assert shorten("short text", 50) == ("short text", False)
    cut, was_cut = shorten("the quick brown fox jumps over the lazy dog", 20)
    assert was_cut
    assert cut.endswith("…")
    assert len(cut) <= 20
    assert cut == "the quick brown fox…"
    assert shorten("  line\nbreaks  ", 50) == ("line breaks", False)


def test_the_clinical_copy_adds_version_history_and_score_trends():
    text = " ".join(pages(render(clinical=True)))
    assert "Care and support plan: clinical copy" in text
    assert "Version history" in text
    assert "1 Superseded 04/05/2026 09:30 Nia Nurse 04/05/2026 Nia Nurse 10/08/2026" in text
    assert "3 Agreed 01/11/2026 10:15 Mary Matron 03/11/2026 Mary Matron 03/02/2027" in text
    assert "Goal score trends" in text
    assert "Importance 6 → 8 → 8 · Confidence 2 → 4 → 5" in text
    assert "03/11/2026 8 out of 10 5 out of 10 Active I managed it twice last week." in text
    person = " ".join(pages(render()))
    assert "Version history" not in person


def test_summary_and_clinical_cannot_be_asked_for_together():
    with pytest.raises(ValueError, match="summary or as a clinical copy"):
        render(summary=True, clinical=True)


def test_a_draft_with_little_in_it_still_prints_and_says_it_is_a_draft():
    plan = replace(
        sample_plan(),
        status="draft",
        agreed_on=None,
        agreed_by=None,
        agreed_with=None,
        about_me=None,
        what_matters=None,
        agenda=(),
        goals=(),
        contributions=(),
        contingency=(),
        preventive=Preventive(None, None, None, None),
        review_date=None,
        reviewer=None,
        copies=(),
        history=(),
    )
    for options in ({}, {"summary": True}, {"clinical": True}, {"large_print": True}):
        text = " ".join(pages(render(plan, **options)))
        assert "DRAFT: this plan has not been agreed yet." in text
        assert "No goals have been written down yet." in text
        assert "Page 1 of" in text
    text = " ".join(pages(render(plan)))
    assert "A date to look at my plan again has not been set yet." in text
    assert "No one has been given a copy yet." in text


def test_a_closed_plan_says_when_it_was_closed():
    from datetime import date

    plan = replace(sample_plan(), status="closed", closed_on=date(2026, 12, 1))
    assert "This plan was closed on 1 December 2026." in pages(render(plan))[0]
