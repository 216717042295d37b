"""Filters for the dashboard's tables; the choices offered are only what the user may see."""

import datetime as dt

import django_filters

from caseload.dashboards.widgets import DirectNullBooleanSelect, DirectSelect
from notifications.models import NotificationKind, OrderKind
from notifications.selectors import notification_kind
from offenders.models import MANAGED_STATUSES, OffenderStatus, Officer, RiskTier, Team
from offenders.selectors import officers_visible_to, sees_more_officers_than, teams_visible_to
from visits.selectors import today

LATENESS = [("1", "Up to 30 days"), ("31", "Over 30 days"), ("91", "Over 3 months"), ("183", "Over 6 months"),
            ("365", "Over a year")]


class ListedChoices(django_filters.fields.ModelChoiceIterator):
    """The choices read by one plain query: Django reads them with iterator(), which on PostgreSQL opens a
    server-side cursor, three round trips (declare, fetch, close) for a list of a few rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ListedChoices
    widget = DirectSelect


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


def visible_teams(request):
    return teams_visible_to(user=request.user) if request else Team.objects.none()


OFFICER_CHOICES_MAX = 200


def visible_officers(request):
    """The officers of the picked team; without a team, all the user may see unless there are more
    than a list can usefully offer (a national register), in which case a team must be picked first."""
    if request is None:
        return Officer.objects.none()
    officers = officers_visible_to(user=request.user).order_by("name")
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        return officers.filter(team_id=int(team_id))
    if sees_more_officers_than(OFFICER_CHOICES_MAX, user=request.user):
        return officers.none()
    return officers


class TeamOfficerTierFilter(django_filters.FilterSet):
    """Team, officer and tier, for tables whose rows reach the officer through `officer_path`."""

    officer_path = "officer"

    team = ModelChoiceFilter(label="Team", queryset=visible_teams, empty_label="All teams",
                                          method="by_team")
    officer = ModelChoiceFilter(label="Officer", queryset=visible_officers, empty_label="All officers",
                                               method="by_officer")
    tier = ModelChoiceFilter(label="Tier", queryset=RiskTier.objects.all(), empty_label="All tiers",
                                            method="by_tier")

    def by_team(self, queryset, name, value):
        return queryset.filter(**{f"{self.officer_path}__team": value})

    def by_officer(self, queryset, name, value):
        return queryset.filter(**{self.officer_path: value})

    def by_tier(self, queryset, name, value):
        tier_path = self.officer_path.removesuffix("officer") + "risk_tier"
        return queryset.filter(**{tier_path: value})


class OverdueFilter(TeamOfficerTierFilter):
    """Over the overdue visits' flags, each with its visit's `due_on`."""

    officer_path = "offender__officer"

    late = django_filters.ChoiceFilter(label="How late", choices=LATENESS, empty_label="Any", method="by_lateness",
                                       widget=DirectSelect)

    def by_lateness(self, queryset, name, value):
        days = int(value)
        if days == 1:
            return queryset.filter(due_on__gte=today() - dt.timedelta(days=30))
        return queryset.filter(due_on__lt=today() - dt.timedelta(days=days - 1))


class OverdueAssessmentsFilter(OverdueFilter):
    """Over the overdue reviews' flags, each with the review's `due_on`."""


class UnseenFilter(TeamOfficerTierFilter):
    pass


class OverdueNotificationsFilter(OverdueFilter):
    """Over the overdue notifications' due items, each with the kind owed (notification_selectors.py)."""

    kind = django_filters.ChoiceFilter(
        label="Kind", choices=[(kind, NotificationKind(kind).label) for kind in map(notification_kind, (False, True))],
        empty_label="Any", method="by_kind", widget=DirectSelect)

    def by_kind(self, queryset, name, value):
        return queryset.filter(notification_kind=NotificationKind(value).label)


class OrdersEndingFilter(TeamOfficerTierFilter):
    officer_path = "offender__officer"

    kind = django_filters.ChoiceFilter(label="Order", choices=OrderKind.choices, empty_label="Any",
                                       widget=DirectSelect)


class WorkloadFilter(django_filters.FilterSet):
    team = ModelChoiceFilter(label="Team", queryset=visible_teams, empty_label="All teams")
    overloaded = django_filters.BooleanFilter(label="Overloaded only", widget=DirectNullBooleanSelect)


class UnallocatedFilter(django_filters.FilterSet):
    tier = ModelChoiceFilter(label="Tier", field_name="risk_tier", queryset=RiskTier.objects.all(),
                                            empty_label="All tiers")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(s, OffenderStatus(s).label) for s in MANAGED_STATUSES], empty_label="Any", widget=DirectSelect,
    )
