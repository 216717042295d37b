import datetime as dt

import django_filters
from django.db.models import Q

from caseload.dashboards.filters import ModelChoiceFilter  # choices in one query, written out directly
from caseload.dashboards.widgets import DirectSelect
from offenders.models import OffenderStatus, RiskTier
from offenders.roles import Role, role_of
from offenders.selectors import officers_visible_to
from visits.case_cards import sort_choices, sort_order
from visits.selectors import today


class CaseloadFilter(django_filters.FilterSet):
    """Narrow a caseload by name or reference, tier, status, urgency and (for supervisors) officer, and sort it
    (most urgent first unless asked)."""

    DUE_CHOICES = [
        ("overdue", "Overdue"),
        ("week", "Due within 7 days, or overdue"),
        ("month", "Due within 30 days, or overdue"),
        ("unscheduled", "No visit scheduled"),
    ]

    q = django_filters.CharFilter(label="Name or reference", method="filter_q")
    risk_tier = ModelChoiceFilter(label="Tier", queryset=RiskTier.objects.all(), empty_label="Any tier")
    status = django_filters.ChoiceFilter(choices=OffenderStatus.choices, empty_label="Any status", widget=DirectSelect)
    due = django_filters.ChoiceFilter(label="Next visit", choices=DUE_CHOICES, method="filter_due",
                                      empty_label="Any time", widget=DirectSelect)
    officer = ModelChoiceFilter(label="Officer", queryset=None, empty_label="Any officer")
    sort = django_filters.ChoiceFilter(label="Sort by", choices=sort_choices(with_officer=True), method="sort_by",
                                       empty_label="Most urgent first", widget=DirectSelect)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and role_of(request.user) in (Role.SUPERVISOR, Role.ADMIN):
            self.filters["officer"].queryset = officers_visible_to(user=request.user)
        else:
            del self.filters["officer"]
            self.filters["sort"].extra["choices"] = sort_choices(with_officer=False)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__iexact=value) | Q(surname__icontains=value) | Q(forenames__icontains=value)
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*sort_order(value))

    def filter_due(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(overdue=True)
        if value == "unscheduled":
            return queryset.filter(next_due_on__isnull=True)
        days = 7 if value == "week" else 30
        return queryset.filter(next_due_on__lte=today() + dt.timedelta(days=days))
