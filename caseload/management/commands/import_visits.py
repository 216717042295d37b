from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update visit history from a CSV or XLSX file (see docs/imports.md)"
    kind = "visits"
