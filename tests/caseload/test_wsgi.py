import pytest
from django.db import connection
from django.db.backends.signals import connection_created

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_webs_connections_start_parallel_workers_only_where_they_save_much():
    from caseload.wsgi import few_parallel_workers

    connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW parallel_setup_cost")
            assert cursor.fetchone()[0] == "10000"
    finally:
        connection_created.disconnect(few_parallel_workers)
        connection.close()
