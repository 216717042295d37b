from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update the notifications offenders made from a CSV or XLSX file (see docs/imports.md)"
    kind = "notifications"
