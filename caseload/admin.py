from django.contrib import admin, messages

from caseload.models import AccountEvent, ApiToken, token_hash
from caseload.services import api_tokens_revoke
from offenders.admin import ReadOnly

admin.site.site_header = "caseload administration"
admin.site.site_title = "caseload"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("user", "name") if obj is None else ("user", "name", "prefix", "created_at", "last_used_at",
                                                     "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if not change:
            raw = ApiToken.new_raw_token()
            obj.prefix, obj.token_hash = raw[:8], token_hash(raw)
            messages.warning(request, f"The new token is {raw} . Copy it now: it will not be shown again.")
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(tokens=queryset)
        self.message_user(request, f"{revoked} token(s) revoked.")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnly, admin.ModelAdmin):
    """Single sign-on's record: sign-ins, refusals with their reason, role changes."""

    list_display = ("at", "kind", "user", "email", "detail", "ip_address")
    list_filter = ("kind",)
    search_fields = ("email", "user__username", "detail")
    date_hierarchy = "at"
