"""Accounts follow the officers list: an officer marked as having left (active no) cannot sign in, by password or
through the identity provider, and is signed out at the next request (Django refuses an inactive user's session);
an officer back on the list can sign in again."""

from django.db import connection

FOLLOW_SQL = (
    "UPDATE auth_user u SET is_active = o.active FROM offenders_officer o"
    " WHERE o.user_id = u.id AND u.is_active IS DISTINCT FROM o.active AND o.staff_id IN ({staff_ids})"
)


def accounts_follow_officers(*, staff_ids_sql: str, params: list | None = None) -> int:
    """Set each listed officer's account active as the officer is; `staff_ids_sql` selects their staff ids.
    Returns how many accounts changed."""
    with connection.cursor() as cursor:
        cursor.execute(FOLLOW_SQL.format(staff_ids=staff_ids_sql), params or [])
        return cursor.rowcount
