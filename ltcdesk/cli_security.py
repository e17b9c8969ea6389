"""Keeping the database safe: ``ltcdesk backup|restore`` (and encryption at rest)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ltcdesk.cli import _open, _user
from ltcdesk.domain.errors import ValidationError

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    p = sub.add_parser("backup", parents=[common], help="copy the database to a file (SQLite)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")

    p = sub.add_parser(
        "restore", parents=[common], help="replace the database with a backup (SQLite)"
    )
    p.add_argument("file", type=Path, metavar="FILE")


def _require_sqlite(db: Any, what: str) -> Path:
    if db.sqlite_path is None:
        raise ValidationError(
            "database", f"{what} works on SQLite files; for PostgreSQL use pg_dump / pg_restore"
        )
    return Path(db.sqlite_path)


def cmd_backup(args: argparse.Namespace) -> int:
    from ltcdesk.db import backup_sqlite
    from ltcdesk.domain.permissions import Action, require
    from ltcdesk.services.setup import SetupService

    db = _open(args)
    me = next(
        (s for s in SetupService(db.sessions, _user(args)).staff() if s.username == _user(args)),
        None,
    )
    assert me is not None
    require(me.role, Action.BACKUP)
    source = _require_sqlite(db, "backup")
    out = backup_sqlite(source, args.out)
    print(f"Backed up {source} to {out} ({out.stat().st_size:,} bytes, integrity ok)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ltcdesk.db import open_database, resolve_target, restore_sqlite

    _url, target = resolve_target(args.db)
    if target is None:
        raise ValidationError(
            "database", "restore works on SQLite files; for PostgreSQL use pg_restore"
        )
    kept = restore_sqlite(args.file, target)
    db = open_database(target)  # brings an older backup up to the current schema
    db.dispose()
    print(f"Restored {target} from {args.file}")
    if kept:
        print(f"The previous database was kept as {kept}")
    return 0


HANDLERS: dict[str, Handler] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
}
