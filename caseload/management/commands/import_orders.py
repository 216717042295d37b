from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update the civil orders on offenders from a CSV or XLSX file (see docs/imports.md)"
    kind = "orders"
