"""Caseload workspace figures on a 100,000-patient database (medians).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--db FILE] [--repeat 5]

Targets (issue 3): start-up to a usable main window < 1.5 s (pandas and reportlab not
imported); opening Patients < 1 s; one filter keystroke < 50 ms; sorting a column
< 300 ms; opening a patient record < 150 ms; peak memory < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

USER = "m.okafor"


def child_startup(db: str) -> None:
    """Run in a fresh process: build and show the window, report what was imported."""
    from PySide6.QtWidgets import QApplication

    from ltcdesk.app import build_main_window
    from ltcdesk.db import open_database

    app = QApplication([])
    window = build_main_window(open_database(db), USER)
    window.show()  # type: ignore[attr-defined]
    app.processEvents()
    heavy = sorted(m for m in ("pandas", "reportlab") if m in sys.modules)
    print(f"READY heavy={','.join(heavy) or 'none'}", flush=True)


def startup_seconds(db: str, repeat: int) -> tuple[float, str]:
    times, heavy = [], ""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child-startup", db],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        times.append(time.perf_counter() - start)
        heavy = line.strip().partition("heavy=")[2]
        proc.kill()
        proc.wait()
    return statistics.median(times), heavy


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child-startup")
    args = parser.parse_args()
    if args.child_startup:
        child_startup(args.child_startup)
        return

    from ltcdesk.db import is_empty, open_database

    path = args.db or Path(tempfile.mkdtemp(prefix="ltcdesk-guibench-")) / "bench.db"
    db = open_database(path)
    empty = is_empty(db)
    db.dispose()
    if empty:  # in a child process, so its memory is not counted as the workspace's peak
        subprocess.run(
            [sys.executable, "-c",
             "import sys; from ltcdesk.db import open_database; "
             "from ltcdesk.services.demo import generate_demo; "
             "generate_demo(open_database(sys.argv[1]), patients=int(sys.argv[2]), seed=1)",
             str(path), str(args.patients)],
            check=True,
        )  # fmt: skip

    seconds, heavy = startup_seconds(str(path), args.repeat)
    print(
        f"start-up to a usable main window: median {seconds:.2f} s "
        f"(heavy modules imported: {heavy})"
    )

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit, QTableView

    from ltcdesk.app import build_main_window
    from ltcdesk.ui import tasks

    app = QApplication.instance() or QApplication([])
    tasks.set_synchronous(True)
    db = open_database(path)
    window = build_main_window(db, USER)
    window.resize(1366, 768)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    app.processEvents()

    opens = []
    for _ in range(args.repeat):
        window.patients.refresh()  # type: ignore[attr-defined]
        window.show_section(0)  # type: ignore[attr-defined]
        app.processEvents()
        start = time.perf_counter()
        window.show_section(2)  # type: ignore[attr-defined]
        window.patients.refresh()  # type: ignore[attr-defined]
        app.processEvents()
        opens.append(time.perf_counter() - start)
    view = window.patients  # type: ignore[attr-defined]
    table = view.findChild(QTableView, "caseloadTable")
    edit = view.findChild(QLineEdit, "caseloadFilter")
    rows = table.model().rowCount()
    print(f"opening Patients ({rows:,} rows): median {statistics.median(opens):.2f} s")

    keys = []
    for word in ("smith", "patel", "o'k", "999 1", "le4"):
        edit.clear()
        app.processEvents()
        for ch in word:
            start = time.perf_counter()
            QTest.keyClicks(edit, ch)
            app.processEvents()
            keys.append(time.perf_counter() - start)
    edit.clear()
    app.processEvents()
    print(
        f"one filter keystroke on {rows:,} rows: median {median_ms(keys)} "
        f"(max {max(keys) * 1000:.0f} ms over {len(keys)} keystrokes)"
    )

    # Every column once, first click each (keys not yet fetched), then a second pass.
    sorts, first = [], {}
    for column in [*range(12), 2, 0, 5, 1]:
        start = time.perf_counter()
        table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        app.processEvents()
        sorts.append(time.perf_counter() - start)
        first.setdefault(column, sorts[-1])
    slowest = max(first, key=first.__getitem__)
    print(
        f"sorting a column of {rows:,} rows: median {median_ms(sorts)} "
        f"(slowest first click: column {slowest}, {first[slowest] * 1000:.0f} ms)"
    )
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    sample = [table.model().index(i * 997 % rows, 0) for i in range(args.repeat)]
    nhs_role = Qt.ItemDataRole.UserRole + 1
    opened = []
    for index in sample:
        nhs = table.model().data(index, nhs_role)
        start = time.perf_counter()
        window.open_patient(nhs)  # type: ignore[attr-defined]
        app.processEvents()
        opened.append(time.perf_counter() - start)
    print(f"opening a patient record: median {median_ms(opened)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process, 100k rows loaded): {peak:.0f} MB")
    db.dispose()


if __name__ == "__main__":
    main()
