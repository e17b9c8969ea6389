"""A caseload filter on a condition code nobody can have is refused, not an empty list."""

from __future__ import annotations

from typing import Any

import pytest

from ltcdesk.domain.errors import ValidationError
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.services.patients import NewPatient, PatientService
from tests.conftest import TODAY

NHS = "9434765919"


@pytest.fixture
def listed(team: Any) -> CaseloadService:
    PatientService(team.sessions, "lead", today=lambda: TODAY).register(
        NewPatient(NHS, "Smith", "John", "1940-01-01", "C82001")
    )
    PatientService(team.sessions, "lead", today=lambda: TODAY).add_condition(NHS, "COPD")
    service = CaseloadService(team.sessions, "lead", today=lambda: TODAY)
    service.assign(NHS, "matron1", 2)
    return service


@pytest.mark.parametrize("code", ["XYZ", "COPDX", "\u202eCOPD"])
def test_an_unknown_condition_code_is_refused_naming_the_filter(listed, code):
    with pytest.raises(ValidationError) as info:
        listed.list_caseload(CaseloadFilter(condition=code))
    assert info.value.field == "condition"
    assert "\u202e" not in str(info.value)


def test_a_known_code_in_any_case_still_lists(listed):
    assert [r.nhs_number for r in listed.list_caseload(CaseloadFilter(condition=" copd "))] == [NHS]
    assert listed.list_caseload(CaseloadFilter(condition="HF")) == []  # known, nobody has it
