"""The process tests/e2e/test_kill_encrypt.py kills: ``ltcdesk`` itself, with a trap set in
one step of an encrypt, decrypt or rekey.

    python kill_child.py STEP DELAY ltcdesk-arguments...

STEP is a function of ``ltcdesk.encryption`` that a conversion calls (``_export``,
``_verify``, ``_keep_aside``, ``_swap``, ``_discard``), optionally ``#N`` for its Nth call
and ``:after`` to spring the trap when it returns rather than when it is entered. When the
trap springs, a timer SIGKILLs this process DELAY seconds later (0: at once, so nothing of
the step, or nothing after it, runs). STEP ``none`` sets no trap: the parent kills the
process at a moment of its choosing. Nothing in ltcdesk knows about the trap.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

# Run as a script: make the project importable however the interpreter was installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ltcdesk.encryption as enc
from ltcdesk.cli import main


def _kill(delay: float) -> None:
    if delay <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL))
    timer.daemon = True
    timer.start()


def set_trap(point: str, delay: float) -> None:
    name, _, when = point.partition(":")
    name, _, nth_text = name.partition("#")
    nth = int(nth_text or 1)
    original = getattr(enc, name)
    calls = 0

    @functools.wraps(original)
    def trapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when != "after":
            _kill(delay)
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            _kill(delay)
        return result

    setattr(enc, name, trapped)


if __name__ == "__main__":
    step, delay = sys.argv[1], float(sys.argv[2])
    if step != "none":
        set_trap(step, delay)
    raise SystemExit(main(sys.argv[3:]))
