"""Caseload query figures on a large demo database (medians of several runs).

    .venv/bin/python bench/bench_caseload.py [--patients 100000] [--repeat 5] [--db FILE]

Builds the demo database once (or uses --db), then times the service calls the caseload
screens and the CLI make: the whole team's caseload, one worker's, a filtered search,
caseload sizes per worker, and one patient's record.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ltcdesk.db import is_empty, open_database
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.listing import CaseloadFilter
from ltcdesk.services.patients import PatientService


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ltcdesk-bench-")) / "bench.db"
    db = open_database(path)
    if is_empty(db):
        start = time.perf_counter()
        generate_demo(db, patients=args.patients, seed=1)
        print(f"demo generation ({args.patients:,} patients): {time.perf_counter() - start:.2f} s")
    caseload = CaseloadService(db.sessions, "admin")
    patients = PatientService(db.sessions, "admin")

    seconds, rows = timed(caseload.list_caseload, args.repeat)
    assert isinstance(rows, list)
    print(f"whole team caseload, {len(rows):,} rows: median {seconds * 1000:.0f} ms")
    sizes = caseload.sizes()
    matron = next(w for w in sizes if w.role == "community_matron")
    seconds, mine = timed(
        lambda: caseload.list_caseload(CaseloadFilter(worker=matron.username)), args.repeat
    )
    print(f"one matron's caseload ({len(mine):,} rows): median {seconds * 1000:.1f} ms")  # type: ignore[arg-type]
    seconds, found = timed(
        lambda: caseload.list_caseload(CaseloadFilter(text="smi", level=2)), args.repeat
    )
    print(f"search 'smi' at level 2 ({len(found):,} rows): median {seconds * 1000:.0f} ms")  # type: ignore[arg-type]
    seconds, _ = timed(caseload.sizes, args.repeat)
    print(f"caseload sizes per worker: median {seconds * 1000:.0f} ms")
    nhs = rows[len(rows) // 2].nhs_number
    seconds, _ = timed(lambda: patients.get(nhs), args.repeat)
    print(f"open one patient record: median {seconds * 1000:.1f} ms")
    print(f"database file: {path} ({path.stat().st_size / 1e6:.0f} MB)")
    db.dispose()


if __name__ == "__main__":
    main()
