import os

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
application = get_wsgi_application()


def few_parallel_workers(sender, connection, **kwargs):
    """The web's connections start a parallel worker (a process for one query) only where it saves a lot:
    for a team's few thousand rows it costs more than it saves once many pages load at once, while a scan of
    the whole register (an admin's view of every team) still gains from one. Workers and commands, which
    read whole registers, keep PostgreSQL's default."""
    with connection.cursor() as cursor:
        cursor.execute("SET parallel_setup_cost = 10000")


connection_created.connect(few_parallel_workers)
