"""Every URL of the project, requested anonymously and as each role.

RULES declares, for each URL pattern, who may get through. A URL pattern that matches no rule
fails `test_every_url_has_a_declared_rule`: whoever adds a page adds its line here.
Personas: alice (admin), bob (supervisor of North), charlie (officer in North), dave (officer in
South), erin (supervisor of South). "World" objects are North's and South's (see conftest.py).
"""

import fnmatch
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ("alice", "bob", "charlie", "dave", "erin")
EVERYONE = frozenset(PERSONAS)
SUPERVISORS = frozenset({"alice", "bob", "erin"})
NORTH = frozenset({"alice", "bob", "charlie"})  # who may see a North record
NORTH_SUPERVISORS = frozenset({"alice", "bob"})  # who may act as a supervisor on a North record
ADMINS = frozenset({"alice"})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]  # the others get a 404 (the Django admin: its sign-in page)
    kwargs: Callable | None = None  # world -> URL kwargs, for URLs of one record
    anonymous: str = "login"  # "login": sent to sign in; "public": open to all; "api": 401/403; "probe": open to
    # all, 200 when ready and 503 when not (a load balancer's question); "hidden": a 404 without its token
    method: str = "get"
    check_roles: bool = True  # False: anonymous check only (the admin's own model pages)
    admin_site: bool = False
    signs_out: bool = False  # the page's job is to send the user back to sign in


# First match wins: a URL's qualified name ("visits:offender_detail") or, if unnamed, its route.
def north_order(world):
    from notifications.models import CivilOrder

    return CivilOrder.objects.get_or_create(offender=world.north_offender, kind="shpo",
                                            starts_on=world.north_offender.registered_on)[0]


def north_request(world):
    """A request on North's offender, asked by an officer no persona is, so that every supervisor may decide it."""
    from supervision.models import VisitRequest
    from tests.factories import UserFactory, VisitFactory
    from visits.models import OPEN_STATUSES

    visit = world.north_offender.visits.filter(status__in=OPEN_STATUSES).first() or VisitFactory(
        offender=world.north_offender)
    return VisitRequest.objects.create(offender=world.north_offender, visit=visit, kind="cancel", reason="Joint visit",
                                       requested_by=UserFactory(username="asker", role="Officer"))


def north_batch(world):
    """A bulk cancellation of North's open visit, proposed by an admin no persona is: North's supervisors see it."""
    from supervision.models import BatchVisit, CancellationBatch
    from tests.factories import UserFactory

    visit = north_request(world).visit
    batch = CancellationBatch.objects.create(reason="Low risk", cost={"visits": 1},
                                             requested_by=UserFactory(username="proposer", role="Admin"))
    BatchVisit.objects.create(batch=batch, visit=visit, offender=world.north_offender)
    return batch


def north_absence(world):
    """Charlie (North's officer) on leave: North's supervisors and admins see it."""
    import datetime as dt

    from offenders.models import Absence

    return Absence.objects.get_or_create(officer=world.north_officer, kind="annual_leave",
                                         starts_on=dt.date(2016, 12, 1), defaults={"ends_on": dt.date(2016, 12, 9)})[0]


def north_dip_sample(world):
    """A dip sample of a visit Charlie made to North's offender: North's supervisors review it, Charlie does not."""
    import datetime as dt

    from supervision.dip_models import DipSample
    from tests.factories import VisitFactory

    visit = VisitFactory(offender=world.north_offender, status="completed", completed_on=dt.date(2016, 10, 10),
                         due_on=dt.date(2016, 10, 10))
    return DipSample.objects.create(month=dt.date(2016, 10, 1), team=world.north, officer=world.north_officer,
                                    offender=world.north_offender, visit=visit, drawn_on=dt.date(2016, 11, 1),
                                    due_on=dt.date(2016, 11, 29))


def north_flag(world):
    """An open flag on North's offender (Charlie's case), unacknowledged and unassigned."""
    from django.utils import timezone

    from visits.models import Flag, FlagKind

    return Flag.objects.get_or_create(kind=FlagKind.UNSEEN_OFFENDER, offender=world.north_offender,
                                      cleared_at=None, defaults={"severity": 2, "raised_at": timezone.now()})[0]


RULES: list[tuple[str, Rule]] = [
    ("home", Rule(EVERYONE)),
    ("login", Rule(EVERYONE, anonymous="public")),
    ("healthz", Rule(EVERYONE, anonymous="public")),
    ("readyz", Rule(EVERYONE, anonymous="probe")),
    ("metrics", Rule(frozenset(), anonymous="hidden")),  # a monitor's, with its token (tests/caseload/test_metrics.py)
    ("logout", Rule(EVERYONE, method="post", signs_out=True)),
    # Single sign-on's own pages: absent while it is off; with it on, tests/caseload/test_sso.py.
    ("oidc_authentication_init", Rule(frozenset(), anonymous="hidden", check_roles=False)),
    ("oidc_authentication_callback", Rule(frozenset(), anonymous="hidden", check_roles=False)),
    ("sso_backchannel_logout", Rule(frozenset(), anonymous="hidden", method="post", check_roles=False)),
    ("sso_refused", Rule(EVERYONE, anonymous="public")),
    ("two_factor_setup", Rule(EVERYONE)),
    ("two_factor_verify", Rule(EVERYONE)),
    ("dashboard", Rule(SUPERVISORS)),
    ("dashboards:overdue", Rule(SUPERVISORS)),
    ("dashboards:overdue_assessments", Rule(SUPERVISORS)),
    ("dashboards:overdue_mappa", Rule(SUPERVISORS)),
    ("dashboards:unseen", Rule(SUPERVISORS)),
    ("dashboards:workload", Rule(SUPERVISORS)),
    ("dashboards:unallocated", Rule(SUPERVISORS)),
    ("dashboards:overdue_notifications", Rule(SUPERVISORS)),
    ("dashboards:registration_ended", Rule(SUPERVISORS)),
    ("dashboards:review_eligible", Rule(SUPERVISORS)),
    ("dashboards:orders_ending", Rule(SUPERVISORS)),
    ("dashboards:officer", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_officer.pk})),
    ("imports:history", Rule(ADMINS)),
    ("imports:run", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk})),
    ("imports:confirm", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk}, method="post")),
    ("imports:retry", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk}, method="post")),
    ("imports:cancel", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk}, method="post")),
    ("imports:progress", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk})),
    ("imports:errors", Rule(ADMINS, kwargs=lambda w: {"pk": w.import_run.pk})),
    ("visits:my_caseload", Rule(EVERYONE)),
    ("visits:open_flags", Rule(EVERYONE)),
    ("flags:detail", Rule(NORTH, kwargs=lambda w: {"pk": north_flag(w).pk})),
    ("flags:acknowledge", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_flag(w).pk}, method="post")),
    ("flags:assign", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_flag(w).pk}, method="post")),
    ("flags:note", Rule(NORTH, kwargs=lambda w: {"pk": north_flag(w).pk}, method="post")),
    ("api_summary", Rule(EVERYONE, anonymous="api")),
    ("visits:offender_detail", Rule(NORTH, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:log_visit", Rule(NORTH, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("supervision:visit_request", Rule(NORTH, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("supervision:requests_waiting", Rule(SUPERVISORS)),
    ("supervision:decide", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_request(w).pk})),
    ("supervision:batch_propose", Rule(SUPERVISORS)),
    ("availability:absences", Rule(SUPERVISORS)),
    ("availability:forecast", Rule(SUPERVISORS)),
    ("availability:rebalance", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north.pk})),
    ("availability:absence_new", Rule(SUPERVISORS)),
    ("availability:absence", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_absence(w).pk})),
    ("availability:absence_remove", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_absence(w).pk},
                                         method="post")),
    ("supervision:batch", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_batch(w).pk})),
    ("supervision:batch_visits", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_batch(w).pk})),
    ("supervision:decisions", Rule(SUPERVISORS)),
    ("supervision:decisions_export", Rule(SUPERVISORS)),
    ("dip_samples:list", Rule(SUPERVISORS)),
    ("dip_samples:export", Rule(SUPERVISORS)),
    ("dip_samples:review", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": north_dip_sample(w).pk})),
    ("visits:change_tier", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:record_assessment", Rule(NORTH, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:mappa_meeting", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:change_status", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:reactive", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("visits:reassign", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("notifications:record", Rule(NORTH, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("notifications:order_add", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("notifications:order_edit", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk,
                                                                           "order": north_order(w).pk})),
    ("notifications:indefinite_review", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("notifications:remove", Rule(NORTH_SUPERVISORS, kwargs=lambda w: {"pk": w.north_offender.pk})),
    ("admin:login", Rule(EVERYONE, anonymous="public", admin_site=True)),
    ("admin:index", Rule(ADMINS, admin_site=True)),
    ("admin:caseload_changeevent_changelist", Rule(ADMINS, admin_site=True)),
    ("admin:offenders_offenderaccess_changelist", Rule(ADMINS, admin_site=True)),
    ("admin:*", Rule(ADMINS, admin_site=True, check_roles=False)),
    ("admin/*", Rule(ADMINS, admin_site=True, check_roles=False)),
]

SAMPLE_VALUES = ("1", "x", "offenders")


def url_patterns(patterns=None, prefix="", namespace=None):
    """(key, route, pattern chain) for every URL pattern of the project."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(n for n in (namespace, p.namespace) if n) or None
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else prefix + str(p.pattern)
            yield key, prefix + str(p.pattern)


def rule_for(key: str) -> Rule | None:
    return next((rule for glob, rule in RULES if fnmatch.fnmatchcase(key, glob)), None)


def sample_path(route: str) -> str:
    """A concrete path the route matches, with placeholder values for its parameters."""
    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    if "(" not in route:
        return "/" + route.format(*["1"] * route.count("{}"))
    template = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route).replace("^", "").replace("$", "")
    for values in itertools.product(SAMPLE_VALUES, repeat=template.count("{}")):
        path = "/" + template.format(*values)
        if get_resolver().resolve(path) is not None:
            return path
    raise AssertionError(f"No sample path for {route}")


ALL_URLS = sorted(url_patterns())


def test_every_url_has_a_declared_rule():
    undeclared = [key for key, _ in ALL_URLS if rule_for(key) is None]
    assert not undeclared, f"Add these URLs to RULES in {__name__}: {undeclared}"


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(("/login/", "/admin/login/"))


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "route"), ALL_URLS, ids=[key for key, _ in ALL_URLS])
def test_an_anonymous_request_is_sent_to_sign_in(client, key, route):
    rule = rule_for(key)
    path = sample_path(route)
    response = getattr(client, rule.method)(path)
    if rule.anonymous == "public":
        assert response.status_code == 200
    elif rule.anonymous == "probe":
        assert response.status_code in (200, 503)
    elif rule.anonymous == "hidden":
        assert response.status_code == 404
    elif rule.anonymous == "api":
        assert response.status_code in (401, 403)
    else:
        assert login_redirect(response), f"{path} answered {response.status_code} to an anonymous request"


ROLE_CASES = [
    (key, persona) for key, _ in ALL_URLS if rule_for(key) and rule_for(key).check_roles for persona in PERSONAS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona"), ROLE_CASES, ids=[f"{k}-{p}" for k, p in ROLE_CASES])
def test_each_role_reaches_only_what_its_job_needs(client, world, signed_in, key, persona):
    rule = rule_for(key)
    url = next(route for k, route in ALL_URLS if k == key)
    kwargs = rule.kwargs(world) if rule.kwargs else {}
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), "/" + url)
    signed_in(getattr(world, persona))
    response = getattr(client, rule.method)(path)
    if persona in rule.allowed:
        answers = (200, 503) if rule.anonymous == "probe" else (200, 302)
        assert response.status_code in answers, f"{persona} got {response.status_code} from {path}"
        assert rule.signs_out or not login_redirect(response)
    elif rule.admin_site:
        assert login_redirect(response), f"{persona} got {response.status_code} from {path}"
    else:
        assert response.status_code == 404, f"{persona} got {response.status_code} from {path}"


@pytest.mark.django_db
def test_a_supervisor_with_staff_status_still_cannot_open_the_admin(client, bob):
    bob.is_staff = True
    bob.save()
    client.force_login(bob)
    assert login_redirect(client.get("/admin/"))


@pytest.mark.django_db
def test_an_officer_cannot_open_a_record_of_their_own_team_that_is_not_theirs(client, world):
    from tests.factories import OffenderFactory, OfficerFactory

    colleague_case = OffenderFactory(officer=OfficerFactory(team=world.north))
    client.force_login(world.charlie)
    assert client.get(f"/visits/offenders/{colleague_case.pk}/").status_code == 404
    client.force_login(world.bob)
    assert client.get(f"/visits/offenders/{colleague_case.pk}/").status_code == 200
