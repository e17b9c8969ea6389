"""Qt item models, and what several of them share."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QAbstractItemModel


def reorder_keeping_indexes(
    model: QAbstractItemModel, key_of_row: Callable[[int], Hashable], reorder: Callable[[], None]
) -> None:
    """Run ``reorder()`` (a sort of the model's rows in place) inside a layout change, moving
    every persistent index (the selection, the current row) to where its row went.
    ``key_of_row(n)`` names the row at ``n`` uniquely, before and after."""
    model.layoutAboutToBeChanged.emit()
    old = model.persistentIndexList()
    keys = [key_of_row(i.row()) for i in old]
    reorder()
    where = {key_of_row(n): n for n in range(model.rowCount())}
    model.changePersistentIndexList(
        old, [model.index(where[k], i.column()) for k, i in zip(keys, old, strict=True)]
    )
    model.layoutChanged.emit()
