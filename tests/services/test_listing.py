"""The workspace's lists: an index of everyone listed, rows a page at a time, sort keys.

What the index and the keys say must be exactly what the full rows say, on both backends,
whether a few patients are asked for (an IN list) or hundreds (a pass over the table)."""

from __future__ import annotations

import gc

import pytest

from ltcdesk.domain.errors import PermissionDeniedError
from ltcdesk.domain.listing import haystack
from ltcdesk.services.base import gc_paused
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.listing import ROW_SORT_KEYS, CaseloadFilter, ListIndex
from tests.conftest import TODAY


@pytest.fixture
def demo(db):
    generate_demo(db, patients=700, seed=4, today=TODAY)
    service = CaseloadService(db.sessions, "admin", today=lambda: TODAY)
    return service, service.list_patients()


def test_index_of_everyone_agrees_with_the_full_rows(demo):
    service, rows = demo
    index = service.index(everyone=True)
    assert len(index) == len(rows) == 700
    by_id = {r.patient_id: r for r in rows}
    assert sorted(index.ids) == sorted(by_id)
    assert index == ListIndex.of_rows(rows)  # same haystacks, same columns, same order
    for n, pid in enumerate(index.ids):
        row = by_id[pid]
        assert index.haystacks[n] == haystack(
            row.family_name, row.given_name, row.nhs_number, row.postcode
        )
    assert index.haystacks == sorted(index.haystacks)  # name order
    # Some of the demo patients are deceased or on nobody's caseload: both are listed.
    assert any(r.date_of_death for r in rows)
    assert None in index.worker_usernames


def test_caseload_indexes_hold_who_the_caseload_lists_hold(demo):
    service, _ = demo
    everyone = {r.patient_id for r in service.list_caseload()}
    assert set(service.index().ids) == everyone
    worker = service.list_caseload()[0].key_worker_username
    mine = {r.patient_id for r in service.list_caseload(CaseloadFilter(worker=worker))}
    index = service.index(worker=worker.upper())
    assert set(index.ids) == mine
    assert set(index.worker_usernames) == {worker}
    assert set(index.key_workers()) == {worker}


@pytest.mark.parametrize("how_many", [7, 600])  # an IN list; a pass over the whole table
@pytest.mark.parametrize("field", sorted(ROW_SORT_KEYS))
def test_sort_keys_from_the_database_match_the_rows(demo, field, how_many):
    service, rows = demo
    key = ROW_SORT_KEYS[field]
    if how_many < len(rows) // 2:  # one patient per key, so the few differ
        chosen = list({key(r): r for r in rows}.values())[:how_many]
    else:
        chosen = rows[::-1][:how_many]
    expected = [key(r) for r in chosen]
    assert len(set(expected)) > 1  # the demo data tells patients apart on every field
    assert service.sort_keys(field, [r.patient_id for r in chosen]) == expected


def test_rows_by_id_in_pages(demo):
    service, rows = demo
    ids = [r.patient_id for r in rows]
    assert service.rows(ids) == {r.patient_id: r for r in rows}  # 700: two chunks
    assert service.rows(ids[:3]) == {r.patient_id: r for r in rows[:3]}
    assert service.rows([]) == {}


def test_with_condition(demo):
    service, rows = demo
    copd = {r.patient_id for r in rows if "COPD" in r.conditions}
    assert copd
    assert service.with_condition("copd") == copd


def test_sorting_on_an_unknown_field_is_refused(demo):
    service, _ = demo
    with pytest.raises(ValueError, match="cannot sort on 'shoe_size'"):
        service.sort_keys("shoe_size", [1])


def test_someone_not_on_the_staff_list_sees_nothing(db, demo):
    stranger = CaseloadService(db.sessions, "nobody", today=lambda: TODAY)
    with pytest.raises(PermissionDeniedError):
        stranger.index(everyone=True)
    with pytest.raises(PermissionDeniedError):
        stranger.rows([1])


def test_gc_pauses_nest_and_resume_as_they_found_it():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a failed load")
    assert gc.isenabled()
