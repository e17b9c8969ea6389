"""The window opens on a chosen database and offers demo data when that database is empty."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox

from ltcdesk import app
from ltcdesk.db import is_empty, open_database


def test_main_window_shows_database_and_user(qtbot, tmp_path):
    db = open_database(tmp_path / "gui.db")
    window = app.build_main_window(db, "admin")
    qtbot.addWidget(window)
    window.show()
    assert window.objectName() == "mainWindow"
    labels = [w.text() for w in window.statusBar().findChildren(QLabel)]
    assert f"Database: {tmp_path / 'gui.db'}" in labels
    assert "Signed in as Administrator (admin)" in labels
    db.dispose()


def test_first_run_offers_demo_data_and_loads_it_when_accepted(qtbot, tmp_path, monkeypatch):
    db = open_database(tmp_path / "first.db")
    asked: list[str] = []

    def answer_yes(parent, title, text, buttons):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    assert app.offer_demo_data(db, "admin") is True
    assert "no patients yet" in asked[0]
    assert not is_empty(db)
    # Once there are patients, nobody is asked again.
    assert app.offer_demo_data(db, "admin") is False
    assert len(asked) == 1
    db.dispose()


def test_declining_demo_data_leaves_the_database_empty(qtbot, tmp_path, monkeypatch):
    db = open_database(tmp_path / "decline.db")
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    assert app.offer_demo_data(db, "admin") is False
    assert is_empty(db)
    db.dispose()
