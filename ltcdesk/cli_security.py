"""Keeping the database safe: ``ltcdesk backup|restore|encrypt|decrypt|rekey``.

Passphrases never come from the command line (it shows in ``ps`` and shell history): the
current one from ``$LTCDESK_DB_PASSPHRASE``, a new one from ``$LTCDESK_NEW_DB_PASSPHRASE``,
else a prompt when stdin is a terminal (twice for a new one).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ltcdesk.cli import _open, _user
from ltcdesk.domain.errors import ValidationError
from ltcdesk.sqlite_files import PASSPHRASE_ENV, check_new_passphrase, passphrase_from_env

Handler = Callable[[argparse.Namespace], int]
NEW_PASSPHRASE_ENV = "LTCDESK_NEW_DB_PASSPHRASE"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's parsers to the ``ltcdesk`` sub-command parsers."""
    p = sub.add_parser("backup", parents=[common], help="copy the database to a file (SQLite)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")

    p = sub.add_parser(
        "restore", parents=[common], help="replace the database with a backup (SQLite)"
    )
    p.add_argument("file", type=Path, metavar="FILE")

    sub.add_parser(
        "encrypt",
        parents=[common],
        help=f"encrypt the database file with a new passphrase (${NEW_PASSPHRASE_ENV} or prompt)",
    )
    sub.add_parser(
        "decrypt",
        parents=[common],
        help=f"store the database unencrypted again (passphrase: ${PASSPHRASE_ENV} or prompt)",
    )
    sub.add_parser(
        "rekey",
        parents=[common],
        help=f"change the database passphrase (${PASSPHRASE_ENV}, ${NEW_PASSPHRASE_ENV})",
    )


# ------------------------------------------------------------------------ passphrases


def read_passphrase(prompt: str = "Database passphrase: ") -> str:
    """The current database passphrase: ``$LTCDESK_DB_PASSPHRASE``, else asked for."""
    env = passphrase_from_env()
    if env:
        return env
    if not sys.stdin.isatty():
        raise ValidationError(
            "passphrase", f"the database is encrypted: set {PASSPHRASE_ENV} or run in a terminal"
        )
    entered = getpass.getpass(prompt)
    if not entered:
        raise ValidationError("passphrase", "no passphrase was entered; nothing was changed")
    return entered


def read_new_passphrase() -> str:
    """A new passphrase: ``$LTCDESK_NEW_DB_PASSPHRASE``, else asked for twice."""
    env = os.environ.get(NEW_PASSPHRASE_ENV)
    if env:
        return check_new_passphrase(env)
    if not sys.stdin.isatty():
        raise ValidationError(
            "new passphrase", f"set {NEW_PASSPHRASE_ENV} or run in a terminal to be asked"
        )
    first = check_new_passphrase(getpass.getpass("New database passphrase: "))
    if getpass.getpass("Type it again: ") != first:
        raise ValidationError("new passphrase", "the two entries differ; nothing was changed")
    return first


@contextlib.contextmanager
def _passphrase_in_env(passphrase: str | None) -> Iterator[None]:
    # ``_open`` reads the passphrase from the environment, as open_database does.
    if passphrase is None:
        yield
        return
    before = os.environ.get(PASSPHRASE_ENV)
    os.environ[PASSPHRASE_ENV] = passphrase
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PASSPHRASE_ENV, None)
        else:
            os.environ[PASSPHRASE_ENV] = before


def _open_allowed(args: argparse.Namespace, action: Any) -> tuple[Any, str | None]:
    """Open the database as the signed-in user, who must be allowed ``action``.

    Returns the database and its passphrase (None when it is not encrypted).
    """
    from ltcdesk.db import needs_passphrase
    from ltcdesk.services.setup import SetupService

    key = read_passphrase() if needs_passphrase(args.db) else None
    with _passphrase_in_env(key):
        db = _open(args)
    try:
        SetupService(db.sessions, _user(args)).authorise(action)  # a refusal is audited
    except BaseException:
        db.dispose()
        raise
    return db, key


def _require_sqlite(db: Any, what: str) -> Path:
    if db.sqlite_path is None:
        db.dispose()
        raise ValidationError(
            "database", f"{what} works on SQLite files; for PostgreSQL use pg_dump / pg_restore"
        )
    return Path(db.sqlite_path)


# ------------------------------------------------------------------------ commands


def cmd_backup(args: argparse.Namespace) -> int:
    from ltcdesk.db import backup_sqlite
    from ltcdesk.domain.permissions import Action

    db, key = _open_allowed(args, Action.BACKUP)
    source = _require_sqlite(db, "backup")
    try:
        out = backup_sqlite(source, args.out, key)
    finally:
        db.dispose()
    kind = "encrypted with the database passphrase, " if key else ""
    print(f"Backed up {source} to {out} ({out.stat().st_size:,} bytes, {kind}integrity ok)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ltcdesk.db import is_encrypted, open_database, resolve_target, restore_sqlite

    _url, target = resolve_target(args.db)
    if target is None:
        raise ValidationError(
            "database", "restore works on SQLite files; for PostgreSQL use pg_restore"
        )
    backup = Path(args.file)
    key = read_passphrase("Passphrase of the backup: ") if _encrypted(backup) else None
    kept = restore_sqlite(backup, target, key)
    db = open_database(target, key)  # brings an older backup up to the current schema
    db.dispose()
    print(f"Restored {target} from {args.file}" + (" (encrypted)" if is_encrypted(target) else ""))
    if kept:
        print(f"The previous database was kept as {kept}")
    return 0


def _encrypted(path: Path) -> bool:
    from ltcdesk.db import is_encrypted

    try:
        return path.is_file() and is_encrypted(path)
    except ValidationError:
        return False  # restore_sqlite says what is wrong with it


def _offline(args: argparse.Namespace, what: str) -> tuple[Path, str | None]:
    """An administrator's database file and passphrase, closed so it can be converted."""
    from ltcdesk.domain.permissions import Action

    db, key = _open_allowed(args, Action.MANAGE_SETTINGS)
    path = _require_sqlite(db, what)
    db.dispose()
    return path, key


def _offline_encrypted(args: argparse.Namespace, what: str, hint: str = "") -> tuple[Path, str]:
    path, key = _offline(args, what)
    if key is None:
        raise ValidationError("database", f"{path} is not encrypted{hint}")
    return path, key


def cmd_encrypt(args: argparse.Namespace) -> int:
    from ltcdesk.backups import plaintext_copies
    from ltcdesk.encryption import encrypt_sqlite

    path, key = _offline(args, "encrypt")  # opening it removed any interrupted conversion's copies
    if key is not None:
        _list_plaintext_copies(plaintext_copies(path), sys.stderr)
        raise ValidationError(
            "database", f"{path} is already encrypted; use `ltcdesk rekey` to change the passphrase"
        )
    encrypt_sqlite(path, read_new_passphrase())
    print(f"Encrypted {path}. Without the passphrase nobody can read it, you included:")
    print("keep the passphrase somewhere safe (the team's password manager).")
    _list_plaintext_copies(plaintext_copies(path), sys.stdout)
    return 0


def _list_plaintext_copies(copies: list[Path], out: Any) -> None:
    if copies:
        print(
            "\nThese older copies are NOT encrypted; delete them, or keep them somewhere safe:",
            file=out,
        )
        for copy in copies:
            print(f"  {copy}", file=out)


def cmd_decrypt(args: argparse.Namespace) -> int:
    from ltcdesk.encryption import decrypt_sqlite

    path, key = _offline_encrypted(args, "decrypt")
    decrypt_sqlite(path, key)
    print(f"Decrypted {path}: anyone who can read the file can now read the records in it.")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from ltcdesk.encryption import rekey_sqlite

    path, key = _offline_encrypted(args, "rekey", "; use `ltcdesk encrypt`")
    rekey_sqlite(path, key, read_new_passphrase())
    print(f"Changed the passphrase of {path}.")
    print("Backups made before now still open with the old passphrase only.")
    return 0


HANDLERS: dict[str, Handler] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
    "encrypt": cmd_encrypt,
    "decrypt": cmd_decrypt,
    "rekey": cmd_rekey,
}
