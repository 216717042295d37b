"""The Django admin, open to caseload's administrators only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from offenders.roles import Role, role_of


class CaseloadAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Staff status alone is not enough: the register's administration is for admins."""
        user = request.user
        return user.is_active and user.is_staff and role_of(user) == Role.ADMIN


class CaseloadAdminConfig(AdminConfig):
    default_site = "caseload.admin_site.CaseloadAdminSite"
