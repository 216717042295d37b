import django_tables2 as tables

from offenders.models import ImportRun
from visits.tables import Table


class ImportRunTable(Table):
    started_at = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i",
                                       linkify=("imports:run", {"pk": tables.A("pk")}))
    user = tables.Column(verbose_name="Who", default="command line")
    kind = tables.Column(verbose_name="Import")
    file_name = tables.Column(verbose_name="File")
    sha256 = tables.TemplateColumn('<code title="{{ value }}">{{ value|truncatechars:13 }}</code>',
                                   verbose_name="SHA-256", orderable=False)
    outcome = tables.Column()
    rows = tables.Column()
    created = tables.Column()
    updated = tables.Column()
    unchanged = tables.Column()
    error_count = tables.Column(verbose_name="Errors")
    duration = tables.TemplateColumn("{% if value %}{{ value.total_seconds|floatformat:1 }} s{% endif %}",
                                     verbose_name="Took")

    class Meta:
        model = ImportRun
        fields = ("started_at", "user", "kind", "file_name", "sha256", "outcome", "rows", "created", "updated",
                  "unchanged", "error_count", "duration")
        order_by = ("-started_at",)
        empty_text = "Nothing has been imported yet."
        attrs = {"class": "table"}
