"""The one CSV writer: every CSV ltcdesk writes (the command line's caseload, reminders and
audit lists, the app's caseload export, a meeting's actions) goes through it.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula: a family name typed as
``=HYPERLINK("http://x","y")`` would become a live link, or worse (CSV injection, OWASP).
Every cell that starts so is written with a leading ``'``, which spreadsheets show as text
and do not print. Cells are never dropped or cut.

Pure: no I/O beyond the file object given (or an ``io.StringIO``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
BOM: Final = "\ufeff"  # so that Excel reads UTF-8 ("María", not "MarÃ­a")


def safe_cell(value: object) -> str:
    """``value`` as CSV text, with ``'`` in front if a spreadsheet would take it for a
    formula. None is the empty cell."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, fileobj: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(fileobj, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(fileobj: IO[str], **fmtparams: Any) -> SafeWriter:
    """A formula-safe CSV writer on an open text file (``newline=""``) or ``sys.stdout``."""
    return SafeWriter(fileobj, **fmtparams)


def write_csv(
    rows: Iterable[Iterable[object]],
    headers: Sequence[object],
    *,
    bom: bool = False,
    lineterminator: str = "\r\n",
) -> str:
    """The CSV text of ``headers`` then ``rows``, every cell formula-safe; with ``bom`` it
    starts with a byte order mark (for a file a spreadsheet opens)."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = SafeWriter(out, lineterminator=lineterminator)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable[object]], headers: Sequence[object]) -> bytes:
    """A CSV file's bytes: UTF-8 with a byte order mark, every cell formula-safe."""
    return write_csv(rows, headers, bom=True).encode("utf-8")
