from caseload.imports.progress import Progress
from offenders.models import ImportRun


def test_progress_is_written_on_its_own_connection_so_it_shows_during_the_import(transactional_db, alice):
    run = ImportRun.objects.create(kind="register", file_name="register.csv", sha256="0" * 64, user=alice)
    progress = Progress(run.pk, every=0)
    try:
        progress("reading", 0.5)
        run.refresh_from_db()
        assert (run.progress, run.stage) == (25, "Reading the file")

        progress("applying", 1.0)
        run.refresh_from_db()
        assert (run.progress, run.stage) == (98, "Writing changes")
    finally:
        progress.close()
