"""The import pages, for administrators: upload, preview, confirm, progress, result, history."""

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView
from django_tables2 import SingleTableMixin

from caseload.imports import services, upkeep
from caseload.imports.forms import ImportConfirmForm, ImportUploadForm
from caseload.imports.reading import header_key
from caseload.imports.selectors import import_runs_visible_to
from caseload.imports.tables import ImportRunTable
from caseload.imports.tasks import apply_import, preview_import
from offenders.models import ImportRun
from offenders.roles import Role, role_of

FINISHED = {ImportRun.Outcome.VALIDATED, ImportRun.Outcome.INVALID, ImportRun.Outcome.DRY_RUN,
            ImportRun.Outcome.APPLIED, ImportRun.Outcome.UNCHANGED, ImportRun.Outcome.FAILED,
            ImportRun.Outcome.CANCELLED}


class AdminRequiredMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self):
        return role_of(self.request.user) == Role.ADMIN

    def handle_no_permission(self):
        raise Http404


class ImportHistoryView(AdminRequiredMixin, SingleTableMixin, FormView):
    """The upload form above the history of every import."""

    template_name = "imports/history.html"
    form_class = ImportUploadForm
    table_class = ImportRunTable
    table_pagination = {"per_page": 50}

    def get_table_data(self):
        return import_runs_visible_to(user=self.request.user)

    def form_valid(self, form):
        run = services.import_upload(kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"],
                                     user=self.request.user)
        preview_import.delay_on_commit(run.pk)
        return redirect("imports:run", pk=run.pk)


class ImportRunView(AdminRequiredMixin, DetailView):
    """One import: its progress while it runs, its preview awaiting confirmation, or its result."""

    template_name = "imports/run.html"
    context_object_name = "run"

    def get_queryset(self):
        return import_runs_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        run = self.object
        awaiting = run.outcome in (ImportRun.Outcome.VALIDATED, ImportRun.Outcome.INVALID) and bool(run.stored_file)
        rows_with_errors = len({e["row"] for e in run.report.get("errors", [])})
        return super().get_context_data(
            finished=run.outcome in FINISHED,
            awaiting_confirmation=awaiting and not run.report.get("file_error") and run.rows > rows_with_errors,
            confirm_form=ImportConfirmForm(),
            can_retry=run.outcome == ImportRun.Outcome.FAILED and bool(run.stored_file),
            can_cancel=run.outcome in upkeep.FINISHED_WITH_FILES and bool(run.stored_file or run.errors_file),
            errors=run.report.get("errors", []),
            ignored_columns=run.report.get("ignored_columns", []),
            **kwargs,
        )


class RunActionView(AdminRequiredMixin, View):
    """A button on an import's page: the service does it, or its ValueError says why not."""

    def post(self, request, pk):
        run = get_object_or_404(import_runs_visible_to(user=request.user), pk=pk)
        try:
            self.act(request, run)
        except ValueError as error:
            messages.error(request, str(error))
        return redirect("imports:run", pk=run.pk)


class ImportConfirmView(RunActionView):
    def act(self, request, run):
        form = ImportConfirmForm(request.POST)
        form.is_valid()
        services.import_confirm(run=run, valid_rows_only=form.cleaned_data.get("valid_rows_only", False))
        apply_import.delay_on_commit(run.pk)


class ImportRetryView(RunActionView):
    def act(self, request, run):
        services.import_retry(run=run)
        preview_import.delay_on_commit(run.pk)


class ImportCancelView(RunActionView):
    def act(self, request, run):
        services.import_cancel(run=run)
        messages.success(request, "Import cancelled: the uploaded file and its error list are deleted.")


class ImportProgressView(AdminRequiredMixin, View):
    """What the progress bar polls."""

    def get(self, request, pk):
        run = get_object_or_404(import_runs_visible_to(user=request.user), pk=pk)
        return JsonResponse({
            "outcome": run.outcome, "label": run.get_outcome_display(), "progress": run.progress,
            "stage": run.stage, "finished": run.outcome in FINISHED,
        })


class ImportErrorsView(AdminRequiredMixin, View):
    """Every error of an import, as CSV."""

    def get(self, request, pk):
        run = get_object_or_404(import_runs_visible_to(user=request.user), pk=pk)
        path = services.media_path(run.errors_file) if run.errors_file else None
        if path is None or not path.is_file():
            raise Http404("This import has no error list")
        name = f"import-{run.pk}-{header_key(run.kind)}-errors.csv"
        return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="text/csv")
