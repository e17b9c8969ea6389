"""Demo hospital events: admissions, discharges and A&E attendances of people on caseloads
over the last four months, a few still in hospital, so the worklist has its urgent
"plan the discharge" reminders and discharge follow-ups and the next whiteboard meeting has
a hospital section. Run after the meetings pass; it draws from the shared random stream
last, so the rows of every earlier pass stay as they were for a seed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, insert

from ltcdesk.db import sync_id_sequences
from ltcdesk.models import HospitalEvent
from ltcdesk.services.demo_rows import DemoRows, table_of

EVENT_T = table_of(HospitalEvent)
WINDOW_DAYS = 120
ADMITTED_SHARE = 0.04  # of people on a caseload, admitted in the window
AE_SHARE = 0.03  # sent home from A&E
STILL_IN = 3  # admitted in the last few days, not yet home
MOST = 600  # events at the most, however large the demo
HOSPITALS = ("Northfield General Hospital", "St Luke's Hospital", "Queen Elizabeth Hospital")
REASONS = (
    "Chest infection",
    "Fall at home",
    "Heart failure getting worse",
    "COPD exacerbation",
    "Urinary tract infection",
    "Low blood sugar",
    "Confusion, cause not yet known",
    "Chest pain",
)


class EventPass(DemoRows):
    def hospital_events(self, conn: Connection) -> int:
        """Write the events; returns how many."""
        r = self.rng
        alive = [p.pid for p in self.people if not p.dead and p.pid in self.key_worker]
        rows: list[dict[str, object]] = []

        def add(
            pid: int,
            kind: str,
            days_ago: int,
            hospital: str,
            reason: str | None,
            expected: int | None = None,
        ) -> None:
            on = self.today - timedelta(days=days_ago)
            rows.append(
                {
                    "patient_id": pid,
                    "kind": kind,
                    "occurred_on": on,
                    "hospital": hospital,
                    "reason": reason,
                    "expected_discharge": on + timedelta(days=expected) if expected else None,
                    "source": "import" if r.random() < 0.6 else "manual",
                    "recorded_by_id": self.actor_id,
                    "created_at": self.now,
                }
            )

        for index, pid in enumerate(alive):
            if len(rows) >= MOST:
                break
            roll = r.random()
            hospital, reason = r.choice(HOSPITALS), r.choice(REASONS)
            if index < STILL_IN:
                add(pid, "admission", r.randint(1, 5), hospital, reason, r.randint(5, 10))
            elif roll < ADMITTED_SHARE:
                admitted = r.randint(3, WINDOW_DAYS)
                stay = r.randint(2, 12)
                add(pid, "admission", admitted, hospital, reason, stay)
                if admitted - stay >= 0:
                    add(pid, "discharge", admitted - stay, hospital, None)
            elif roll < ADMITTED_SHARE + AE_SHARE:
                add(pid, "ae", r.randint(0, WINDOW_DAYS), hospital, reason)
        if rows:
            conn.execute(insert(EVENT_T), rows)
            sync_id_sequences(conn, [EVENT_T])
        return len(rows)
