from caseload.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Load or update officers' absences and reductions from a CSV or XLSX file (see docs/imports.md)"
    kind = "absences"
