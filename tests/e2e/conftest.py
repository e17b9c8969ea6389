"""Every end-to-end test runs as a signed-in administrator unless it says otherwise.

``ltcdesk init`` (in or out of process) creates the first administrator, ``admin``, with
ADMIN_PASSWORD from ``LTCDESK_NEW_PASSWORD``; later commands sign in as ``admin`` with
``LTCDESK_USER`` and ``LTCDESK_PASSWORD``. Child processes inherit the environment.
"""

from __future__ import annotations

import pytest

ADMIN_PASSWORD = "e2e sign-in secret"


@pytest.fixture(autouse=True)
def _signed_in_as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTCDESK_NEW_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("LTCDESK_USER", "admin")
    monkeypatch.setenv("LTCDESK_PASSWORD", ADMIN_PASSWORD)
