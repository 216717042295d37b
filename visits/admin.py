from django.contrib import admin

from offenders import admin as register_admin
from offenders.admin import ReadOnly
from offenders.models import Offender, Officer, RiskTier, Team
from visits.flagging import flags_refresh, flags_refresh_for
from visits.models import CaseAction, Flag, TeamSnapshot, Visit, VisitAttempt


class FlagsFollow:
    """What is saved here can change who is flagged: the flags it concerns are brought in line in the same
    transaction, as the services do (visits/flagging.py). `flag_subjects` names them: (offender ids, officer ids),
    or None for every flag."""

    def flag_subjects(self, obj, initial: dict) -> tuple[list, list] | None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        subjects = self.flag_subjects(obj, form.initial if change else {})
        if subjects is None:
            flags_refresh(wait=True)
        else:
            flags_refresh_for(offenders=subjects[0], officers=subjects[1])


class RiskTierAdmin(FlagsFollow, register_admin.RiskTierAdmin):
    def flag_subjects(self, obj, initial):
        return None  # intervals and weights: anyone's flags


class TeamAdmin(FlagsFollow, register_admin.TeamAdmin):
    def flag_subjects(self, obj, initial):
        return [], list(obj.officers.values_list("pk", flat=True))


class OfficerAdmin(FlagsFollow, register_admin.OfficerAdmin):
    def flag_subjects(self, obj, initial):
        return [], [obj.pk]


class OffenderAdmin(FlagsFollow, register_admin.OffenderAdmin):
    def flag_subjects(self, obj, initial):
        return [obj.pk], [initial.get("officer"), obj.officer_id]


for model, model_admin in [(RiskTier, RiskTierAdmin), (Team, TeamAdmin), (Officer, OfficerAdmin),
                           (Offender, OffenderAdmin)]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


class VisitAttemptInline(admin.TabularInline):
    model = VisitAttempt
    extra = 0
    raw_id_fields = ("officer", "recorded_by")
    can_delete = False


@admin.register(Visit)
class VisitAdmin(FlagsFollow, admin.ModelAdmin):
    list_display = ("offender", "due_on", "status", "completed_on", "officer")
    list_filter = ("status", "officer__team")
    search_fields = ("offender__reference",)
    date_hierarchy = "due_on"
    raw_id_fields = ("offender", "officer", "cancelled_by", "recorded_by")
    readonly_fields = ("import_run", "created_at", "updated_at")
    list_select_related = ("offender", "officer")
    show_full_result_count = False
    inlines = [VisitAttemptInline]

    def flag_subjects(self, obj, initial):
        return [obj.offender_id], []

    def get_readonly_fields(self, request, obj=None):
        """A visit's offender is set when it is logged, for good (the database refuses a change)."""
        return (*self.readonly_fields, "offender") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAction)
class CaseActionAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: the action history is evidence and the database refuses to change it."""

    list_display = ("at", "offender", "kind", "user", "needs_review")
    list_filter = ("kind", "needs_review")
    search_fields = ("offender__reference",)
    date_hierarchy = "at"
    list_select_related = ("offender", "user")
    show_full_result_count = False


@admin.register(Flag)
class FlagAdmin(ReadOnly, admin.ModelAdmin):
    """Flags are raised and cleared by the job only; the admin reads them."""

    list_display = ("kind", "subject", "severity", "raised_at", "cleared_at")
    list_filter = ("kind", "severity", ("cleared_at", admin.EmptyFieldListFilter))
    search_fields = ("offender__reference", "officer__staff_id")
    date_hierarchy = "raised_at"
    list_select_related = ("offender", "officer")
    show_full_result_count = False

    @admin.display(description="Subject")
    def subject(self, flag):
        return flag.officer.staff_id if flag.officer_id else flag.offender.reference


@admin.register(TeamSnapshot)
class TeamSnapshotAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("day", "team", "caseload", "overdue", "unseen", "unallocated", "caseload_per_fte", "capacity_pct")
    list_filter = ("team",)
    date_hierarchy = "day"
