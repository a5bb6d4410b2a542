"""manage.py restore FILE: bring a backup back into an empty, migrated database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.dataprotection.backup import restore_backup
from trellis.dataprotection.crypto import BackupError

from .backup import passphrase


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database (run `migrate` first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the backup file")

    def handle(self, *, file: str, **options) -> None:
        key = passphrase()
        if not Path(file).is_file():
            raise CommandError(f"There is no file at {file}.")
        try:
            counts = restore_backup(file, key)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(v for k, v in counts.items() if k != "files")
        self.stdout.write(f"Restored {rows} rows and {counts['files']} files from {file}.")
