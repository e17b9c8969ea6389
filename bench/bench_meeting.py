"""Whiteboard meeting figures (medians): proposing and building the agenda for a team of
about 3,000 patients on caseloads, and printing a 60-item agenda.

    .venv/bin/python bench/bench_meeting.py [--patients 7500] [--repeat 7] [--db FILE]
                                            [--save DIR]

Builds the demo database once (or uses --db; the demo puts ~40% of its patients on
caseloads, so 7,500 gives ~3,000), then for each run creates a fresh meeting and times
``propose`` and ``build_agenda`` through MeetingService, as the GUI and CLI call them.
The agenda PDF is timed on a meeting of 60 items (built, then topped up by hand).
Targets (issue 7): the agenda built under 500 ms; the printed 60-item agenda under 1 s.

``--save DIR`` also writes the full and initials-only agenda and minutes of a meeting
run through to the end (outcomes, actions, closed) as meeting_*.pdf, to look at.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from ltcdesk.db import is_empty, open_database
from ltcdesk.reports.meeting_agenda import minutes_csv, render_agenda, render_minutes
from ltcdesk.services.caseload import CaseloadService
from ltcdesk.services.demo import generate_demo
from ltcdesk.services.meeting_views import MeetingView
from ltcdesk.services.meetings import MeetingService

CHAIR = "k.oconnell"  # the demo team lead
ATTENDEES = ("m.okafor", "h.mistry", "t.brennan", "l.campbell", "p.lakhani", "r.chauhan")
ITEMS = 60
PRINTED_BY = "Kate O'Connell"
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def verdict(ms: float, target: float) -> str:
    return f"median {ms:.0f} ms (target < {target:.0f} ms: {'met' if ms < target else 'MISSED'})"


def new_meeting(service: MeetingService, on: date) -> int:
    return service.create(
        on,
        "09:30",
        "Room 2, Northfield Health Centre",
        CHAIR,
        minutes=90,
        attendees=ATTENDEES,
    ).id


def sixty_items(service: MeetingService, caseload: list[str], on: date) -> MeetingView:
    """A meeting whose agenda holds exactly ``ITEMS`` items."""
    m = new_meeting(service, on)
    view = service.build_agenda(m)
    on_agenda = {i.nhs_number for i in view.agenda}
    spare = (nhs for nhs in caseload if nhs not in on_agenda)
    while len(view.agenda) < ITEMS:
        view = service.add_item(m, next(spare), "Key worker asked for a team view", minutes=5)
    extra = [i.id for i in view.agenda[ITEMS:]]
    for item_id in extra:
        view = service.remove_item(m, item_id)
    return view


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=7500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--save", type=Path, metavar="DIR")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ltcdesk-bench-")) / "bench.db"
    db = open_database(path)
    if is_empty(db):
        seconds, _ = timed(lambda: generate_demo(db, patients=args.patients, seed=1))
        print(f"demo generation ({args.patients:,} patients): {seconds:.2f} s")
    today = date.today()
    service = MeetingService(db.sessions, CHAIR, today=lambda: today)
    caseload = [r.nhs_number for r in CaseloadService(db.sessions, CHAIR).list_caseload()]
    print(f"patients on the team's caseloads: {len(caseload):,}")

    on = today + timedelta(days=1)
    proposing, building, sizes = [], [], []
    for _ in range(args.repeat):
        m = new_meeting(service, on)
        seconds, proposals = timed(lambda m=m: service.propose(m))  # type: ignore[misc]
        proposing.append(seconds * 1000)
        m = new_meeting(service, on)
        seconds, built = timed(lambda m=m: service.build_agenda(m))  # type: ignore[misc]
        building.append(seconds * 1000)
        sizes.append((len(proposals), len(built.agenda)))
    print(f"proposals / agenda items per run: {sizes[-1][0]} / {sizes[-1][1]}")
    print(f"propose (read only):          {verdict(statistics.median(proposing), 500)}")
    print(f"build_agenda (write + view):  {verdict(statistics.median(building), 500)}")

    view = sixty_items(service, caseload, on + timedelta(days=1))
    printed_at = datetime.now()
    rendering = []
    for initials_only in [False] * args.repeat + [True] * args.repeat:
        seconds, pdf = timed(
            lambda i=initials_only: render_agenda(  # type: ignore[misc]
                view, printed_by=PRINTED_BY, printed_at=printed_at, initials_only=i
            )
        )
        rendering.append((initials_only, seconds * 1000, len(pdf)))
    full = statistics.median(ms for i, ms, _ in rendering if not i)
    short = statistics.median(ms for i, ms, _ in rendering if i)
    print(f"agenda PDF, {len(view.agenda)} items:        {verdict(full, 1000)}")
    print(f"agenda PDF, initials only:     {verdict(short, 1000)}")
    seconds, fetched = timed(lambda: service.get(view.id))
    print(f"reading the meeting (get):     {seconds * 1000:.0f} ms")

    if args.save is not None:
        save(service, fetched, args.save, printed_at)
    db.dispose()


def save(service: MeetingService, view: MeetingView, folder: Path, printed_at: datetime) -> None:
    """Print the agenda, run the meeting (outcomes, actions), then print the minutes."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = render_agenda(view, printed_by=PRINTED_BY, printed_at=printed_at)
    (folder / "meeting_agenda_draft_full.pdf").write_bytes(pdf)
    m = view.id
    for username, attendance in zip(ATTENDEES, ["present"] * 4 + ["apologies"] * 2, strict=True):
        service.set_attendance(m, username, attendance)
    view = service.lock_agenda(m)
    for initials_only, name in ((False, "full"), (True, "initials")):
        pdf = render_agenda(
            view, printed_by=PRINTED_BY, printed_at=printed_at, initials_only=initials_only
        )
        (folder / f"meeting_agenda_{name}.pdf").write_bytes(pdf)
    service.start(m)
    choices: tuple[list[str], ...] = (
        ["no_change"],
        ["refer", "review_plan"],
        ["step_up"],
        [],
        ["safeguarding"],
    )
    for n, item in enumerate(view.agenda[:40]):
        first = item.patient_name.split()[0]
        service.record_outcome(
            m, item.id, f"Discussed {first}'s situation; {item.reasons[0][:60]}", choices[n % 5]
        )
        if n % 3 == 0:
            service.add_action(
                m,
                item.nhs_number,
                f"Visit {item.patient_name} and review medicines",
                ATTENDEES[n % 4],
                view.held_on + timedelta(days=7 + n % 5),
            )
    view = service.close(m, "Quorate. 20 items carried to Friday.")
    for initials_only, name in ((False, "full"), (True, "initials")):
        pdf = render_minutes(
            view, printed_by=PRINTED_BY, printed_at=printed_at, initials_only=initials_only
        )
        (folder / f"meeting_minutes_{name}.pdf").write_bytes(pdf)
        (folder / f"meeting_actions_{name}.csv").write_text(
            minutes_csv(view, initials_only), encoding="utf-8"
        )
    print(f"saved the agenda and minutes of meeting {m} to {folder}/meeting_*.pdf")


if __name__ == "__main__":
    main()
