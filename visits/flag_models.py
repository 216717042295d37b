"""The flags' work queue: what was done about a flag, by whom (visits/flag_queue.py writes it)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from offenders.models import Officer
from visits.models import Flag


class FlagActionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    NOTE = "note", "Note"


class FlagAction(models.Model):
    """Who acknowledged a flag, assigned it or wrote a note on it, and when: one row per action, never changed or
    deleted, so the work on a flag reads as it happened and outlives the flag's clearing."""

    Kind = FlagActionKind

    # DO_NOTHING: the key (checked at commit) refuses deleting a flag worked on; one never worked on is still deleted
    # in one statement.
    flag = models.ForeignKey(Flag, on_delete=models.DO_NOTHING, related_name="actions")
    kind = models.CharField(max_length=12, choices=FlagActionKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text="Assigned: to whom")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FlagActionKind.values), name="flag_action_kind_valid"),
            models.CheckConstraint(condition=Q(kind=FlagActionKind.ASSIGNED, officer__isnull=False)
                                   | (~Q(kind=FlagActionKind.ASSIGNED) & Q(officer__isnull=True)),
                                   name="flag_action_assigned_to_an_officer"),
            models.CheckConstraint(condition=~Q(kind=FlagActionKind.NOTE) | ~Q(text=""),
                                   name="flag_action_note_has_text"),
        ]
        triggers = [
            pgtrigger.Protect(name="flag_action_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.at:%Y-%m-%d %H:%M}"
