"""The worker finds tasks in each installed app's tasks module; the import engine's live in caseload.imports."""

from caseload.imports.tasks import apply_import, preview_import  # noqa: F401 (registered with the worker)
