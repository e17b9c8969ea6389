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
    p.add_argument(
        "--change-encryption",
        action="store_true",
        help="allow restoring a plain backup over an encrypted database (or the reverse)",
    )

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
    from ltcdesk import cli  # looked up at call time (tests replace cli._open)

    with _passphrase_in_env(key):
        db = cli._open(args)
    try:
        SetupService(db.sessions, cli._user(args)).authorise(action)  # a refusal is audited
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
    """Sign in (admin or team lead), check the backup, replace the file, audit the restore.

    The person signs in on the current database, whose accounts and roles decide; when it
    is missing or cannot be opened (often the reason for the restore) they sign in on a
    private copy of the backup instead.
    """
    from ltcdesk.db import check_backup, open_database, resolve_target, restore_sqlite
    from ltcdesk.restore import inspect_backup, record_restore

    _url, target = resolve_target(args.db)
    if target is None:
        raise ValidationError(
            "database", "restore works on SQLite files; for PostgreSQL use pg_restore"
        )
    backup = Path(args.file).expanduser()
    if not backup.is_file():
        raise ValidationError("backup file", f"{backup} does not exist")
    backup_encrypted = _encrypted(backup)
    if not backup_encrypted:
        check_backup(backup)  # before anyone is asked for anything
    current_encrypted = target.exists() and _encrypted(target)
    if backup_encrypted != current_encrypted and not args.change_encryption:
        raise ValidationError(
            "backup file",
            f"{backup} is not encrypted but the database is: restoring it would store the "
            "records unencrypted. Add --change-encryption if that is what you mean"
            if current_encrypted
            else f"{backup} is encrypted but the database is not: add --change-encryption "
            "to restore it (the database will then need the backup's passphrase)",
        )
    username = _sign_in_for_restore(args, target, backup, backup_encrypted)
    key = read_passphrase("Passphrase of the backup: ") if backup_encrypted else None
    check_backup(backup, key)
    facts = inspect_backup(backup, key)
    kept = restore_sqlite(backup, target, key)
    db = open_database(target, key)  # brings an older backup up to the current schema
    try:
        rolled_back = record_restore(db, username, facts, kept)
    finally:
        db.dispose()
    print(
        f"Restored {target} from {backup}"
        + (" (encrypted)" if backup_encrypted else "")
        + f", as {username}."
    )
    print(rolled_back)
    return 0


def _sign_in_for_restore(
    args: argparse.Namespace, target: Path, backup: Path, backup_encrypted: bool
) -> str:
    """The signed-in username, allowed to restore; a refusal is audited where it happened."""
    import shutil
    import tempfile

    from sqlalchemy.exc import DBAPIError

    from ltcdesk import paths
    from ltcdesk.db import open_database
    from ltcdesk.domain.permissions import Action
    from ltcdesk.sqlite_files import copy_private, database_errors

    opened = False
    if target.exists():
        unreadable: tuple[type[BaseException], ...] = (DBAPIError, *database_errors())
        try:
            db, _key = _open_allowed(args, Action.BACKUP)
        except unreadable:
            args._database = None  # damaged: sign in on the backup instead
        else:
            db.dispose()
            opened = True
    if not opened:
        folder = Path(tempfile.mkdtemp(prefix="ltcdesk-restore-", dir=paths.session_temp_dir()))
        try:
            staged = copy_private(backup, folder / "backup.db")
            key = read_passphrase("Passphrase of the backup: ") if backup_encrypted else None
            args.db = str(staged)
            with _passphrase_in_env(key):
                db = open_database(staged, key)
            args._database = db
            try:
                from ltcdesk import cli
                from ltcdesk.services.setup import SetupService

                cli._open(args)
                SetupService(db.sessions, cli._user(args)).authorise(Action.BACKUP)
            finally:
                db.dispose()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            args.db = str(target)
    username = str(args._signed_in.username)
    args._database = None
    return username


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
