from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from caseload.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup_database FILE into the configured database, which must be new and empty"

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by backup_database")

    def handle(self, *args, file, **options):
        try:
            restore(Path(file), settings.DATABASES["default"])
        except BackupError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"Restored {file}: run `manage.py migrate` if this release is newer than the backup.")
