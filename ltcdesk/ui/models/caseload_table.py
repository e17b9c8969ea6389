"""The caseload table: every row fetched once, filtered and sorted in plain Python.

A ``QSortFilterProxyModel`` calls back into Python for every comparison and every row it
tests, about a second per keystroke at 100,000 rows. Here each row gets a lower-case
"haystack" (names both ways round, NHS digits, postcode) once when it is loaded, so one
keystroke is a single ``needle in haystack`` pass, and each column's sort keys are built
once on the first click on that column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.vocab import CONDITION_NAMES, LEVEL_LABELS
from ltcdesk.services.caseload import CaseloadRow

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    NHS_NUMBER = 1
    AGE = 2
    PRACTICE = 3
    KEY_WORKER = 4
    LEVEL = 5
    LTC_COUNT = 6
    CONDITIONS = 7
    LIVES_ALONE = 8
    CARER = 9
    NEXT_REVIEW = 10
    FLAGS = 11


HEADERS: Final = (
    "Name",
    "NHS number",
    "Age",
    "Practice",
    "Key worker",
    "Level",
    "LTCs",
    "Main conditions",
    "Lives alone",
    "Carer",
    "Next review",
    "Flags",
)
HEADER_TIPS: Final = {
    Column.LEVEL: "Level of care: 1 supported self care, 2 care management, 3 case management",
    Column.LTC_COUNT: "Number of long term conditions",
    Column.CONDITIONS: "Up to three of the most significant long term conditions",
    Column.CARER: "Has an informal carer recorded",
}

# Role numbers cached as plain ints: PySide6 passes roles as int, and each enum lookup
# costs about a microsecond, paid for every cell painted.
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN: Final = int(Qt.ItemDataRole.TextAlignmentRole)
NHS_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1  # the ten digits
ROW_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2  # the CaseloadRow itself
_HANDLED: Final = frozenset({_DISPLAY, _TOOLTIP, _ALIGN, NHS_ROLE, ROW_ROLE})
_HORIZONTAL: Final = Qt.Orientation.Horizontal
_DESCENDING: Final = Qt.SortOrder.DescendingOrder
_RIGHT: Final = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE: Final = Qt.AlignmentFlag.AlignCenter
_ALIGNMENT: Final = {
    Column.AGE: _RIGHT,
    Column.LEVEL: _CENTRE,
    Column.LTC_COUNT: _CENTRE,
    Column.LIVES_ALONE: _CENTRE,
    Column.CARER: _CENTRE,
}
_ALIGNMENTS: Final = tuple(_ALIGNMENT.get(c) for c in Column)

# Most significant first, for the "Main conditions" column: end of life care, then the
# conditions that most often drive admissions and case management in the community.
CONDITION_PRIORITY: Final = (
    "PC", "HF", "COPD", "DM", "DEM", "FRAIL", "CKD", "STIA", "CHD", "AF",
    "CAN", "SMI", "LD", "EP", "AST", "DEP", "RA", "OST", "OA", "HYP",
)  # fmt: skip
_RANK: Final = {code: n for n, code in enumerate(CONDITION_PRIORITY)}
MAIN_CONDITIONS: Final = 3


def condition_names(row: CaseloadRow) -> list[str]:
    """The row's conditions by name, most significant first."""
    codes = sorted(row.conditions, key=lambda c: (_RANK.get(c, len(_RANK)), c))
    return [CONDITION_NAMES.get(c, c) for c in codes]


def flags(row: CaseloadRow) -> str:
    if row.date_of_death is not None:
        return "Deceased"
    if row.consent is None:
        return "No consent recorded"
    if row.consent == "declined":
        return "Consent declined"
    if row.consent == "not_asked":
        return "Consent not asked"
    return ""


def _level(row: CaseloadRow) -> str:
    return "" if row.level is None else str(row.level)


_TEXT: Final[tuple[Callable[[CaseloadRow], str], ...]] = (
    lambda r: f"{r.family_name}, {r.given_name}",
    lambda r: format_nhs(r.nhs_number),
    lambda r: str(r.age),
    lambda r: r.practice_name,
    lambda r: r.key_worker_name or "",
    _level,
    lambda r: str(len(r.conditions)),
    lambda r: ", ".join(condition_names(r)[:MAIN_CONDITIONS]),
    lambda r: "Yes" if r.lives_alone else "",
    lambda r: "Yes" if r.has_carer else "",
    lambda r: "",  # next review: filled in once reviews exist
    flags,
)
assert len(_TEXT) == len(Column) == len(HEADERS)


def cell_text(row: CaseloadRow, column: int) -> str:
    """What the table shows in a cell; Qt-free, so exports can run in a worker thread."""
    return _TEXT[column](row)


def tooltip(row: CaseloadRow, column: int) -> str | None:
    if column == Column.NAME:
        born = f"{row.date_of_birth:%d/%m/%Y}"
        return f"{row.given_name} {row.family_name}, born {born} (age {row.age})"
    if column == Column.PRACTICE:
        return f"{row.practice_name} ({row.practice_code})"
    if column == Column.KEY_WORKER and row.on_caseload_since is not None:
        return f"On this caseload since {row.on_caseload_since:%d/%m/%Y}"
    if column == Column.LEVEL and row.level is not None:
        return LEVEL_LABELS.get(row.level)
    if column == Column.CONDITIONS and row.conditions:
        return ", ".join(condition_names(row))
    if column == Column.FLAGS:
        if row.date_of_death is not None:
            return f"Died on {row.date_of_death:%d/%m/%Y}"
        return flags(row) or None
    return None


def _cell(text: str) -> str:
    # A cell starting like a formula would run as one in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(rows: Sequence[CaseloadRow], columns: Sequence[int]) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows "María" rather than "MarÃ­a"."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([HEADERS[c] for c in columns])
    for row in rows:
        writer.writerow([_cell(cell_text(row, c)) for c in columns])
    return out.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- searching


def fold(text: str) -> str:
    """Lower case without accents, so "maria" finds "María" and "zoe" finds "Zoë"."""
    text = text.casefold().replace("\u2019", "'")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def haystack(row: CaseloadRow) -> str:
    family, given = fold(row.family_name), fold(row.given_name)
    parts = [f"{given} {family}", f"{family} {given}", f"{family}, {given}", row.nhs_number]
    bare = family.replace("'", "").replace("-", " ")
    if bare != family:  # "okon" finds O'Kon
        parts.append(f"{given} {bare}\n{bare} {given}")
    if row.postcode:
        postcode = fold(" ".join(row.postcode.split()))
        parts += [postcode, postcode.replace(" ", "")]
    # A newline never occurs in a needle, so no match spans two parts.
    return "\n".join(parts)


@dataclass(frozen=True)
class RowIndex:
    """What filtering reads, one list per field, built once per load. Reading
    ``rows[i].level`` across 100,000 scattered objects costs ~40 ms; ``levels[i]`` ~3 ms."""

    haystacks: list[str]
    levels: list[int | None]
    practices: list[str]
    workers: list[str | None]
    conditions: list[tuple[str, ...]]


def build_index(rows: Sequence[CaseloadRow]) -> RowIndex:
    """Qt-free: may run in the worker thread that fetched the rows."""
    return RowIndex(
        [haystack(r) for r in rows],
        [r.level for r in rows],
        [r.practice_code for r in rows],
        [r.key_worker_username for r in rows],
        [r.conditions for r in rows],
    )


def needle(text: str) -> str:
    """The search term: NHS digits without spaces, anything else folded."""
    words = " ".join(text.split())
    digits = words.replace(" ", "").replace("-", "")
    if digits.isdigit():
        return digits
    return fold(words)


def _sort_keys(rows: Sequence[CaseloadRow], column: int) -> list[Any]:
    if column == Column.NAME:
        return [f"{r.family_name.casefold()}\0{r.given_name.casefold()}" for r in rows]
    if column == Column.NHS_NUMBER:
        return [r.nhs_number for r in rows]
    if column == Column.AGE:
        return [r.age for r in rows]
    if column == Column.PRACTICE:
        return [r.practice_name.casefold() for r in rows]
    if column == Column.KEY_WORKER:
        return [(r.key_worker_name or "").casefold() for r in rows]
    if column == Column.LEVEL:
        return [r.level or 0 for r in rows]
    if column == Column.LTC_COUNT:
        return [len(r.conditions) for r in rows]
    if column == Column.LIVES_ALONE:
        return [r.lives_alone for r in rows]
    if column == Column.CARER:
        return [r.has_carer for r in rows]
    if column == Column.NEXT_REVIEW:
        return [0] * len(rows)
    if column == Column.CONDITIONS:  # few distinct sets of conditions: name each once
        names: dict[tuple[str, ...], str] = {}
        keys = []
        for r in rows:
            key = names.get(r.conditions)
            if key is None:
                key = names[r.conditions] = _TEXT[column](r).casefold()
            keys.append(key)
        return keys
    text = _TEXT[column]
    return [text(r).casefold() for r in rows]


# ---------------------------------------------------------------- the model

_KEEP: Any = object()


class CaseloadTableModel(QAbstractTableModel):
    """Rows in view order: ``_order`` is every row sorted, ``_visible`` those passing the
    filter (in the same order); both hold indexes into ``_rows``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseloadRow] = []
        self._index = build_index([])
        self._keys: dict[int, list[Any]] = {}
        self._order: list[int] = []
        self._visible: list[int] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._text = ""
        self._level: int | None = None
        self._practice: str | None = None
        self._worker: str | None = None
        self._condition: str | None = None
        self._narrowed: list[int] = []  # rows passing every filter but the text

    # ------------------------------------------------------------ Qt interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in _HANDLED or not index.isValid():
            return None
        row = self._rows[self._visible[index.row()]]
        if role == _DISPLAY:
            return _TEXT[index.column()](row)
        if role == _ALIGN:
            return _ALIGNMENTS[index.column()]
        if role == _TOOLTIP:
            return tooltip(row, index.column())
        if role == NHS_ROLE:
            return row.nhs_number
        return row  # ROW_ROLE

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != _HORIZONTAL or not 0 <= section < len(HEADERS):
            return None
        if role == _DISPLAY:
            return HEADERS[section]
        if role == _TOOLTIP:
            return HEADER_TIPS.get(Column(section), HEADERS[section])
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.beginResetModel()
        self._sort_column, self._sort_order = column, order
        self._apply_sort()
        self._narrowed = self._structured()
        self._visible = self._matching(self._narrowed, needle(self._text))
        self.endResetModel()

    # ------------------------------------------------------------ loading and filtering

    def set_rows(self, rows: Sequence[CaseloadRow], index: RowIndex | None = None) -> None:
        """Replace every row, keeping the filter and the sort. ``index`` may come from
        ``build_index`` run in the worker that fetched the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self._index = index if index is not None else build_index(self._rows)
        self._keys = {}
        self._apply_sort()
        self._narrowed = self._structured()
        self._visible = self._matching(self._narrowed, needle(self._text))
        self.endResetModel()

    def set_filter(
        self,
        *,
        text: str = _KEEP,
        level: int | None = _KEEP,
        practice: str | None = _KEEP,
        worker: str | None = _KEEP,
        condition: str | None = _KEEP,
    ) -> None:
        """Change any of the filters (None: any). ``practice`` is a practice code,
        ``worker`` a username, ``condition`` a condition code."""
        old_needle = needle(self._text)
        structured = (self._level, self._practice, self._worker, self._condition)
        if text is not _KEEP:
            self._text = text or ""
        if level is not _KEEP:
            self._level = level
        if practice is not _KEEP:
            self._practice = practice or None
        if worker is not _KEEP:
            self._worker = worker or None
        if condition is not _KEEP:
            self._condition = condition or None
        new_needle = needle(self._text)
        if structured == (self._level, self._practice, self._worker, self._condition):
            if new_needle == old_needle:
                return
            # Typing one more letter can only remove rows: search what is shown now.
            source = self._visible if old_needle and old_needle in new_needle else self._narrowed
        else:
            self._narrowed = self._structured()
            source = self._narrowed
        self.beginResetModel()
        self._visible = self._matching(source, new_needle)
        self.endResetModel()

    def _structured(self) -> list[int]:
        index, chosen = self._index, self._order
        if self._level is not None:
            level, levels = self._level, index.levels
            chosen = [i for i in chosen if levels[i] == level]
        if self._practice:
            practice, practices = self._practice, index.practices
            chosen = [i for i in chosen if practices[i] == practice]
        if self._worker:
            worker, workers = self._worker, index.workers
            chosen = [i for i in chosen if workers[i] == worker]
        if self._condition:
            condition, conditions = self._condition, index.conditions
            chosen = [i for i in chosen if condition in conditions[i]]
        return chosen

    def _matching(self, source: list[int], term: str) -> list[int]:
        if not term:
            return source
        hay = self._index.haystacks
        return [i for i in source if term in hay[i]]

    def _apply_sort(self) -> None:
        indexes = range(len(self._rows))
        column = self._sort_column
        if not 0 <= column < len(Column):
            self._order = list(indexes)  # as the service listed them: by name
            return
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = _sort_keys(self._rows, column)
        # Stable, and ties keep the service's name order even when descending.
        self._order = sorted(indexes, key=keys.__getitem__, reverse=self._sort_order == _DESCENDING)

    # ------------------------------------------------------------ for the view

    @property
    def total(self) -> int:
        """Rows loaded, whatever the filter."""
        return len(self._rows)

    @property
    def filter_text(self) -> str:
        return self._text

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def row_at(self, row: int) -> CaseloadRow:
        """The CaseloadRow shown at table row ``row``."""
        return self._rows[self._visible[row]]

    def visible_rows(self) -> list[CaseloadRow]:
        rows = self._rows
        return [rows[i] for i in self._visible]

    def rows_of(self, nhs_numbers: Iterable[str]) -> list[int]:
        """Table rows showing these NHS numbers (those filtered out are left out), ascending."""
        wanted = set(nhs_numbers)
        if not wanted:
            return []
        rows = self._rows
        return [n for n, i in enumerate(self._visible) if rows[i].nhs_number in wanted]
