"""Change history: who acted, from where, and the admin page that searches it."""

import pghistory
from celery.signals import task_postrun, task_prerun
from pghistory.admin import EventsAdmin
from pghistory.middleware import HistoryMiddleware

from offenders.audit import client_ip
from offenders.roles import Role, role_of


class HistoryContextMiddleware(HistoryMiddleware):
    """Record the acting user, the page and the client address with every change in a request."""

    def get_context(self, request):
        return {**super().get_context(request), "ip": client_ip(request)}


_task_contexts: dict[str, pghistory.context] = {}


@task_prerun.connect
def open_task_context(task_id=None, task=None, **kwargs):
    """Changes made by a Celery task carry the task's name in the history."""
    context = pghistory.context(task=task.name)
    context.__enter__()
    _task_contexts[task_id] = context


@task_postrun.connect
def close_task_context(task_id=None, **kwargs):
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)


class ChangeHistoryAdmin(EventsAdmin):
    """Every tracked change across the register, for admins only."""

    list_per_page = 100
    # Search by record id ("42"), a model ("offenders.Offender"), a reference or value in the
    # changed data, or a user id or page in the context.
    search_fields = ("=pgh_obj_id", "=pgh_obj_model", "pgh_data", "pgh_context")
    date_hierarchy = "pgh_created_at"
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return role_of(request.user) == Role.ADMIN

    def has_module_permission(self, request):
        return role_of(request.user) == Role.ADMIN
