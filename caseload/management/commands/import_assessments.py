from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update risk assessment history from a CSV or XLSX file (see docs/imports.md)"
    kind = "assessments"
