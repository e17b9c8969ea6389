"""Patients' names replaced by their initials in free text, for copies that may be seen
outside the team: a printed agenda for a room with visitors, a calendar on a phone.

Used by ``ltcdesk.reports.meeting_agenda`` (initials-only agendas and minutes) and the
calendar export of ``ltcdesk reminders``. No Qt, no reportlab.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


def initials_of(name: str) -> str:
    """ "María O'Kon" -> "M.O." (the first and last words)."""
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return "?"
    picked = words if len(words) == 1 else [words[0], words[-1]]
    return "".join(f"{w[0].upper()}." for w in picked)


class Redactor:
    """Replaces patients' names with their initials in any text of one meeting.

    Each patient's full name, then each part of it ("María", "O'Kon", and "Smythe" of
    "Smythe-Worthington") is replaced, whole words only and regardless of case: a flag
    reason written "spoke to mrs okon" loses the name too, at the cost of the odd common
    word for a patient called e.g. "May". In a text about one patient (``nhs``) that
    patient's names become their initials; a name part shared by patients with different
    initials becomes "[name]" elsewhere, so it never points at the wrong person. The
    ``keep`` names (staff: the chair, attendees, key workers, owners) are left whole, so
    "New to Hetal Mistry's caseload" survives a patient called Mistry — unless a patient
    has exactly that full name. Without ``active`` every method returns the text as is.
    """

    def __init__(
        self,
        people: Iterable[tuple[str, str, str]],
        *,
        active: bool,
        keep: Iterable[str] = (),
    ) -> None:
        self.active = active
        self._own: dict[str, tuple[str, frozenset[str]]] = {}  # nhs -> (initials, parts)
        owners: dict[str, set[str]] = {}
        for nhs, name, initials in people:
            parts = frozenset(_key(p) for p in _name_parts(name))
            self._own.setdefault(nhs, (initials, parts))
            for part in parts:
                owners.setdefault(part, set()).add(initials)
        self._shared = {k: next(iter(v)) if len(v) == 1 else "[name]" for k, v in owners.items()}
        full_names = {_key(name) for _, name, _ in people}
        self._keep = {_key(k) for k in keep if k and _key(k) not in full_names}
        words = set(owners) | self._keep
        self._pattern = _pattern(words) if owners else None

    def text(self, value: str | None, nhs: str | None = None) -> str | None:
        """``value`` with names replaced; ``nhs`` is the patient the text is about."""
        if not self.active or value is None or self._pattern is None:
            return value
        initials, own = self._own.get(nhs or "", ("", frozenset()))

        def swap(m: re.Match[str]) -> str:
            key = _key(m.group(0))
            if key in self._keep:
                return m.group(0)
            return initials if key in own else self._shared[key]

        return self._pattern.sub(swap, unicodedata.normalize("NFC", value))

    def patient(self, name: str, initials: str) -> str:
        return initials if self.active else name


def _name_parts(name: str) -> list[str]:
    """The full name and its words and hyphenated parts (of two letters or more)."""
    full = " ".join(unicodedata.normalize("NFC", name).split())
    parts = {full}
    for word in full.split():
        parts.add(word)
        parts.update(word.split("-"))
    return [p for p in parts if len(p) >= 2]


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("’", "'").casefold().split())


def _pattern(keys: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so a full name wins over its parts at the same place; a typed
    # "O’Kon" (curly apostrophe) or "Mary  Ann" (two spaces) is the same name.
    alts = [
        re.escape(k).replace("'", "['’]").replace(r"\ ", r"\s+").replace(" ", r"\s+")
        for k in sorted(keys, key=len, reverse=True)
    ]
    # Whole words: "Ann" is not replaced inside "Annual", but "Ann's" loses "Ann".
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)
