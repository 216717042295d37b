from django.contrib import admin
from django.db.models import Func, IntegerField

from offenders.accounts import accounts_follow_officers
from offenders.audit import record_access
from offenders.models import ImportRun, Offender, OffenderAccess, Officer, RiskAssessment, RiskTier, Team
from offenders.roles import Role, role_of


class ReadOnly:
    """Evidence and records written by the system: read in the admin, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NeverDeleted:
    """Nothing is hard-deleted from the UI: officers go inactive, policy is edited, history stays."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskTier)
class RiskTierAdmin(NeverDeleted, admin.ModelAdmin):
    list_display = ("code", "name", "visit_interval_days", "review_interval_days", "workload_weight", "order")
    ordering = ("order",)


@admin.register(Team)
class TeamAdmin(NeverDeleted, admin.ModelAdmin):
    list_display = ("name", "caseload_ceiling_per_fte", "capacity_points_per_fte", "flag_weighted_capacity",
                    "full_time_hours")
    filter_horizontal = ("supervisors",)
    search_fields = ("name",)


@admin.register(Officer)
class OfficerAdmin(NeverDeleted, admin.ModelAdmin):
    list_display = ("staff_id", "name", "team", "fte", "active", "user")
    list_filter = ("team", "active")
    search_fields = ("staff_id", "name", "email")
    raw_id_fields = ("user",)
    readonly_fields = ("import_run",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        accounts_follow_officers(staff_ids_sql="%s", params=[obj.staff_id])


class RiskAssessmentInline(admin.TabularInline):
    model = RiskAssessment
    extra = 0
    fields = ("assessed_on", "risk_tier", "tool", "assessor", "notes")
    raw_id_fields = ("assessor",)
    can_delete = False


@admin.register(Offender)
class OffenderAdmin(admin.ModelAdmin):
    list_display = ("reference", "surname", "forenames", "risk_tier", "status", "officer")
    list_filter = ("status", "risk_tier", "officer__team", "reactive")
    search_fields = ("reference",)
    raw_id_fields = ("officer",)
    readonly_fields = ("import_run", "created_at", "updated_at")
    list_select_related = ("risk_tier", "officer")
    show_full_result_count = False
    inlines = [RiskAssessmentInline]

    def has_delete_permission(self, request, obj=None):
        return False  # offenders leave the register by status, never by deletion

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # after the inline assessments, which date the first review; the first notification due
            from visits.reviews import notification_open_first, review_open_first

            review_open_first(form.instance)
            notification_open_first(form.instance)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            offender = self.get_object(request, object_id)
            record_access(user=request.user, offenders=offender, request=request, kind=OffenderAccess.Kind.ADMIN)
        return response


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("started_at", "kind", "file_name", "user", "outcome", "rows", "created", "updated", "error_count")
    list_filter = ("kind", "outcome")


@admin.register(OffenderAccess)
class OffenderAccessAdmin(ReadOnly, admin.ModelAdmin):
    """The read log: searchable by admins, never editable by anyone."""

    list_display = ("accessed_at", "user", "offender", "exported", "kind", "ip_address", "path")
    list_filter = ("kind",)
    search_fields = ("=offender__reference", "=user__username", "=ip_address")
    date_hierarchy = "accessed_at"
    list_select_related = ("user", "offender")
    show_full_result_count = False
    list_per_page = 100
    exclude = ("offenders",)  # an export's ids, hundreds of thousands of them: counted, not listed
    readonly_fields = ("exported",)

    def get_queryset(self, request):
        # An export's ids are counted by PostgreSQL and never loaded: a page of the list would otherwise read
        # every id of up to a hundred exports.
        return super().get_queryset(request).defer("offenders").annotate(
            offenders_exported=Func("offenders", function="cardinality", output_field=IntegerField()))

    @admin.display(description="Offenders exported")
    def exported(self, access):
        return access.offenders_exported if access.offenders_exported is not None else "—"

    def get_search_results(self, request, queryset, search_term):
        """Reads of an offender searched by reference include the exports that held them."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        offender = Offender.objects.filter(reference=search_term.strip()).values_list("pk", flat=True).first()
        if offender is not None:
            results = results | queryset.filter(offenders__contains=[offender])
        return results, may_have_duplicates

    def has_view_permission(self, request, obj=None):
        return role_of(request.user) == Role.ADMIN

    def has_module_permission(self, request):
        return role_of(request.user) == Role.ADMIN
