from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from caseload.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database (register, history, read log, imports) into FILE with pg_dump"

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup (pg_dump's custom format)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if path.exists():
            raise CommandError(f"{path} exists: choose a new file name")
        try:
            backup(settings.DATABASES["default"], path)
        except BackupError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size:,} bytes).")
