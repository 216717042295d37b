"""The officer's "assigned to me", wherever a page wants it: {% load flag_queue %}{% flags_assigned_to_me %}."""

from django import template

from visits.models import Flag
from visits.selectors import assigned_to_user

register = template.Library()


@register.inclusion_tag("visits/flags_assigned.html", takes_context=True)
def flags_assigned_to_me(context) -> dict:
    """How many open flags are assigned to the signed-in officer, linked to the list of them (nothing if none)."""
    user = context["request"].user
    return {"count": Flag.objects.filter(assigned_to_user(user), cleared_at__isnull=True).count()}
