"""PySide6 6.12.0 on Python 3.11 lost a reference to None on every Qt call returning
nothing, so a working day of clicks ended in "Fatal Python error: none_dealloc"."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_qt_calls_do_not_leak_references_to_none(qtbot):
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(50_000):
        obj.setObjectName("caseloadTable")
    assert before - sys.getrefcount(None) < 100
