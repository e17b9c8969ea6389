"""Hospital events import figures (issue 13), and a colleague's response time meanwhile.

    .venv/bin/python bench/bench_import.py [--patients 2000] [--repeat 3] [--repeat-big 1]
                                           [--pg URL] [--no-sqlite]

On a fresh demo database (``generate_demo``, 2,000 patients by default) it imports CSV lists
of 10,000 and 100,000 events through ``EventService.import_csv`` as the CLI and the GUI do
(the events spread over everyone alive, older than the demo's own), removing the imported
events after each run (not timed). Beside each figure, limits measured in the same run:
reading and splitting the same CSV file (pandas), and a plain Core ``executemany`` of the
same rows into ``hospital_events`` and into a bare table with no index or constraint.
"write transaction" is the import's own write phase (the only time it holds SQLite's write
lock): the events' bulk INSERT and the one audit row.

Then, while another 100,000-row import runs, a colleague in another process (a community
matron) opens a patient's record (``PatientService.get``, what ``patient show`` does; it
writes an audit "view" row) and saves a phone number (``PatientService.update``) again and
again: median and max, beside the limit of 1 s, and the same calls before the import.

``--pg URL`` runs everything on PostgreSQL too. The URL must name a scratch database:
its public schema is dropped and made again.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)

TODAY = date.today()
IMPORTER = "k.oconnell"  # the demo team lead imports
COLLEAGUE = "m.okafor"  # a community matron in the same team opens and saves a record
SMALL, BIG = 10_000, 100_000
TARGETS = {SMALL: 2.0, BIG: 15.0}
COLLEAGUE_LIMIT = 1.0
HEADER = "NHS number,Event type,Date,Hospital,Reason"


def spread(times: Sequence[float], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    med = statistics.median(times) * scale
    lo, hi = min(times) * scale, max(times) * scale
    fmt = "{:,.0f}" if unit == "ms" else "{:.2f}"
    return f"median {fmt.format(med)} {unit} (min–max {fmt.format(lo)}–{fmt.format(hi)})"


def verdict(seconds: float, limit: float) -> str:
    return f"limit < {limit:g} s: {'met' if seconds < limit else 'MISSED'}"


# ---------------------------------------------------------------- the database and the lists


def fresh_database(target: str, patients: int) -> Any:
    from ltcdesk.db import open_database
    from ltcdesk.services.demo import generate_demo

    if "://" in target:
        engine = create_engine(target)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db = open_database(target)
    started = time.perf_counter()
    generate_demo(db, patients=patients, seed=1, today=TODAY)
    print(f"demo: {patients:,} patients in {time.perf_counter() - started:.1f} s")
    return db


def event_lines(db: Any, count: int) -> list[str]:
    """``count`` rows: person n % alive, type n % 3, a day n // alive before five months
    ago, so no two rows (and no demo event) have the same person, type and day."""
    from ltcdesk.models import Patient

    with db.sessions() as s:
        alive = s.scalars(
            select(Patient.nhs_number).where(Patient.date_of_death.is_(None)).order_by(Patient.id)
        ).all()
    kinds = ("admission", "discharge", "A&E")
    first = TODAY - timedelta(days=150)
    lines = [HEADER]
    for n in range(count):
        day = first - timedelta(days=n // len(alive))
        lines.append(f"{alive[n % len(alive)]},{kinds[n % 3]},{day:%d/%m/%Y},City General,")
    return lines


def write_csv(folder: Path, lines: list[str], name: str) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def last_event_id(db: Any) -> int:
    from ltcdesk.models import HospitalEvent

    with db.sessions() as s:
        return s.scalar(select(func.max(HospitalEvent.id))) or 0


def remove_events_after(db: Any, last_id: int) -> None:
    from ltcdesk.models import HospitalEvent

    with db.engine.begin() as conn:
        conn.execute(delete(HospitalEvent).where(HospitalEvent.id > last_id))


def timed_service(db: Any) -> Any:
    """An EventService that also notes when its write transaction ran (monotonic)."""
    from ltcdesk.services.events import EventService

    inserts: list[float] = []

    def note_insert(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO HOSPITAL_EVENTS"):
            inserts.append(time.monotonic())

    class Timed(EventService):
        windows: list[tuple[float, float]] = []
        locks: list[float] = []  # from the events' INSERT to the commit: SQLite's write lock

        def _write(self, *args: Any, **kwargs: Any) -> Any:
            start = time.monotonic()
            inserts.clear()
            event.listen(db.engine, "before_cursor_execute", note_insert)
            try:
                return super()._write(*args, **kwargs)
            finally:
                end = time.monotonic()
                event.remove(db.engine, "before_cursor_execute", note_insert)
                self.windows.append((start, end))
                self.locks.append(end - (inserts[0] if inserts else start))

    Timed.windows, Timed.locks = [], []
    return Timed(db.sessions, IMPORTER, today=lambda: TODAY)


# ---------------------------------------------------------------- the limits


def limits(db: Any, path: Path) -> tuple[float, float, float, int]:
    """(read and split the CSV, executemany into hospital_events, into a bare table, rows)."""
    from ltcdesk.importers.csv_text import read_csv
    from ltcdesk.importers.events_csv import check_rows
    from ltcdesk.models import StaffMember, utcnow
    from ltcdesk.services.events import _EVENTS, MAX_BYTES, MAX_ROWS, EventService

    started = time.perf_counter()
    table = read_csv(path, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    read = time.perf_counter() - started
    patients = EventService(db.sessions, IMPORTER, today=lambda: TODAY)._patient_facts()
    checked = check_rows(table, patients, today=TODAY)
    with db.sessions() as s:
        staff_id = s.scalar(select(StaffMember.id).where(StaffMember.username == IMPORTER))
    common = {"source": "import", "recorded_by_id": staff_id, "created_at": utcnow()}
    rows = [{**e, **common} for e in checked.events]
    before = last_event_id(db)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(insert(_EVENTS), rows)
    real = time.perf_counter() - started
    remove_events_after(db, before)
    bare = Table(
        "bench_bare_events",
        MetaData(),
        Column("patient_id", Integer),
        Column("kind", String(10)),
        Column("occurred_on", Date),
        Column("hospital", String(200)),
        Column("reason", String(500)),
        Column("expected_discharge", Date),
        Column("source", String(20)),
        Column("recorded_by_id", Integer),
        Column("created_at", DateTime),
    )
    bare.create(db.engine)
    try:
        started = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(insert(bare), rows)
        plain = time.perf_counter() - started
    finally:
        bare.drop(db.engine)
    return read, real, plain, len(rows)


# ---------------------------------------------------------------- the colleague


def colleague(target: str, nhs: str, stop: Any, ready: Any, out: Any) -> None:
    """In another process: open the record and save a phone number until told to stop;
    every call as (what, start, seconds, error)."""
    from ltcdesk.db import open_database
    from ltcdesk.services.patients import PatientChanges, PatientService

    db = open_database(target, migrate=False)
    patients = PatientService(db.sessions, COLLEAGUE, today=lambda: TODAY)
    calls: list[tuple[str, float, float, str]] = []
    version = patients.get(nhs).version
    ready.set()
    n = 0
    while not stop.is_set():
        for what in ("view", "save"):
            n += 1
            start = time.monotonic()
            error = ""
            try:
                if what == "view":
                    version = patients.get(nhs).version
                else:
                    phone = f"0116 496 {n % 10_000:04d}"
                    version = patients.update(nhs, PatientChanges(phone=phone), version).version
            except Exception as exc:
                error = f"{type(exc).__name__}: {str(exc)[:120]}"
            calls.append((what, start, time.monotonic() - start, error))
        time.sleep(0.02)
    out.put(calls)
    db.dispose()


def colleague_patient(db: Any) -> str:
    from ltcdesk.services.caseload import CaseloadService

    rows = CaseloadService(db.sessions, COLLEAGUE, today=lambda: TODAY).list_caseload()
    mine = [r for r in rows if getattr(r, "key_worker_username", None) == COLLEAGUE]
    return (mine or rows)[0].nhs_number


def during_import(db: Any, target: str, path: Path) -> None:
    nhs = colleague_patient(db)
    ctx = mp.get_context("spawn")
    stop, ready, out = ctx.Event(), ctx.Event(), ctx.Queue()
    worker = ctx.Process(target=colleague, args=(target, nhs, stop, ready, out))
    worker.start()
    ready.wait(120)
    time.sleep(3)  # the colleague alone first
    service = timed_service(db)
    before = last_event_id(db)
    start = time.monotonic()
    report = service.import_csv(path)
    end = time.monotonic()
    time.sleep(1)
    stop.set()
    calls: list[tuple[str, float, float, str]] = out.get(timeout=120)
    worker.join(60)
    remove_events_after(db, before)
    write_start, write_end = service.windows[-1]
    lock = service.locks[-1]
    held = f", SQLite's write lock {lock:.2f} s" if db.engine.dialect.name == "sqlite" else ""
    print(
        f"  import of {report.saved:,} events while the colleague works: {end - start:.2f} s "
        f"(write transaction {write_end - write_start:.2f} s{held})"
    )
    for what, label in (
        ("view", "open the record (patient show)"),
        ("save", "save a phone number"),
    ):
        alone = [d for w, s, d, e in calls if w == what and s + d < start and not e]
        busy = [d for w, s, d, e in calls if w == what and s < end and s + d > start]
        errors = [e for w, s, d, e in calls if w == what and e and s < end and s + d > start]
        in_write = [
            d for w, s, d, e in calls if w == what and s < write_end and s + d > write_start
        ]
        if alone:
            print(f"  colleague, {label}, before the import: {spread(alone, 'ms')}")
        if busy:
            worst = max(busy)
            print(
                f"  colleague, {label}, during it: {len(busy)} calls, {spread(busy, 'ms')}; "
                f"max {worst * 1000:,.0f} ms ({verdict(worst, COLLEAGUE_LIMIT)})"
            )
        if in_write:
            print(f"    of which overlapping the write transaction: {spread(in_write, 'ms')}")
        for e in errors[:3]:
            print(f"    FAILED: {e}")


# ---------------------------------------------------------------- one backend


def run(target: str, label: str, args: argparse.Namespace, folder: Path) -> None:
    print(f"\n== {label}")
    db = fresh_database(target, args.patients)
    sqlite = db.engine.dialect.name == "sqlite"
    try:
        for count, repeat in ((SMALL, args.repeat), (BIG, args.repeat_big)):
            path = write_csv(folder, event_lines(db, count), f"events-{count}.csv")
            size = path.stat().st_size / 1e6
            totals: list[float] = []
            writes: list[float] = []
            locks: list[float] = []
            for _ in range(repeat):
                service = timed_service(db)
                before = last_event_id(db)
                started = time.perf_counter()
                report = service.import_csv(path)
                totals.append(time.perf_counter() - started)
                assert report.saved == count, (report.saved, report.duplicates)
                start, end = service.windows[-1]
                writes.append(end - start)
                locks.append(service.locks[-1])
                remove_events_after(db, before)
            read, real, plain, rows = limits(db, path)
            print(
                f"import {count:,} events ({size:.1f} MB, {repeat} run{'s' if repeat > 1 else ''}):"
                f" {spread(totals)} ({verdict(statistics.median(totals), TARGETS[count])})"
            )
            print(f"  of which the write transaction: {spread(writes)}")
            if sqlite:
                print(f"    of which SQLite's write lock held (INSERT to COMMIT): {spread(locks)}")
            print(f"  limit: read and split the CSV (pandas): {read * 1000:,.0f} ms")
            print(f"  limit: executemany {rows:,} rows into hospital_events (Core): {real:.2f} s")
            print(f"  limit: executemany {rows:,} rows into a bare table (Core): {plain:.2f} s")
        path = folder / f"events-{BIG}.csv"
        print(f"a colleague (another process) during a {BIG:,}-row import:")
        during_import(db, target, path)
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the 10,000-row import")
    parser.add_argument("--repeat-big", type=int, default=1, help="runs of the 100,000-row one")
    parser.add_argument("--pg", metavar="URL", help="also on this scratch PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="ltcdesk-bench-import-"))
    os.environ.setdefault("LTCDESK_HOME", str(folder / "home"))  # never the real data folder
    started = time.perf_counter()
    import pandas  # noqa: F401  (imported once per process; a CLI run pays this too)

    print(
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs; "
        f"pandas import {time.perf_counter() - started:.2f} s (not in the figures below)"
    )
    targets: list[tuple[str, str]] = []
    if not args.no_sqlite:
        targets.append((str(folder / "bench.db"), "SQLite (a file in the temp folder)"))
    if args.pg:
        targets.append((args.pg, "PostgreSQL"))
    for target, label in targets:
        run(target, label, args, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
