"""The user a request is signed in as, read with their role and what they may see, in one query.

Django's session authentication loads the user (a query), role_of() then reads their groups (another), and a
supervisor's scoped reads their teams and officers, a covering officer's their covered cases (a third): on every
page, before the page's own queries, the ORM building each of them. The backends' get_user() here reads all of it
at once, with SQL built once a day (visits/built_once.py) from the same definitions the lazy reads use
(roles.role_from, selectors.scope_read_with_the_user), and keeps it on the user object as those reads would. The
statement is prepared on the connection (planning its four subqueries took five times as long as running them).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef

from offenders.roles import role_from
from offenders.selectors import keep_scope, scope_read_with_the_user
from visits.built_once import built_once, ids_in, read_kept
from visits.rules import today


@built_once("users")
def users_as_a_request_reads_them(*, users: list[int]) -> tuple[str, list]:
    """The users with their groups' names and their scope today."""
    scope = scope_read_with_the_user(today())
    groups = ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
    read = get_user_model().objects.filter(pk__in=ids_in(users)).annotate(group_names=groups, **scope)
    return read.query.sql_with_params()


def user_as_a_request_reads_them(user_id):
    """The user with this id, their role and scope kept on them; None if there is no such user."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    found = read_kept(*users_as_a_request_reads_them(users=[user_id]))
    if not found:
        return None
    User = get_user_model()
    fields = [field.attname for field in User._meta.concrete_fields]
    read = found[0]
    user = User.from_db(connection.alias, fields, [read[name] for name in fields])
    user._caseload_role = role_from(read["group_names"], is_superuser=user.is_superuser)
    keep_scope(user, scope_team_ids=read["scope_team_ids"], scope_officer_ids=read["scope_officer_ids"],
               scope_covered_ids=read["scope_covered_ids"])
    return user
