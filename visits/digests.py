"""The supervisors' morning e-mail: flags raised or worsened since the team's last digest, the flags nobody has
acknowledged for more than UNACKNOWLEDGED_DAYS days (every morning until someone does, visits/flag_queue.py), and
the civil orders that have come within a month of their end since then (each reaches the digest once, a month
before it ends).

Only references, staff numbers and tiers go into an e-mail, never names or addresses.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import CivilOrder
from offenders.models import Team
from visits import rules
from visits.flag_queue import UNACKNOWLEDGED_DAYS, left_unacknowledged
from visits.models import Flag, SupervisorDigest

logger = logging.getLogger(__name__)
MAX_LINES = 200


def flags_for_team(team: Team) -> QuerySet[Flag]:
    """Open flags on the team's cases and officers, and on unallocated cases (supervisors allocate them)."""
    return Flag.objects.filter(cleared_at__isnull=True).filter(
        Q(offender__officer__team=team) | Q(officer__team=team)
        | Q(offender__isnull=False, offender__officer__isnull=True)
    )


def flag_line(flag: Flag, today: dt.date) -> str:
    """One line of the digest: the subject's reference (and tier) or staff number, what, and how bad."""
    if flag.officer_id:
        subject = flag.officer.staff_id
    else:
        subject = f"{flag.offender.reference} ({flag.details.get('tier', '')})"
    return f"{subject}: {flag.what(today)} (severity {flag.severity})"


def waiting_line(flag: Flag, today: dt.date) -> str:
    """A digest line for a flag nobody has acknowledged: since when it has waited."""
    raised = timezone.localdate(flag.raised_at)
    return f"{flag_line(flag, today)}, raised {raised} ({(today - raised).days} days ago)"


def section(flags: QuerySet[Flag], today: dt.date, line=flag_line) -> dict:
    flags = flags.select_related("offender", "officer").order_by("-severity", "kind", "raised_at")
    lines = [line(flag, today) for flag in flags[:MAX_LINES]]
    total = flags.count() if len(lines) == MAX_LINES else len(lines)
    return {"lines": lines, "total": total, "more": total - len(lines)}


def orders_coming_to_an_end(team: Team, since: dt.datetime, today: dt.date) -> list[str]:
    """The orders on the team's managed cases ending within the notice window today that were not on the day of
    `since`, or were added or changed after it (an order added, or its end brought forward, inside the window): one
    line each, with the offender's reference and tier."""
    orders = (CivilOrder.objects.filter(rules.order_ending(today), rules.in_caseload("offender__"),
                                        offender__officer__team=team)
              .filter(~rules.order_ending(timezone.localdate(since)) | Q(updated_at__gt=since))
              .select_related("offender__risk_tier").order_by("ends_on", "id"))
    return [f"{o.offender.reference} ({o.offender.risk_tier.code}): {o.get_kind_display()} ends {o.ends_on}"
            f" (in {(o.ends_on - today).days} days)" for o in orders[:MAX_LINES]]


def team_digest_send(*, team: Team, now: dt.datetime) -> SupervisorDigest | None:
    """E-mail one team's supervisors what is new or worse since their last digest (None if nothing is)."""
    with transaction.atomic():
        Team.objects.select_for_update(no_key=True).filter(pk=team.pk).first()
        recipients = sorted(team.supervisors.filter(is_active=True).exclude(email="").values_list("email", flat=True))
        if not recipients:
            return None
        last = team.digests.order_by("-sent_at").values_list("sent_at", flat=True).first()
        since = last or now - dt.timedelta(days=1)
        flags = flags_for_team(team)
        today = timezone.localdate(now)
        new = section(flags.filter(raised_at__gt=since), today)
        worsened = section(flags.filter(worsened_at__gt=since, raised_at__lte=since), today)
        waiting = section(flags.filter(left_unacknowledged(today)), today, line=waiting_line)
        orders = orders_coming_to_an_end(team, since, today)
        if not (new["total"] or worsened["total"] or waiting["total"] or orders):
            return None
        context = {"team": team, "since": since, "now": now, "new": new, "worsened": worsened, "waiting": waiting,
                   "waiting_days": UNACKNOWLEDGED_DAYS, "orders": orders}
        subject = f"caseload {team.name}: {new['total']} new and {worsened['total']} worse flags" + (
            f", {waiting['total']} not acknowledged" if waiting["total"] else "")
        send_mail(subject, render_to_string("visits/digest.txt", context), settings.DEFAULT_FROM_EMAIL,
                  recipients)
        return SupervisorDigest.objects.create(
            team=team, sent_at=now, recipients=len(recipients), new_flags=new["total"],
            worsened_flags=worsened["total"],
        )


def supervisor_digests_send(*, now: dt.datetime | None = None) -> int:
    """Send every team's digest; returns how many e-mails went out."""
    now = now or timezone.now()
    sent = 0
    for team in Team.objects.all():
        if team_digest_send(team=team, now=now):
            sent += 1
    logger.info("Supervisor digests sent: %d", sent)
    return sent
