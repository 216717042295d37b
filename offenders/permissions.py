"""The Admin role keeps the register, officers, teams and policy: it gets every permission on them."""

from django.apps import apps as global_apps

ADMIN_APP_LABELS = ("offenders", "visits", "caseload", "auth", "otp_totp", "axes")


def grant_admin_role_permissions(*, apps=global_apps) -> int:
    """Give the Admin group every permission of the project's apps (and users, groups, devices)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Admin").first()
    if group is None:
        return 0
    permissions = Permission.objects.filter(content_type__app_label__in=ADMIN_APP_LABELS)
    group.permissions.add(*permissions)
    return permissions.count()


def on_post_migrate(sender, **kwargs):
    # Permissions are created after each app migrates, so grant them once the last app is done.
    if sender.label == "caseload":
        grant_admin_role_permissions()
