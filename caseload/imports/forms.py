from django import forms
from django.conf import settings

from offenders.models import ImportRun


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportRun.Kind.choices)
    file = forms.FileField(label="File (CSV or XLSX)", help_text="UTF-8 CSV, comma or semicolon separated, or XLSX")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(f"{upload.name} is not a CSV or XLSX file")
        limit = settings.CASELOAD_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1048576:.0f} MB; the largest file accepted is {limit} MB"
            )
        return upload


class ImportConfirmForm(forms.Form):
    valid_rows_only = forms.BooleanField(required=False, label="Import the valid rows only, leaving out the rows"
                                                               " with errors")
