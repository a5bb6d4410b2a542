"""manage.py backup --out FILE: an encrypted archive of the database and the uploaded files."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.dataprotection.backup import write_backup
from trellis.dataprotection.crypto import BackupError


def passphrase() -> str:
    value = os.environ.get("TRELLIS_BACKUP_PASSPHRASE", "")
    if len(value) < 12:
        raise CommandError("Set TRELLIS_BACKUP_PASSPHRASE to a passphrase of at least 12 characters.")
    return value


class Command(BaseCommand):
    help = "Write an encrypted backup of the whole database and the uploaded files (TRELLIS_BACKUP_PASSPHRASE)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, help="the backup file to write (it must not exist)")

    def handle(self, *, out: str, **options) -> None:
        key = passphrase()
        target = Path(out)
        if target.exists():
            raise CommandError(f"{target} already exists: choose a new file name.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        partial = target.with_name(target.name + ".partial")
        try:
            with open(partial, "xb") as handle:
                counts = write_backup(handle, key)
            partial.chmod(0o600)
            partial.rename(target)
        except (BackupError, OSError) as error:
            partial.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(v for k, v in counts.items() if k not in ("files", "files missing"))
        self.stdout.write(f"Backed up {rows} rows and {counts['files']} files to {target}.")
        if counts["files missing"]:
            self.stderr.write(f"{counts['files missing']} files named in the database were not on disk.")
