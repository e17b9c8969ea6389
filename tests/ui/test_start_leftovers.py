"""The GUI's start tells the user, in a message box, that it removed the plaintext copy an
interrupted ``ltcdesk encrypt`` left beside the database, before anyone signs in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

import ltcdesk.app as app
from ltcdesk.db import open_database
from ltcdesk.encryption import encrypt_sqlite

KEY = "correct horse battery staple"


def test_the_gui_start_removes_and_reports_a_plaintext_leftover(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "team.db"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO practices (code, name) VALUES ('C82001', 'Castle St')"))
    db.dispose()
    original = path.read_bytes()
    encrypt_sqlite(path, KEY)
    aside = path.with_name("team.before-encrypt-20261122-083000.db")
    aside.write_bytes(original)  # killed after the swap, before the old file went

    shown: list[str] = []
    signed_in: list[bool] = []
    monkeypatch.setattr(app, "open_for_gui", lambda target: open_database(Path(target), KEY))
    monkeypatch.setattr(app.QMessageBox, "warning", lambda _p, _t, body: shown.append(body))
    monkeypatch.setattr(app, "_session_loop", lambda *a: signed_in.append(bool(shown)) or 0)

    assert app.run_gui(str(path), "admin") == 0
    assert not aside.exists()
    assert len(shown) == 1
    assert shown[0].startswith(f"Removed {aside.name}, an UNENCRYPTED copy of the records")
    assert shown[0].endswith("The database itself, team.db, is intact (encrypted).")
    assert signed_in == [True]  # told before the sign-in dialog
