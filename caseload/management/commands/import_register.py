from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update register from a CSV or XLSX file (see docs/imports.md)"
    kind = "register"
