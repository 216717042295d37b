import django_filters
import django_tables2 as tables
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from visits.models import Flag, FlagKind
from visits.selectors import open_flags_visible_to, today
from visits.tables import Table


class FlagFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FlagKind.choices, empty_label="All kinds")
    severity = django_filters.NumberFilter(field_name="severity", lookup_expr="gte", label="Severity at least")

    class Meta:
        model = Flag
        fields = ["kind", "severity"]


class FlagTable(Table):
    kind = tables.Column(verbose_name="Flag")
    subject = tables.Column(empty_values=(), orderable=False, verbose_name="Offender or officer")
    tier = tables.Column(accessor="offender__risk_tier__name", verbose_name="Tier", default="")
    severity = tables.Column()
    what = tables.Column(empty_values=(), orderable=False, verbose_name="Details")
    raised_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Raised")

    class Meta:
        model = Flag
        fields = ("kind", "subject", "tier", "severity", "what", "raised_at")
        attrs = {"class": "table"}

    def render_subject(self, record):
        return record.officer.staff_id if record.officer_id else record.offender.reference

    def render_what(self, record):
        return record.what(today())


class OpenFlagsView(SingleTableMixin, FilterView):
    """Open flags the user may see, most severe first."""

    template_name = "visits/flags.html"
    table_class = FlagTable
    filterset_class = FlagFilter
    paginate_by = 50

    def get_queryset(self):
        return open_flags_visible_to(user=self.request.user)
