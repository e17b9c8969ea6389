"""The caseload table: filtered and sorted in plain Python over a ``ListIndex``, with the
details of the rows on screen fetched a page at a time (as Anki's browser does).

A ``QSortFilterProxyModel`` calls back into Python for every comparison and every row it
tests, about a second per keystroke at 100,000 rows. Here each patient has a lower-case
"haystack" (names both ways round, NHS digits, postcode) built once when the list loads,
so one keystroke is a single ``needle in haystack`` pass, and each column's sort keys are
fetched once, on the first click on that column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any, Final, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ltcdesk.domain.csvsafe import csv_bytes as write_csv_bytes
from ltcdesk.domain.listing import condition_names, flag_text, main_conditions, needle
from ltcdesk.domain.nhs_number import format_nhs
from ltcdesk.domain.vocab import LEVEL_LABELS
from ltcdesk.services.listing import ROW_SORT_KEYS, CaseloadRow, ListIndex

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
    lambda r: main_conditions(r.conditions),
    lambda r: "Yes" if r.lives_alone else "",
    lambda r: "Yes" if r.has_carer else "",
    lambda r: "",  # next review: filled in once reviews exist
    lambda r: flag_text(r.consent, r.date_of_death),
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
        return ", ".join(condition_names(row.conditions))
    if column == Column.FLAGS:
        if row.date_of_death is not None:
            return f"Died on {row.date_of_death:%d/%m/%Y}"
        return flag_text(row.consent, None) or None
    return None


def csv_bytes(rows: Sequence[CaseloadRow], columns: Sequence[int]) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows "María" rather than "MarÃ­a"; through
    the one formula-safe writer (ltcdesk.domain.csvsafe)."""
    return write_csv_bytes(
        ([cell_text(row, c) for c in columns] for row in rows), [HEADERS[c] for c in columns]
    )


# ---------------------------------------------------------------- where rows come from


class RowSource(Protocol):
    """What the model asks for beyond the index: ``ListService`` (the database), or
    ``MemorySource`` for rows already in hand."""

    def rows(self, ids: Sequence[int]) -> dict[int, CaseloadRow]: ...

    def sort_keys(self, field: str, ids: Sequence[int]) -> list[Any]: ...

    def with_condition(self, code: str) -> set[int]: ...


class MemorySource:
    def __init__(self, rows: Iterable[CaseloadRow]) -> None:
        self._rows = {r.patient_id: r for r in rows}

    def rows(self, ids: Sequence[int]) -> dict[int, CaseloadRow]:
        return {i: self._rows[i] for i in ids if i in self._rows}

    def sort_keys(self, field: str, ids: Sequence[int]) -> list[Any]:
        key = ROW_SORT_KEYS[field]
        return [key(self._rows[i]) for i in ids]

    def with_condition(self, code: str) -> set[int]:
        return {i for i, r in self._rows.items() if code in r.conditions}


def rows_in_order(source: RowSource, ids: Sequence[int]) -> list[CaseloadRow]:
    """The rows of these ids, in this order; Qt-free, so exports run it in a worker."""
    found = source.rows(ids)
    return [found[i] for i in ids if i in found]


# Columns sorted on keys the source fetches; the others sort on the index.
_SOURCE_FIELDS: Final = {
    Column.AGE: "age",
    Column.LTC_COUNT: "ltc_count",
    Column.CONDITIONS: "conditions",
    Column.LIVES_ALONE: "lives_alone",
    Column.CARER: "carer",
    Column.FLAGS: "flags",
}


def _folded(names: Sequence[str | None]) -> list[str]:
    cache: dict[str | None, str] = {}  # a few dozen distinct names among 100,000 entries
    return [cache.get(n) or cache.setdefault(n, (n or "").casefold()) for n in names]


# ---------------------------------------------------------------- the model

_KEEP: Any = object()
PAGE: Final = 60  # rows fetched at once for display: two screens at 1366×768
_CACHE_MAX: Final = 100 * PAGE


class CaseloadTableModel(QAbstractTableModel):
    """Rows in view order: ``_order`` is every entry of the index sorted, ``_visible`` those
    passing the filter (in the same order); both hold positions in the index."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: RowSource = MemorySource([])
        self._index = ListIndex.of_rows([])
        self._cache: dict[int, CaseloadRow] = {}
        self._keys: dict[int, Sequence[Any]] = {}
        self._condition_ids: dict[str, set[int]] = {}
        self._order: list[int] = []
        self._visible: list[int] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._text = ""
        self._level: int | None = None
        self._practice: str | None = None
        self._worker: str | None = None
        self._condition: str | None = None
        self._narrowed: list[int] = []  # entries passing every filter but the text

    # ------------------------------------------------------------ Qt interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in _HANDLED or not index.isValid():
            return None
        if role == _ALIGN:
            return _ALIGNMENTS[index.column()]
        if role == NHS_ROLE:
            return self._index.nhs_numbers[self._visible[index.row()]]
        row = self._row(index.row())
        if row is None:
            return None
        if role == _DISPLAY:
            return _TEXT[index.column()](row)
        if role == _TOOLTIP:
            return tooltip(row, index.column())
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

    def set_index(self, index: ListIndex, source: RowSource) -> None:
        """Replace every row, keeping the filter and the sort. ``index`` may come from a
        worker thread; ``source`` is asked for the details of the rows shown."""
        self.beginResetModel()
        self._index, self._source = index, source
        self._cache, self._keys, self._condition_ids = {}, {}, {}
        self._apply_sort()
        self._narrowed = self._structured()
        self._visible = self._matching(self._narrowed, needle(self._text))
        self.endResetModel()

    def set_rows(self, rows: Sequence[CaseloadRow]) -> None:
        """Rows already in hand."""
        self.set_index(ListIndex.of_rows(rows), MemorySource(rows))

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
            practice, practices = self._practice, index.practice_codes
            chosen = [i for i in chosen if practices[i] == practice]
        if self._worker:
            worker, workers = self._worker, index.worker_usernames
            chosen = [i for i in chosen if workers[i] == worker]
        if self._condition:
            having = self._condition_ids.get(self._condition)
            if having is None:
                having = self._condition_ids[self._condition] = self._source.with_condition(
                    self._condition
                )
            ids = index.ids
            chosen = [i for i in chosen if ids[i] in having]
        return chosen

    def _matching(self, source: list[int], term: str) -> list[int]:
        if not term:
            return source
        hay = self._index.haystacks
        return [i for i in source if term in hay[i]]

    def _apply_sort(self) -> None:
        positions = range(len(self._index))
        column, descending = self._sort_column, self._sort_order == _DESCENDING
        keys = self._column_keys(column) if 0 <= column < len(Column) else None
        if keys is None:  # the index's own order: by name
            self._order = list(positions)
            if descending and column == Column.NAME:
                self._order.reverse()
            return
        # Stable, and ties keep name order even when descending.
        self._order = sorted(positions, key=keys.__getitem__, reverse=descending)

    def _column_keys(self, column: int) -> Sequence[Any] | None:
        if column in (Column.NAME, Column.NEXT_REVIEW):
            return None  # next review: until reviews exist, every key is the same
        keys = self._keys.get(column)
        if keys is None:
            index = self._index
            if column == Column.NHS_NUMBER:
                keys = index.nhs_numbers
            elif column == Column.PRACTICE:
                keys = _folded(index.practice_names)
            elif column == Column.KEY_WORKER:
                keys = _folded(index.worker_names)
            elif column == Column.LEVEL:
                keys = [level or 0 for level in index.levels]
            else:
                keys = self._source.sort_keys(_SOURCE_FIELDS[Column(column)], index.ids)
            self._keys[column] = keys
        return keys

    def _row(self, row: int) -> CaseloadRow | None:
        """The details of table row ``row``, fetching the page around it if need be."""
        pid = self._index.ids[self._visible[row]]
        found = self._cache.get(pid)
        if found is None:
            start = max(0, row - PAGE // 6)  # a few above, for scrolling back up
            page = [self._index.ids[i] for i in self._visible[start : start + PAGE]]
            if len(self._cache) > _CACHE_MAX:
                self._cache = {}
            self._cache.update(self._source.rows([i for i in page if i not in self._cache]))
            found = self._cache.get(pid)
        return found

    # ------------------------------------------------------------ for the view

    @property
    def total(self) -> int:
        """Rows loaded, whatever the filter."""
        return len(self._index)

    @property
    def source(self) -> RowSource:
        return self._source

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
        found = self._row(row)
        if found is None:
            raise LookupError(f"row {row} is no longer in the database")
        return found

    def nhs_at(self, row: int) -> str:
        return self._index.nhs_numbers[self._visible[row]]

    def ids_at(self, rows: Iterable[int]) -> list[int]:
        """Patient ids at these table rows."""
        ids, visible = self._index.ids, self._visible
        return [ids[visible[r]] for r in rows]

    def visible_ids(self) -> list[int]:
        ids = self._index.ids
        return [ids[i] for i in self._visible]

    def visible_rows(self) -> list[CaseloadRow]:
        return rows_in_order(self._source, self.visible_ids())

    def rows_of(self, nhs_numbers: Iterable[str]) -> list[int]:
        """Table rows showing these NHS numbers (those filtered out are left out), ascending."""
        wanted = set(nhs_numbers)
        if not wanted:
            return []
        nhs = self._index.nhs_numbers
        return [n for n, i in enumerate(self._visible) if nhs[i] in wanted]
