"""Messages the app shows (not only the terminal) quote what was typed escaped and cut:
no escape sequence, right-to-left override or 100,000-character essay comes back whole."""

from __future__ import annotations

import pytest

from ltcdesk.domain.errors import DomainError
from ltcdesk.services.settings import SettingsService
from ltcdesk.services.setup import SetupService

HOSTILE = "\x1b[31m\u202eevil" + "x" * 100_000


@pytest.mark.parametrize(
    "call",
    [
        lambda db: SetupService(db.sessions, HOSTILE).staff(),
        lambda db: SettingsService(db.sessions, "admin").set(HOSTILE, "1"),
    ],
    ids=["unknown acting user", "unknown setting"],
)
def test_typed_text_is_quoted_escaped_and_short(team, call):
    with pytest.raises(DomainError) as caught:
        call(team)
    said = str(caught.value)
    assert "\x1b" not in said
    assert "\u202e" not in said
    assert len(said) < 300
    assert "…" in said
