"""Caseload lists: the signed-in user's caseload, the team's caseloads, every patient.

Each refresh fetches the list's index in a worker thread; filtering and sorting then happen
in the table model in plain Python, fast enough to follow each keystroke at 100,000 rows,
and the model fetches the details of the rows on screen a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ltcdesk.domain.errors import DomainError
from ltcdesk.domain.permissions import Action, allowed
from ltcdesk.domain.vocab import CONDITIONS, KEY_WORKER_ROLES, LEVEL_LABELS, LEVELS
from ltcdesk.fileio import write_atomically
from ltcdesk.services.listing import CaseloadRow, ListIndex
from ltcdesk.services.setup import PracticeView, StaffView
from ltcdesk.ui import tasks
from ltcdesk.ui.dialogs.bulk_actions import BulkLevelDialog, BulkTransferDialog, patients
from ltcdesk.ui.models.caseload_table import (
    NHS_ROLE,
    CaseloadTableModel,
    Column,
    csv_bytes,
    rows_in_order,
)
from ltcdesk.ui.views.caseload_conversations import CaseloadConversationActions
from ltcdesk.ui.views.caseload_table_view import CaseloadTable

if TYPE_CHECKING:
    from ltcdesk.app import Services

MODES = {"mine": "My caseload", "team": "Team caseloads", "patients": "Patients"}
# "teamCaseloadView" is the team view's summary of caseload sizes.
_OBJECT_NAMES = {
    "mine": "myCaseloadView",
    "team": "teamCaseloadListView",
    "patients": "patientsView",
}
_FILE_STEMS = {"mine": "my-caseload", "team": "team-caseloads", "patients": "patients"}


@dataclass(frozen=True)
class _Loaded:
    index: ListIndex
    practices: list[PracticeView]
    staff: list[StaffView]
    workers: list[tuple[str, str]]  # (display name, username) for the key worker filter


def _workers(staff: Sequence[StaffView], index: ListIndex) -> list[tuple[str, str]]:
    names = {s.username: s.display_name for s in staff if s.active and s.role in KEY_WORKER_ROLES}
    for username, name in index.key_workers().items():  # may hold a caseload after a role change
        names.setdefault(username, name)
    return sorted(((n, u) for u, n in names.items()), key=lambda w: w[0].casefold())


class CaseloadView(QWidget):
    """``mode``: "mine" (the signed-in user's caseload), "team" or "patients" (everyone)."""

    patientActivated = Signal(str)  # ten-digit NHS number
    changed = Signal()  # after a bulk action changed caseloads

    def __init__(self, services: Services, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"unknown caseload view mode {mode!r}")
        self._services = services
        self._mode = mode
        self._generation = 0
        self._loading = False
        self._loaded = False
        self._look_pending = False  # the person opened the list: audit once it is loaded
        self._staff: list[StaffView] = []
        self._kept_selection: list[str] = []
        self._kept_current: str | None = None
        self._dialog: QDialog | None = None
        self.setObjectName(_OBJECT_NAMES[mode])
        self.setAccessibleName(MODES[mode])
        self._build()
        self.refresh()

    # ------------------------------------------------------------ building

    def _build(self) -> None:
        self.title = QLabel(MODES[self._mode])
        self.title.setObjectName("caseloadTitle")
        self.title.setAccessibleName(MODES[self._mode])
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("caseloadFilter")
        self.filter_edit.setAccessibleName("Filter by name, NHS number or postcode")
        self.filter_edit.setPlaceholderText("Filter by name, NHS number or postcode")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(self.filter_edit.fontMetrics().averageCharWidth() * 36)
        self.filter_edit.installEventFilter(self)

        self.level_filter = self._combo("levelFilter", "Level", "All levels")
        for level in LEVELS:
            self.level_filter.addItem(f"Level {level}", level)
            self.level_filter.setItemData(level, LEVEL_LABELS[level], Qt.ItemDataRole.ToolTipRole)
        self.practice_filter = self._combo("practiceFilter", "Practice", "All practices")
        self.worker_filter = self._combo("workerFilter", "Key worker", "All key workers")
        self.worker_filter.setVisible(self._mode != "mine")
        self.condition_filter = self._combo("conditionFilter", "Condition", "All conditions")
        for code, name in sorted(CONDITIONS, key=lambda c: c[1].casefold()):
            self.condition_filter.addItem(name, code)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        for combo in (
            self.level_filter,
            self.practice_filter,
            self.worker_filter,
            self.condition_filter,
        ):
            filters.addWidget(combo)

        self.model = CaseloadTableModel(self)
        self.table = CaseloadTable(self.model, f"{MODES[self._mode]} list")
        header = self.table.horizontalHeader()
        header.setSectionHidden(Column.KEY_WORKER, self._mode == "mine")
        self.model.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        self.model.modelReset.connect(self._on_model_reset)
        self.table.selectionModel().selectionChanged.connect(self._update_controls)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.rowActivated.connect(self._on_table_activated)

        self.count_label = QLabel()
        self.count_label.setObjectName("caseloadCount")
        self.count_label.setAccessibleName("Number of patients")
        # Wide enough for any count, so the buttons do not shift as the filter changes.
        widest = "88,888 of 88,888 shown · 8,888 selected"
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance(widest))
        self.message_label = QLabel()
        self.message_label.setObjectName("actionMessage")
        self.message_label.setAccessibleName("Last action")
        self.transfer_button = self._button("transferButton", "&Transfer…", "Transfer selected")
        self.level_button = self._button("changeLevelButton", "Change &level…", "Change level")
        self.export_button = self._button("exportCsvButton", "E&xport CSV…", "Export CSV")
        self.print_button = self._button("printListButton", "&Print list…", "Print list")
        self.plans_button = self._button("printPlansButton", "Care p&lans…", "Print care plans")
        self.plans_button.setToolTip(
            "Save the agreed care plan of everyone on this caseload as PDFs, one per person"
        )
        self.plans_button.clicked.connect(self._on_plans_button_clicked)
        self.transfer_button.setToolTip("Transfer the selected patients to another key worker")
        self.level_button.setToolTip("Step the selected patients up or down a level of care")
        self.export_button.setToolTip("Save the patients shown as a spreadsheet (CSV)")
        self.print_button.setToolTip("Save the patients shown as a PDF list to print")
        self.transfer_button.clicked.connect(self._on_transfer_button_clicked)
        self.level_button.clicked.connect(self._on_level_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)

        self.conversation_actions = CaseloadConversationActions(
            self._services, self, self.selected_rows, self._on_bulk_action_done
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(16)
        bottom.addWidget(self.message_label, 1)
        for button in (
            *self.conversation_actions.buttons,
            self.transfer_button,
            self.level_button,
            self.export_button,
            self.print_button,
            self.plans_button,
        ):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.filter_edit.returnPressed.connect(self._on_filter_edit_return_pressed)
        self.level_filter.currentIndexChanged.connect(self._on_quick_filter_changed)
        self.practice_filter.currentIndexChanged.connect(self._on_quick_filter_changed)
        self.worker_filter.currentIndexChanged.connect(self._on_quick_filter_changed)
        self.condition_filter.currentIndexChanged.connect(self._on_quick_filter_changed)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.filter_edit.setFocus)

    def _combo(self, name: str, label: str, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(f"{label} filter")
        combo.setToolTip(f"Show only one {label.lower()}")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(everything, None)
        return combo

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setEnabled(False)
        return button

    # ------------------------------------------------------------ loading

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def loading(self) -> bool:
        return self._loading

    def ensure_loaded(self) -> None:
        """The person opens the list (the main window calls it on showing it): load unless
        already loaded or loading, and audit the look (one row, with how many patients).
        A reload after a change elsewhere (``invalidate``) is not audited."""
        self._look_pending = True
        if not self._loaded and not self._loading:
            self.refresh()
        elif self._loaded:
            self._record_look()

    def _record_look(self) -> None:
        self._look_pending = False
        try:
            self._services.caseload.record_list_view(self._audit_title(), self.model.total)
        except DomainError as exc:
            self.message_label.setText(str(exc))

    def invalidate(self) -> None:
        """Something changed elsewhere: reload now if shown (or loading), else when next shown
        (a hidden Patients list need not reload 100,000 entries after every save)."""
        if self.isVisible() or self._loading:
            self.refresh()
        else:
            self._loaded = False

    def refresh(self) -> None:
        """Reload the rows from the service, keeping the filter, the sort and the selection."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self._update_controls()
        caseload, setup = self._services.caseload, self._services.setup
        mode, me = self._mode, self._services.username

        def load() -> _Loaded:  # in a worker thread: no widgets here
            worker = me if mode == "mine" else None
            index = caseload.index(everyone=mode == "patients", worker=worker)
            staff = setup.staff()
            return _Loaded(index, setup.practices(), staff, _workers(staff, index))

        tasks.run_task(
            load,
            lambda loaded: self._on_loaded(generation, loaded),
            lambda exc: self._on_load_failed(generation, exc),
            parent=self,
        )

    def _on_loaded(self, generation: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            return  # a newer refresh is on its way
        self._loading = False
        self._loaded = True
        self._staff = loaded.staff
        self._fill_combos(loaded)
        self.model.set_index(loaded.index, self._services.caseload)  # restores the selection
        if self._look_pending:
            self._record_look()

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._update_controls()
        if isinstance(exc, DomainError):
            self.count_label.setText("Could not load the list")
            QMessageBox.warning(self, MODES[self._mode], str(exc))
        else:
            tasks.report_error(exc)

    def _fill_combos(self, loaded: _Loaded) -> None:
        _refill(self.practice_filter, [(p.name, p.code) for p in loaded.practices])
        _refill(self.worker_filter, loaded.workers)

    # ------------------------------------------------------------ filtering

    def set_worker_filter(self, username: str | None) -> None:
        """Show one key worker's caseload (the team view's drill-down); None for everyone."""
        index = self.worker_filter.findData(username) if username else 0
        if index < 0:
            assert username is not None
            self.worker_filter.addItem(username, username)  # named properly on the next load
            index = self.worker_filter.count() - 1
        self.worker_filter.setCurrentIndex(index)
        self.model.set_filter(worker=username)

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.model.set_filter(text=text)

    def _on_filter_edit_return_pressed(self) -> None:
        if self.model.rowCount() == 1:
            self.patientActivated.emit(self.model.nhs_at(0))
        elif self.model.rowCount() > 1:
            self._focus_table()

    def _on_quick_filter_changed(self, _index: int) -> None:
        self.model.set_filter(
            level=self.level_filter.currentData(),
            practice=self.practice_filter.currentData(),
            worker=self.worker_filter.currentData(),
            condition=self.condition_filter.currentData(),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the filter box moves into the list, as in a search field.
        if (
            watched is self.filter_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self._focus_table()
            return True
        return super().eventFilter(watched, event)

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    # ------------------------------------------------------------ selection

    def selected_rows(self) -> list[CaseloadRow]:
        """Selected rows in the order shown."""
        ids = self.model.ids_at(self._selected_row_numbers())
        return rows_in_order(self.model.source, ids)

    def selected_nhs_numbers(self) -> list[str]:
        return [self.model.nhs_at(r) for r in self._selected_row_numbers()]

    def _selected_row_numbers(self) -> list[int]:
        return self.table.selected_row_numbers()

    def _on_model_about_to_be_reset(self) -> None:
        self._kept_selection = self.selected_nhs_numbers()
        current = self.table.currentIndex()
        self._kept_current = self.model.nhs_at(current.row()) if current.isValid() else None

    def _on_model_reset(self) -> None:
        model = self.model
        current = model.rows_of([self._kept_current]) if self._kept_current else []
        selected = model.rows_of(self._kept_selection)
        self.table.select_row_numbers(selected, current[0] if current else None)
        self._kept_selection, self._kept_current = [], None
        self._update_controls()

    def _update_controls(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        selected = len(self._selected_row_numbers())
        if self._loading:
            text = "Loading…"
        elif shown == total:
            text = patients(total)
        else:
            text = f"{shown:,} of {total:,} shown"
        if selected and not self._loading:
            text += f" · {selected:,} selected"
        self.count_label.setText(text)
        role = self._my_role()
        can_transfer = role is not None and allowed(role, Action.TRANSFER_CASELOAD)
        can_change = role is not None and allowed(role, Action.MANAGE_CASELOAD)
        self.transfer_button.setEnabled(bool(selected) and can_transfer)
        self.level_button.setEnabled(bool(selected) and can_change)
        self.export_button.setEnabled(shown > 0)
        self.print_button.setEnabled(shown > 0)
        self.plans_button.setEnabled(self.plans_worker() is not None and not self._loading)
        self.conversation_actions.update(role, selected, self._loading)

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patientActivated.emit(index.data(NHS_ROLE))

    # ------------------------------------------------------------ bulk actions

    def open_transfer_dialog(self) -> BulkTransferDialog | None:
        """Open (without blocking) the transfer dialog for the selected patients."""
        chosen = self.selected_rows()
        if not chosen:
            return None
        caseload = self._services.caseload
        try:
            workers = [w for w in caseload.sizes() if w.role in KEY_WORKER_ROLES]
        except DomainError as exc:
            QMessageBox.warning(self, "Transfer", str(exc))
            return None
        current = {row.key_worker_username for row in chosen}
        if len(current) == 1:  # nobody transfers to the key worker they already have
            workers = [w for w in workers if w.username not in current]
        nhs = [row.nhs_number for row in chosen]
        dialog = BulkTransferDialog(
            len(nhs), workers, lambda worker, why: caseload.bulk_transfer(nhs, worker, why), self
        )
        self._open_dialog(dialog)
        return dialog

    def open_level_dialog(self) -> BulkLevelDialog | None:
        """Open (without blocking) the change of level dialog for the selected patients."""
        nhs = self.selected_nhs_numbers()
        if not nhs:
            return None
        caseload = self._services.caseload
        dialog = BulkLevelDialog(
            len(nhs), lambda level, why: caseload.bulk_change_level(nhs, level, why), self
        )
        self._open_dialog(dialog)
        return dialog

    def _open_dialog(self, dialog: BulkTransferDialog | BulkLevelDialog) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = dialog
        dialog.accepted.connect(lambda: self._on_bulk_action_done(dialog.outcome))
        dialog.open()

    def _on_bulk_action_done(self, outcome: str) -> None:
        self.message_label.setText(outcome)
        self.refresh()
        self.changed.emit()  # the main window tells the other views

    def _on_transfer_button_clicked(self) -> None:
        self.open_transfer_dialog()

    def _on_level_button_clicked(self) -> None:
        self.open_level_dialog()

    # ------------------------------------------------------------ export and print

    def visible_columns(self) -> list[int]:
        """Columns shown, in the order shown."""
        return self.table.visible_columns()

    def _on_export_button_clicked(self) -> None:
        self.export_csv()

    def plans_worker(self) -> str | None:
        """Whose caseload's care plans "Care plans…" prints: mine, or the key worker chosen."""
        if self._mode == "mine":
            return self._services.username
        worker = self.worker_filter.currentData()
        return str(worker) if worker else None

    def _on_plans_button_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        worker = self.plans_worker()
        if worker is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Save the care plans in…")
        if folder:
            self.print_plans(Path(folder))

    def print_plans(self, folder: Path) -> None:
        from ltcdesk.ui.dialogs.care_plan_batch import export_caseload_plans

        worker = self.plans_worker()
        assert worker is not None
        try:
            written, total = export_caseload_plans(
                self, self._services.careplans, worker, folder, self._my_name()
            )
        except (DomainError, OSError) as exc:
            QMessageBox.warning(self, "Care plans", str(exc))
            return
        if written == total:
            self.message_label.setText(f"Saved {written} care plans to {folder.name}.")
        else:
            self.message_label.setText(
                f"Stopped: saved {written} of {total} care plans to {folder.name}."
            )

    def _on_print_button_clicked(self) -> None:
        self.print_list()

    def export_csv(self) -> None:
        """Save the rows shown, with the columns shown, as CSV that Excel opens correctly."""
        ids, columns, source = self.model.visible_ids(), self.visible_columns(), self.model.source
        if not ids:
            return
        target = self._ask_path("Export CSV", "csv", "CSV files (*.csv)")
        if target is not None and self._audited("Export CSV", "CSV", len(ids)):
            self._save(
                "Export CSV",
                target,
                lambda: csv_bytes(rows_in_order(source, ids), columns),
                f"Exported {patients(len(ids))} to {target.name}.",
            )

    def print_list(self) -> None:
        """Save the rows shown as a PDF list (laid out by ltcdesk.reports.caseload_list)."""
        ids, source = self.model.visible_ids(), self.model.source
        if not ids:
            return
        try:
            from ltcdesk.reports.caseload_list import render_caseload_pdf
        except ImportError:
            QMessageBox.warning(self, "Print list", "Printing lists is not available here.")
            return
        target = self._ask_path("Print list", "pdf", "PDF files (*.pdf)")
        if target is None or not self._audited("Print list", "PDF", len(ids)):
            return
        title, me, now = self.print_title(), self._my_name(), datetime.now()
        self._save(
            "Print list",
            target,
            lambda: render_caseload_pdf(rows_in_order(source, ids), title, me, now),
            f"Saved the list of {patients(len(ids))} to {target.name}.",
        )

    def _audited(self, title: str, kind: str, count: int) -> bool:
        """The export is audited (what and how many) before anything leaves the screen;
        False, having said why, when it cannot be."""
        try:
            self._services.caseload.record_export(kind, count, self._audit_title())
        except DomainError as exc:
            QMessageBox.warning(self, title, str(exc))
            return False
        return True

    def print_title(self, *, searched: str | None = None) -> str:
        """What the list shows, in words: the view and every filter in force (the search
        as ``searched`` says, when given)."""
        parts = [f"Caseload of {self._my_name()}" if self._mode == "mine" else MODES[self._mode]]
        combos = [self.level_filter, self.practice_filter, self.condition_filter]
        if self._mode != "mine":
            combos.insert(2, self.worker_filter)
        parts += [c.currentText() for c in combos if c.currentIndex() > 0]
        if self.model.filter_text.strip():
            parts.append(searched or f"matching “{self.model.filter_text.strip()}”")
        return " – ".join(parts)

    def _audit_title(self) -> str:
        # An audit summary holds no names: not the words searched for, nor whose caseload.
        title = self.print_title(searched="matching a search")
        return title.replace(f"Caseload of {self._my_name()}", "My caseload", 1)

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stem = f"{_FILE_STEMS[self._mode]}-{date.today():%Y-%m-%d}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path(folder) / stem), file_filter)
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_suffix(f".{suffix}")

    def _save(self, title: str, target: Path, render: Callable[[], bytes], done: str) -> None:
        self.message_label.setText(f"Saving {target.name}…")
        tasks.run_task(
            lambda: write_atomically(target, render()),
            lambda _: self.message_label.setText(done),
            lambda exc: self._on_save_failed(title, target, exc),
            parent=self,
        )

    def _on_save_failed(self, title: str, target: Path, exc: BaseException) -> None:
        self.message_label.clear()
        if isinstance(exc, OSError):
            QMessageBox.warning(self, title, f"Could not save {target}: {exc.strerror or exc}")
        elif isinstance(exc, DomainError):
            QMessageBox.warning(self, title, str(exc))
        else:
            tasks.report_error(exc)

    # ------------------------------------------------------------ the signed-in user

    def _me(self) -> StaffView | None:
        me = self._services.username
        return next((s for s in self._staff if s.username == me), None)

    def _my_role(self) -> str | None:
        me = self._me()
        return me.role if me is not None and me.active else None

    def _my_name(self) -> str:
        me = self._me()
        return me.display_name if me is not None else self._services.username


def _refill(combo: QComboBox, items: Sequence[tuple[str, Any]]) -> None:
    """Replace a filter's choices after the "All …" item, keeping the current choice."""
    current = combo.currentData()
    blocked = combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(combo.count() - 1)
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(current) if current is not None else 0
        if index < 0:  # keep a choice that is no longer offered, so the filter stays visible
            combo.addItem(str(current), current)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
    finally:
        combo.blockSignals(blocked)
