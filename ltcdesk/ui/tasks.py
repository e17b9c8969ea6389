"""Run a callable off the GUI thread; its result or error comes back on the GUI thread.

The callable runs on ``QThreadPool.globalInstance()`` and must not touch widgets. Its
outcome reaches ``on_done``/``on_error`` through an event posted to a relay object that
lives in the GUI thread (Picard's ``run_task``, Anki's ``QueryOp``). Tests call
``set_synchronous(True)`` so a task runs at once and its callback runs before
``run_task`` returns.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool

log = logging.getLogger(__name__)
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]

_synchronous = False
# Relays waiting for their task: held here so Python does not collect them meanwhile.
_pending: set[_Relay] = set()


def set_synchronous(on: bool) -> None:
    global _synchronous
    _synchronous = on


def report_error(exc: BaseException) -> None:
    """The default ``on_error``: the application's excepthook logs it and tells the user."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


# The worker posts this event (postEvent is thread-safe) to a relay in the GUI thread.
_DELIVER = QEvent.Type(QEvent.registerEventType())


class _Relay(QObject):
    """Lives in the GUI thread, so the event a worker posts to it is handled there. Owned
    by the application, deleted once delivered: a Python-owned QObject whose last reference
    went in the worker would be destroyed in the worker thread."""

    def __init__(self, on_done: Done, on_error: Failed, guard: QObject | None) -> None:
        super().__init__(QCoreApplication.instance())
        self._on_done = on_done
        self._on_error = on_error
        self._guard = guard
        self.outcome: tuple[bool, Any] = (False, None)  # (succeeded, result or exception)

    def post(self, succeeded: bool, value: Any) -> None:  # in the worker thread
        self.outcome = (succeeded, value)
        if shiboken6.isValid(self):  # gone if the application quit while the task ran
            QCoreApplication.postEvent(self, QEvent(_DELIVER))

    def event(self, event: QEvent) -> bool:
        if event.type() != _DELIVER:
            return super().event(event)
        _pending.discard(self)
        self.deleteLater()
        # The widget that asked may have been closed while the task ran.
        if self._guard is None or shiboken6.isValid(self._guard):
            succeeded, value = self.outcome
            if succeeded:
                self._on_done(value)
            else:
                self._on_error(value)
        return True


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to on_error in the GUI thread
            log.debug("background task failed", exc_info=True)
            self._relay.post(False, exc)
        else:
            self._relay.post(True, result)


def run_task(
    fn: Callable[[], Any],
    on_done: Done,
    on_error: Failed | None = None,
    parent: QObject | None = None,
) -> None:
    """Call ``fn()`` in a worker thread, then ``on_done(result)`` or ``on_error(exc)`` here.

    When ``parent`` has been deleted by the time the task ends, neither callback runs.
    """
    on_error = on_error or report_error
    if not _synchronous:
        relay = _Relay(on_done, on_error, parent)
        _pending.add(relay)
        QThreadPool.globalInstance().start(_Task(fn, relay))
        return
    try:
        succeeded, value = True, fn()
    except Exception as exc:
        succeeded, value = False, exc
    if parent is None or shiboken6.isValid(parent):
        (on_done if succeeded else on_error)(value)


def wait_for_all(msecs: int = 30_000) -> bool:
    """Block until running tasks end (at exit). Their callbacks need the event loop after."""
    return QThreadPool.globalInstance().waitForDone(msecs)
