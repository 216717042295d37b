from django.contrib import admin

from supervision.dip_models import DipSamplePolicy


@admin.register(DipSamplePolicy)
class DipSamplePolicyAdmin(admin.ModelAdmin):
    """Each team's dip-sample policy (local policy); a team without one samples 5%, at least 2."""

    list_display = ("team", "percent", "minimum")
    list_select_related = ("team",)
    ordering = ("team__name",)

    def has_delete_permission(self, request, obj=None):
        return False  # policy is edited, never deleted (offenders/admin.py NeverDeleted)
