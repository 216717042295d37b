from django.contrib import admin

from visits.models import CaseAction, Visit, VisitAttempt


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
class CaseActionAdmin(admin.ModelAdmin):
    """Read-only: the action history is evidence and the database refuses to change it."""

    list_display = ("at", "offender", "kind", "user", "needs_review")
    list_filter = ("kind", "needs_review")
    search_fields = ("offender__reference",)
    date_hierarchy = "at"
    list_select_related = ("offender", "user")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
