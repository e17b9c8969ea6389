"""Care plans for many people at once (a key worker's caseload): one PDF a person, each
written atomically, with progress and cancel between files. No Qt here: the GUI runs
:func:`export_plans` on a worker thread and the CLI calls it directly."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from ltcdesk.fileio import write_atomically
from ltcdesk.services.careplan_views import CarePlanView

# Words that belong to the family name that follows them ("Ní Bhriain", "van der Berg").
# fmt: off
_PARTICLES = frozenset({
    "ní", "nic", "uí", "ó", "mac", "mc", "van", "von", "der", "den", "de", "del", "della",
    "di", "da", "das", "dos", "du", "la", "le", "st", "ter", "ten", "bin", "binti", "ibn",
    "al", "el", "ap", "ab",
})
# fmt: on
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def family_name(full_name: str) -> str:
    """The family name in a "Given Family" display name: the last word with the particles
    before it. A guess (the plan view carries the display name only), used for file names."""
    words = full_name.split()
    if len(words) <= 1:
        return full_name.strip()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def safe_part(text: str) -> str:
    """ASCII letters, digits and hyphens only: "Ní Bhriain" -> "Ni-Bhriain", "O'Kon" -> "OKon"
    (any file system, any e-mail attachment filter, no shell quoting)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("'", "").replace("’", "")
    return _UNSAFE.sub("-", ascii_text).strip("-")[:40].strip("-")


def plan_file_name(plan: CarePlanView, *, large_print: bool = False, summary: bool = False) -> str:
    """``OKon_9434765919.pdf``; ``_summary`` / ``_large-print`` mark the other forms."""
    family = safe_part(family_name(plan.patient_name)) or "patient"
    nhs = safe_part(plan.patient_nhs) or "unknown"
    form = ("_summary" if summary else "") + ("_large-print" if large_print else "")
    return f"{family}_{nhs}{form}.pdf"


def export_plans(
    plans: Iterable[CarePlanView],
    folder: Path,
    *,
    large_print: bool = False,
    summary: bool = False,
    printed_by: str,
    printed_at: datetime,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Write one PDF per plan into ``folder`` (created if need be) and return the paths
    written, in order.

    ``progress(done, total)`` is called with 0 first and after each file. ``cancelled()`` is
    asked before each file: once it says True the export stops, the files already written
    stay and no file is left half-written (each is a temporary file renamed into place).
    An error (a full disk) stops the export the same way and is raised.
    """
    from ltcdesk.reports.care_plan import render_care_plan_pdf

    todo = list(plans)
    total = len(todo)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    if progress:
        progress(0, total)
    for done, plan in enumerate(todo, start=1):
        if cancelled and cancelled():
            break
        data = render_care_plan_pdf(
            plan,
            large_print=large_print,
            summary=summary,
            printed_by=printed_by,
            printed_at=printed_at,
        )
        name = _unique(plan_file_name(plan, large_print=large_print, summary=summary), used)
        written.append(write_atomically(folder / name, data))
        if progress:
            progress(done, total)
    return written


def _unique(name: str, used: set[str]) -> str:
    """The name, or ``name-2.pdf``… if this export has already written one by that name."""
    stem, candidate, n = name.removesuffix(".pdf"), name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}.pdf"
    used.add(candidate.lower())
    return candidate
