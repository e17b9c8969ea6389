"""The patient record's Assessment tab, driven as a user would on real services: a
telephone assessment from start to completion, needs turned into care plan goals and team
actions, a repeat assessment pre-filled from the last one with its changes listed, a care
navigator's read-only clinical domains, bad input named beside its field, consent to share
confirmed here, the printed summary, unsaved edits and a stale save."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox

from ltcdesk.app import build_services
from ltcdesk.domain import assessment_domains as ad
from ltcdesk.services.assessments import DomainEdit
from ltcdesk.services.patients import NewPatient
from ltcdesk.ui import tasks
from ltcdesk.ui.views.assessment_tab import AssessmentTab
from ltcdesk.ui.views.patient_record import PatientRecord
from tests.ui.test_patient_record import open_record

NHS = "9434765919"
NEED = "Loose stair carpet: falls risk on the stairs"
TODAY = date.today()


@pytest.fixture
def registered(team):
    """María O'Kon, registered and on Mary Matron's caseload, consent given."""
    lead = build_services(team, "lead")
    lead.patients.register(
        NewPatient(
            nhs_number=NHS,
            family_name="O'Kon",
            given_name="María",
            date_of_birth=date(1941, 3, 12),
            practice_code="C82001",
        )
    )
    lead.caseload.assign(NHS, "matron1", 2)
    lead.patients.record_consent(NHS, "given", date(2026, 1, 5), "At the first visit")
    return team


@pytest.fixture
def services(registered):
    return build_services(registered, "matron1")


@pytest.fixture(autouse=True)
def _synchronous_tasks():
    tasks.set_synchronous(True)
    yield
    tasks.set_synchronous(False)


def completed_assessment(db, on=date(2026, 1, 10)) -> int:
    """A completed face-to-face assessment: 6 medicines, a housing need."""
    s = build_services(db, "matron1").assessments
    a = s.start(NHS, "face_to_face", on)
    edits = {d.key: DomainEdit(confirmed=True) for d in a.domains}
    edits["medicines"] = DomainEdit({"regular_medicines": 6}, "Dosette box", confirmed=True)
    edits["housing"] = DomainEdit({"tenure": "social_rented"}, None, True, NEED, confirmed=True)
    a = s.save(NHS, a.id, edits, a.lock_version)
    s.complete(NHS, a.id, a.lock_version)
    return a.id


def open_tab(qtbot, services) -> tuple[PatientRecord, AssessmentTab]:
    record = open_record(qtbot, services, NHS)
    record.tabs.setCurrentWidget(record.assessment)
    return record, record.assessment


def click(qtbot, push: QAbstractButton) -> None:
    assert push.isEnabled(), push.objectName()
    assert push.isVisible(), push.objectName()
    qtbot.mouseClick(push, Qt.MouseButton.LeftButton)


def show_domain(tab: AssessmentTab, key: str):
    tab.domain_list.setCurrentRow([d.key for d in ad.DOMAINS].index(key))
    return tab.forms[key]


def retype(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def start(qtbot, tab: AssessmentTab, telephone: bool = True) -> None:
    click(qtbot, tab.start_button)
    dialog = tab.start_dialog
    assert dialog is not None
    if telephone:
        click(qtbot, dialog.phone_radio)
    click(qtbot, dialog.ok_button)
    assert tab.assessment is not None
    assert tab.assessment.status == "draft"


def confirm_the_rest(qtbot, tab: AssessmentTab) -> None:
    for key, form in tab.forms.items():
        if not form.is_confirmed():
            show_domain(tab, key)
            click(qtbot, form.confirm_button)


def say_yes(monkeypatch) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )


def need_texts(tab: AssessmentTab) -> list[str]:
    return [label.text() for label in tab.needs.labels.values()]


def test_the_tab_has_the_issue_names_and_loads_only_when_shown(qtbot, services, monkeypatch):
    calls: list[str] = []
    real = services.assessments.history
    monkeypatch.setattr(services.assessments, "history", lambda nhs: calls.append(nhs) or real(nhs))
    record = open_record(qtbot, services, NHS)
    assert calls == []  # opening the record does not read (and audit) the assessment
    record.tabs.setCurrentWidget(record.assessment)
    assert calls == [NHS]
    tab = record.assessment
    for name in ("assessmentTab", "assessmentDomainList", "needsSummary"):
        assert tab.objectName() == name or tab.findChild(object, name) is not None, name
    assert tab.domain_list.count() == len(ad.DOMAINS) == 18
    assert "No assessment yet" in tab.empty_label.text()
    assert tab.start_button.isEnabled()


def test_a_matron_does_a_telephone_assessment_and_makes_a_need_a_goal(qtbot, services, monkeypatch):
    _record, tab = open_tab(qtbot, services)
    start(qtbot, tab)
    assert tab.assessment is not None
    assert tab.assessment.mode == "telephone"
    assert "Telephone" in tab.version_combo.currentText()
    assert "18 of 18 domains to confirm" in tab.status_label.text()

    medicines = show_domain(tab, "medicines")
    retype(qtbot, medicines.editors["regular_medicines"].widget, "12")
    assert medicines.flags_label.isVisible()
    assert "Polypharmacy: 10+ regular medicines" in medicines.flags_label.text()
    assert "✓" in tab.domain_list.item(1).text()  # an edit confirms the domain

    housing = show_domain(tab, "housing")
    click(qtbot, housing.need_check)
    assert housing.need_edit.hasFocus()
    qtbot.keyClicks(housing.need_edit, NEED)
    assert NEED in " ".join(need_texts(tab))  # listed as soon as it is typed
    assert tab.has_unsaved_changes()

    confirm_the_rest(qtbot, tab)
    assert "every domain confirmed" in tab.status_label.text()
    click(qtbot, tab.save_button)
    assert not tab.has_unsaved_changes()
    saved = services.assessments.get(NHS, tab.assessment.id)
    assert saved.domain("medicines").fields["regular_medicines"] == 12
    assert saved.domain("medicines").computed == {"polypharmacy": True}
    assert all(d.confirmed for d in saved.domains)

    say_yes(monkeypatch)
    click(qtbot, tab.complete_button)
    assert services.assessments.get(NHS, saved.id).status == "complete"
    assert "Complete" in tab.version_combo.currentText()
    assert not tab.save_button.isVisible()
    assert not housing.need_check.isEnabled()  # a completed assessment is read-only

    assert any(NEED in text for text in need_texts(tab))
    with qtbot.waitSignal(tab.assessmentChanged):
        click(qtbot, tab.needs.findChild(QAbstractButton, "needGoal_housing"))
    plan = services.careplans.current(NHS)
    assert plan is not None
    assert [g.description for g in plan.goals] == [NEED]
    assert tab.needs.findChild(QAbstractButton, "needGoal_housing") is None
    linked = tab.needs.findChild(object, "needGoalLinked_housing")
    assert linked is not None
    assert "Goal in care plan" in linked.text()


def test_a_need_becomes_a_team_action_for_the_key_workers_role(qtbot, services, registered):
    completed_assessment(registered)
    _record, tab = open_tab(qtbot, services)
    click(qtbot, tab.needs.findChild(QAbstractButton, "needAction_housing"))
    dialog = tab.action_dialog
    assert dialog is not None
    assert dialog.who_combo.currentText() == "Community matron"
    click(qtbot, dialog.ok_button)
    plan = services.careplans.current(NHS)
    assert plan is not None
    assert [(c.who, c.what) for c in plan.contributions] == [("Community matron", NEED)]
    linked = tab.needs.findChild(object, "needActionLinked_housing")
    assert linked is not None
    assert "Team action in care plan" in linked.text()


def test_a_repeat_assessment_starts_from_the_last_and_lists_the_changes(
    qtbot, services, registered, monkeypatch
):
    completed_assessment(registered)
    _record, tab = open_tab(qtbot, services)
    assert "Complete" in tab.version_combo.currentText()
    click(qtbot, tab.start_button)
    assert "pre-filled from the assessment of 10/01/2026" in tab.start_dialog.intro.text()
    click(qtbot, tab.start_dialog.ok_button)
    assert tab.version_combo.count() == 2

    medicines = show_domain(tab, "medicines")
    box = medicines.editors["regular_medicines"].widget
    assert box.text() == "6"  # pre-filled
    assert medicines.note_edit.toPlainText() == "Dosette box"
    assert "pre-filled from the last assessment" in medicines.state_label.text()
    assert "Nothing has changed so far." in tab.changes.texts()

    retype(qtbot, box, "8")
    was = medicines.was_labels["regular_medicines"]
    assert was.isVisible()
    assert was.text() == "was: 6"
    assert "regular medicines: 8 (was 6)" in tab.changes.texts()
    assert "Δ" in tab.domain_list.item(1).text()

    say_yes(monkeypatch)
    click(qtbot, tab.complete_button)  # saves first, then refuses
    assert tab.error_banner.isVisible()
    message = tab.error_label.text()
    assert "Still to confirm (17)" in message
    assert "Conditions and symptoms" in message
    assert "What matters to me" in message
    assert "Medicines," not in message
    draft = services.assessments.get(NHS, tab.assessment.id)
    assert draft.status == "draft"
    assert draft.domain("medicines").fields["regular_medicines"] == 8
    assert [
        (d.field, d.before, d.after) for d in services.assessments.differences(NHS, draft.id)
    ] == [("regular medicines", 6, 8)]


def test_a_navigator_edits_social_domains_and_reads_clinical_ones(qtbot, registered, monkeypatch):
    build_services(registered, "matron1").assessments.start(NHS, "face_to_face")
    navigator = build_services(registered, "navigator")
    _record, tab = open_tab(qtbot, navigator)

    medicines = show_domain(tab, "medicines")
    box = medicines.editors["regular_medicines"].widget
    assert not box.isEnabled()
    assert "Clinical domain" in box.toolTip()
    assert medicines.readonly_label.isVisible()
    assert not medicines.confirm_button.isVisible()
    assert "read-only for you" in tab.domain_list.item(1).toolTip()

    housing = show_domain(tab, "housing")
    combo = housing.editors["tenure"].widget
    assert combo.isEnabled()
    combo.setCurrentIndex(combo.findData("private_rented"))
    click(qtbot, housing.editors["home_hazards"].radios[True])
    assert tab.save()
    saved = navigator.assessments.get(NHS, tab.assessment.id)
    assert saved.domain("housing").fields == {"tenure": "private_rented", "home_hazards": True}

    # Even if a clinical field were reachable, the service refuses the whole save.
    medicines.set_editable(True)
    show_domain(tab, "medicines")
    retype(qtbot, box, "9")
    assert not tab.save()
    assert tab.error_banner.isVisible()
    assert "Nothing was saved" in tab.error_label.text()
    assert "may not edit the clinical domains" in tab.error_label.text()
    again = navigator.assessments.get(NHS, tab.assessment.id)
    assert "regular_medicines" not in again.domain("medicines").fields
    assert tab.has_unsaved_changes()  # the user's edit is kept on screen


def test_an_out_of_range_value_is_named_and_nothing_is_saved(qtbot, services):
    _record, tab = open_tab(qtbot, services)
    start(qtbot, tab)
    medicines = show_domain(tab, "medicines")
    retype(qtbot, medicines.editors["regular_medicines"].widget, "60")
    error = medicines.errors["medicines: regular medicines"]
    assert error.isVisible()
    assert error.text() == "Regular medicines must be between 0 and 50"
    housing_form = tab.forms["housing"]
    housing_form.editors["tenure"].set_value("owner")
    assert not tab.save()
    assert "Medicines: regular medicines must be between 0 and 50" in tab.error_label.text()
    saved = services.assessments.get(NHS, tab.assessment.id)
    assert saved.domain("medicines").fields == {}
    assert saved.domain("housing").fields == {}  # nothing half-saved
    assert tab.domain_list.currentRow() == 1

    retype(qtbot, medicines.editors["regular_medicines"].widget, "5")
    assert not error.isVisible()
    carers = show_domain(tab, "carers")
    click(qtbot, carers.need_check)  # ticked, but the need is not described
    assert not tab.save()
    assert carers.errors["carers and family: need"].isVisible()
    assert carers.errors["carers and family: need"].text() == "Describe the need identified"
    assert "Carers and family: need" in tab.error_label.text()
    qtbot.keyClicks(carers.need_edit, "Daughter exhausted")
    assert tab.save()
    saved = services.assessments.get(NHS, tab.assessment.id)
    assert saved.domain("medicines").fields == {"regular_medicines": 5}
    assert [n.text for n in saved.needs] == ["Daughter exhausted"]


def test_consent_is_confirmed_or_updated_at_the_assessment(qtbot, services):
    _record, tab = open_tab(qtbot, services)
    assert "Given" in tab.consent.label.text()
    assert "05/01/2026" in tab.consent.label.text()
    with qtbot.waitSignal(tab.assessmentChanged):
        click(qtbot, tab.consent.confirm_button)
    consent = services.patients.get(NHS).consent
    assert consent is not None
    assert (consent.status, consent.recorded_on, consent.note) == (
        "given",
        TODAY,
        "Confirmed at assessment",
    )
    assert f"{TODAY:%d/%m/%Y}" in tab.consent.label.text()

    click(qtbot, tab.consent.update_button)
    dialog = tab.consent_dialog
    assert dialog is not None
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("declined"))
    click(qtbot, dialog.ok_button)
    consent = services.patients.get(NHS).consent
    assert consent is not None
    assert consent.status == "declined"
    assert "Declined" in tab.consent.label.text()


def test_read_only_users_see_everything_and_change_nothing(qtbot, registered):
    setup = build_services(registered, "admin").setup
    setup.add_staff("reader", "Rita Reader", "read_only", team="Northfield")
    completed_assessment(registered)
    _record, tab = open_tab(qtbot, build_services(registered, "reader"))
    assert not tab.start_button.isEnabled()
    assert "cannot record assessments" in tab.start_button.toolTip()
    assert not tab.consent.confirm_button.isEnabled()
    goal = tab.needs.findChild(QAbstractButton, "needGoal_housing")
    assert goal is not None
    assert not goal.isEnabled()
    assert "cannot edit care plans" in goal.toolTip()
    form = show_domain(tab, "housing")
    assert not form.editors["tenure"].widget.isEnabled()


def test_print_summary_writes_a_pdf(qtbot, services, registered, monkeypatch, tmp_path):
    from pypdf import PdfReader

    completed_assessment(registered)
    target = tmp_path / "summary"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PDF"))
    )
    _record, tab = open_tab(qtbot, services)
    click(qtbot, tab.print_button)
    pdf = tmp_path / "summary.pdf"
    assert tab.last_pdf == pdf
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "María" in text
    assert "stair carpet" in text


def test_unsaved_edits_are_kept_until_the_user_agrees_to_discard(
    qtbot, services, registered, monkeypatch
):
    completed_assessment(registered)
    _record, tab = open_tab(qtbot, services)
    start(qtbot, tab)
    form = show_domain(tab, "housing")
    with qtbot.waitSignal(tab.unsavedChanged):
        click(qtbot, form.confirm_button)
    assert tab.has_unsaved_changes()
    asked: list[str] = []

    def no(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(no))
    tab.version_combo.setCurrentIndex(1)  # the earlier assessment
    assert asked
    assert "Discard" in asked[0]
    assert tab.version_combo.currentIndex() == 0
    assert tab.has_unsaved_changes()

    # Ctrl+S on the tab saves the assessment.
    _record.tabs.setCurrentWidget(tab)
    form.setFocus()
    qtbot.keyClick(tab.domain_list, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not tab.has_unsaved_changes()
    assert services.assessments.get(NHS, tab.assessment.id).domain("housing").confirmed


def test_a_stale_save_says_who_saved_first_and_keeps_the_edits(qtbot, services, registered):
    _record, tab = open_tab(qtbot, services)
    start(qtbot, tab)
    other = build_services(registered, "nurse").assessments
    draft = other.get(NHS, tab.assessment.id)
    other.save(NHS, draft.id, {"skin": DomainEdit({"wounds": True})}, draft.lock_version)

    medicines = show_domain(tab, "medicines")
    retype(qtbot, medicines.editors["regular_medicines"].widget, "7")
    assert not tab.save()
    assert tab.stale_banner.isVisible()
    assert "Nia Nurse" in tab.stale_label.text()
    assert tab.has_unsaved_changes()
    click(qtbot, tab.save_mine_button)
    saved = services.assessments.get(NHS, draft.id)
    assert saved.domain("medicines").fields == {"regular_medicines": 7}
    assert saved.domain("skin").fields == {"wounds": True}  # theirs kept
