"""Accounts: ``ltcdesk user add|disable|reset-password|list``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""


HANDLERS: dict[str, Handler] = {}
