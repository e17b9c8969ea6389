"""Care plan PDF figures (medians): one plan (database read + render), and a whole
80-person caseload exported one PDF each.

    .venv/bin/python bench/bench_careplan.py [--db FILE] [--patients 2000] [--repeat 15]

With the care plan service (ltcdesk.services.careplans) it reads plans from a demo
database (built once, or --db), as the CLI and GUI do; without it, it times rendering
only, on plans built in memory, and says so. Targets (issue 5): one plan under 200 ms
median including the read; 80 plans under 10 s.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ltcdesk.reports.care_plan import render_care_plan_pdf
from ltcdesk.reports.care_plan_batch import export_plans

CASELOAD = 80
PRINTED_BY = "Bench Mark"
Reader = Callable[[], Any]


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def render(plan: Any, **options: bool) -> bytes:
    return render_care_plan_pdf(plan, printed_by=PRINTED_BY, printed_at=datetime.now(), **options)


def from_database(args: argparse.Namespace) -> tuple[Reader, Reader] | None:
    """(read one plan, read a caseload's plans) from a demo database, or None when the care
    plan service does not exist yet or the database holds no agreed plan."""
    try:
        from ltcdesk.services.careplans import CarePlanService
    except ImportError:
        return None
    from ltcdesk.db import is_empty, open_database
    from ltcdesk.services.caseload import CaseloadService
    from ltcdesk.services.demo import generate_demo

    path = args.db or Path(tempfile.mkdtemp(prefix="ltcdesk-bench-")) / "bench.db"
    db = open_database(path)
    if is_empty(db):
        start = time.perf_counter()
        generate_demo(db, patients=args.patients, seed=1)
        print(f"demo generation ({args.patients:,} patients): {time.perf_counter() - start:.1f} s")
    service = CarePlanService(db.sessions, "admin")
    # The worker whose caseload has the most agreed plans: the heaviest batch there is.
    best: list[Any] = []
    worker = ""
    for size in CaseloadService(db.sessions, "admin").sizes():
        plans = service.plans_for_caseload(size.username)
        if len(plans) > len(best):
            best, worker = plans, size.username
    if not best:
        print("the database has no agreed care plans")
        return None
    # The longest plan (most goals, then most text) is the fair one to time.
    nhs = max(best, key=lambda p: (len(p.goals), len(repr(p)))).patient_nhs
    print(f"database {path}; {worker}: {len(best)} agreed plans on the caseload")
    return (lambda: service.agreed(nhs)), (lambda: service.plans_for_caseload(worker))


def in_memory() -> tuple[Reader, Reader]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests
    from tests.unit.careplan_samples import caseload_plans, long_text, sample_plan

    plan = sample_plan(goals=4, what_matters=long_text(600))
    plans = caseload_plans(CASELOAD)
    return (lambda: plan), (lambda: plans)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="a database file (a demo is built if empty)")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--memory", action="store_true", help="plans built in memory only")
    args = parser.parse_args()

    found = None if args.memory else from_database(args)
    if found is None:
        print("no database read (no care plan service, no plans, or --memory): rendering only")
    read_one, read_caseload = found or in_memory()
    label = "render only" if found is None else "database read + render"

    render(read_one())  # warm up: fonts registered, modules imported
    one = median_ms(lambda: render(read_one()), args.repeat)
    print(f"one plan, person's copy ({label}): median {one:.0f} ms  (target < 200 ms)")
    for name, options in (
        ("large print", {"large_print": True}),
        ("one-page summary", {"summary": True}),
        ("clinical copy", {"clinical": True}),
    ):
        ms = median_ms(lambda options=options: render(read_one(), **options), args.repeat)
        print(f"one plan, {name} ({label}): median {ms:.0f} ms")
    if found is not None:
        print(f"  the database read alone: median {median_ms(read_one, args.repeat):.1f} ms")

    count = len(read_caseload())
    if count < CASELOAD:
        print(f"  (the caseload has {count} agreed plans; repeated to make {CASELOAD})")
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory(prefix="ltcdesk-plans-") as folder:
            start = time.perf_counter()
            batch = list(itertools.islice(itertools.cycle(read_caseload()), CASELOAD))
            written = export_plans(
                batch, Path(folder), printed_by=PRINTED_BY, printed_at=datetime.now()
            )
            runs.append(time.perf_counter() - start)
            assert len(written) == CASELOAD
    seconds = statistics.median(runs)
    print(f"{CASELOAD} plans, one PDF each ({label}): median {seconds:.2f} s  (target < 10 s)")


if __name__ == "__main__":
    main()
