"""Benchmark: demo data generation into a fresh SQLite file, and the caseload query over it.

    .venv/bin/python bench/bench_demo.py [--patients 100000] [--repeat 3]

Each repeat migrates a new temporary database (not timed), then times ``generate_demo``.
The caseload query (every open assignment with patient, practice, key worker and the count
of active conditions) is then timed five times on the last database. Plain-text figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Select, event, func, select

from ltcdesk.db import Database, open_database
from ltcdesk.models import CaseloadAssignment, Patient, PatientCondition, Practice, StaffMember
from ltcdesk.services.demo import generate_demo

QUERY_REPEATS = 5


def caseload_query() -> Select[Any]:
    """All open assignments (levels 3 to 1) as a caseload list would show them."""
    a = CaseloadAssignment.__table__.c
    p = Patient.__table__.c
    pr = Practice.__table__.c
    s = StaffMember.__table__.c
    pc = PatientCondition.__table__.c
    active = (
        select(pc.patient_id, func.count().label("active_conditions"))
        .where(pc.ended_on.is_(None))
        .group_by(pc.patient_id)
        .subquery()
    )
    return (
        select(
            a.id,
            a.level,
            a.start_date,
            p.nhs_number,
            p.family_name,
            p.given_name,
            p.date_of_birth,
            pr.name.label("practice"),
            s.display_name.label("key_worker"),
            s.role,
            func.coalesce(active.c.active_conditions, 0).label("active_conditions"),
        )
        .select_from(
            CaseloadAssignment.__table__.join(Patient.__table__, p.id == a.patient_id)
            .join(Practice.__table__, pr.id == p.practice_id)
            .join(StaffMember.__table__, s.id == a.key_worker_id)
            .outerjoin(active, active.c.patient_id == p.id)
        )
        .where(a.end_date.is_(None))
        .order_by(a.level.desc(), s.display_name, p.family_name, p.given_name)
    )


def use_cache(db: Database, megabytes: int) -> None:
    """Try a bigger SQLite page cache than db.py sets (to measure a proposed change)."""

    def _pragma(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA cache_size=-{megabytes * 1024}")
        cursor.close()

    event.listen(db.engine, "connect", _pragma)
    db.engine.dispose()  # so every connection from now on gets it


def file_size(path: Path) -> int:
    return sum(
        p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=0,
        help="SQLite page cache in MB for the run (0: as db.py sets it)",
    )
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print(
        f"demo generation: {args.patients:,} patients, {args.repeat} run(s), seed {args.seed}"
        + (f", cache {args.cache_mb} MB" if args.cache_mb else "")
    )
    today = date.today()
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ltcdesk-bench-") as tmp:
        db: Database | None = None
        path = Path(tmp)
        for run in range(1, args.repeat + 1):
            if db is not None:
                db.dispose()
            path = Path(tmp) / f"demo-{run}.db"
            db = open_database(path)
            if args.cache_mb:
                use_cache(db, args.cache_mb)
            started = time.perf_counter()
            summary = generate_demo(db, patients=args.patients, seed=args.seed, today=today)
            seconds = time.perf_counter() - started
            times.append(seconds)
            print(
                f"  run {run}: {seconds:6.2f} s  ({summary.conditions:,} conditions, "
                f"{summary.carers:,} carers, {summary.on_caseload:,} on a caseload)"
            )
        assert db is not None
        print(f"median: {statistics.median(times):.2f} s")
        db.dispose()  # checkpoints the WAL into the file
        print(f"file size: {file_size(path) / 1_000_000:.1f} MB")

        db = open_database(path)
        query = caseload_query()
        query_times: list[float] = []
        rows = 0
        for _ in range(QUERY_REPEATS):
            started = time.perf_counter()
            with db.engine.connect() as conn:
                rows = len(conn.execute(query).all())
            query_times.append(time.perf_counter() - started)
        db.dispose()
        print(
            f"caseload query (Core, all open assignments): {rows:,} rows, median "
            f"{statistics.median(query_times) * 1000:.0f} ms over {QUERY_REPEATS} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
