from django.contrib import admin

from offenders.admin import ReadOnly
from visits.models import CaseAction, Flag, TeamSnapshot, Visit, VisitAttempt


class VisitAttemptInline(admin.TabularInline):
    model = VisitAttempt
    extra = 0
    raw_id_fields = ("officer", "recorded_by")
    can_delete = False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("offender", "due_on", "status", "completed_on", "officer")
    list_filter = ("status", "officer__team")
    search_fields = ("offender__reference",)
    date_hierarchy = "due_on"
    raw_id_fields = ("offender", "officer", "cancelled_by", "recorded_by")
    readonly_fields = ("import_run", "created_at", "updated_at")
    list_select_related = ("offender", "officer")
    show_full_result_count = False
    inlines = [VisitAttemptInline]

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
