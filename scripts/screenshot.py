"""Grab PNGs of the main window for looking at the UI on a machine without a screen.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot.py \
        --db demo.db --out out/screens [--user admin]

Builds the main window with ltcdesk.app.build_main_window at 1366x768 (the common NHS
laptop) and saves one PNG per navigation section.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ltcdesk.app import build_main_window
from ltcdesk.db import open_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", type=Path, default=Path("out/screens"))
    parser.add_argument("--user", default="admin")
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--nhs", help="the patient record to open (default: first in My caseload)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    from ltcdesk.ui import tasks

    tasks.set_synchronous(True)  # lists load before the grab, not after
    db = open_database(args.db)
    window = build_main_window(db, args.user)
    width, height = (int(x) for x in args.size.split("x"))
    window.resize(width, height)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    nav = window.nav  # type: ignore[attr-defined]
    for row in range(nav.count()):
        nav.setCurrentRow(row)
        for _ in range(5):
            app.processEvents()
        name = nav.item(row).text().lower().replace(" ", "-")
        path = args.out / f"{row:02d}-{name}.png"
        window.grab().save(str(path))  # type: ignore[attr-defined]
        print(path)
    nav.setCurrentRow(0)
    first = window.my_caseload.findChild(object, "caseloadTable").model()  # type: ignore[attr-defined]
    nhs = args.nhs
    if nhs is None and first.rowCount():
        nhs = first.data(first.index(0, 0), 0x0100 + 1)  # NHS_ROLE
    if nhs:
        record = window.open_patient(nhs)  # type: ignore[attr-defined]
        tabs = record.findChild(object, "recordTabs") if record is not None else None
        count = tabs.count() if tabs is not None else 1
        for i in range(count):
            if tabs is not None:
                tabs.setCurrentIndex(i)
            for _ in range(5):
                app.processEvents()
            path = args.out / f"record-{i:02d}.png"
            window.grab().save(str(path))  # type: ignore[attr-defined]
            print(path)
    db.dispose()


if __name__ == "__main__":
    main()
