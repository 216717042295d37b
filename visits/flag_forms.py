from django import forms

from offenders.models import Officer


class AssignFlagForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=Officer.objects.none(), label="Assign to", empty_label="Choose an officer",
        error_messages={"required": "Choose the officer to assign the flag to.",
                        "invalid_choice": "That officer is not an active officer of this flag's team."},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class FlagNoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                           error_messages={"required": "Write the note before adding it."},
                           help_text="What was done or is planned. Notes are kept as written.")
