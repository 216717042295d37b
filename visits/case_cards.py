"""The caseload as a list of cards, one offender a card, read in one query and written out as the page shows it:
the page loops over the cards and looks nothing up (selectors.officer_caseload says what each card holds, on the
rules of visits/rules.py)."""

import datetime as dt
from typing import TypedDict

from django.db.models import QuerySet
from django.urls import reverse

from offenders.models import Offender, OffenderStatus
from visits.table_rows import URL_MARKER  # an id no offender has: reversed once, replaced by each card's own

# What a card reads of each offender (officer_caseload's annotations included): no model is built.
CARD_FIELDS = (
    "pk", "reference", "surname", "forenames", "status", "risk_tier__name", "officer__name", "officer__staff_id",
    "next_due_on", "overdue", "last_seen_on", "review_due_on", "review_overdue", "notification_due_on",
    "notification_overdue", "abroad_until",
)
COVER_FIELDS = ("cover_until", "cover_for")

# The orders a caseload may be sorted in besides the most urgent first: key, label, fields (reference breaks ties).
SORTS = (
    ("reference", "Reference", ("reference",)),
    ("name", "Name", ("surname", "forenames")),
    ("risk_tier", "Tier", ("risk_tier__order",)),
    ("status", "Status", ("status",)),
    ("officer", "Officer", ("officer__staff_id",)),
    ("next_due_on", "Next visit due", ("next_due_on",)),
    ("last_seen_on", "Last seen", ("last_seen_on",)),
    ("review_due_on", "Assessment due", ("review_due_on",)),
    ("notification_due_on", "Notification due", ("notification_due_on",)),
)
STATUS_LABELS = dict(OffenderStatus.choices)


class DueItem(TypedDict):
    text: str
    overdue: bool


class CaseCard(TypedDict):
    """One offender's card. `urgency` is the next visit in words (`urgency_class` its colour); `officer` is empty
    on an officer's own caseload; `cover` marks a case covered for an absent colleague."""

    pk: int
    url: str
    reference: str
    name: str
    tier: str
    status: str
    officer: str
    next_due: str
    urgency: str
    urgency_class: str
    last_seen: str
    review: DueItem | None
    notification: DueItem | None
    cover: str
    missing: bool


def sort_order(key: str) -> tuple[str, ...]:
    """The order_by() of a sort key ("-" first for descending), reference last; () for a key not known."""
    descending = key.startswith("-")
    fields = next((fields for name, _, fields in SORTS if name == key.removeprefix("-")), ())
    if not fields:
        return ()
    return (*(f"-{field}" if descending else field for field in fields), "reference")


def sort_choices(*, with_officer: bool) -> list[tuple[str, str]]:
    """Every sort, each way: "Reference", "Reference, descending"…"""
    return [(f"{sign}{key}", f"{label}{suffix}") for key, label, _ in SORTS
            if with_officer or key != "officer" for sign, suffix in (("", ""), ("-", ", descending"))]


def card_rows(offenders: QuerySet[Offender]) -> QuerySet:
    """officer_caseload's offenders as the values a card needs (with the cover marks, where an officer's are)."""
    covering = COVER_FIELDS[0] in offenders.query.annotations
    return offenders.values(*CARD_FIELDS, *(COVER_FIELDS if covering else ()))


def case_cards(rows, *, today: dt.date, with_officer: bool) -> list[CaseCard]:
    """The cards of a page of card_rows()."""
    page = reverse("visits:offender_detail", args=[URL_MARKER])  # once, not once a card
    return [case_card(row, page, today=today, with_officer=with_officer) for row in rows]


def case_card(row: dict, page: str, *, today: dt.date, with_officer: bool) -> CaseCard:
    urgency, urgency_class = next_visit_in_words(row["next_due_on"], row["overdue"], today)
    status = STATUS_LABELS.get(row["status"], row["status"])
    if row["abroad_until"]:
        status = f"{status} · abroad until {day_month_year(row['abroad_until'])}"
    cover_until = row.get("cover_until")
    return {
        "pk": row["pk"],
        "url": page.replace(str(URL_MARKER), str(row["pk"])),
        "reference": row["reference"],
        "name": f"{row['forenames']} {row['surname']}",
        "tier": row["risk_tier__name"],
        "status": status,
        "officer": f"{row['officer__name']} ({row['officer__staff_id']})" if with_officer else "",
        "next_due": day_month_year(row["next_due_on"]) if row["next_due_on"] else "—",
        "urgency": urgency,
        "urgency_class": urgency_class,
        "last_seen": day_month_year(row["last_seen_on"]) if row["last_seen_on"] else "never",
        "review": due_item(row["review_due_on"], row["review_overdue"]),
        "notification": due_item(row["notification_due_on"], row["notification_overdue"]),
        "cover": f"cover for {row['cover_for']} until {day_month_year(cover_until)}" if cover_until else "",
        "missing": row["status"] == OffenderStatus.MISSING,
    }


def next_visit_in_words(due_on: dt.date | None, overdue: bool, today: dt.date) -> tuple[str, str]:
    """Days overdue (or remaining), in words, and the colour class; overdue as the row says (rules.overdue_on)."""
    if due_on is None:
        return "not scheduled", ""
    days = (today - due_on).days
    if overdue:
        return f"{days} day{pluralize(days)} overdue", "overdue"
    if days == 0:
        return "due today", "today"
    if days < 0:
        return f"in {-days} day{pluralize(-days)}", ""
    # Due in the past but not overdue: the offender is not managed in the community now.
    return f"was due {due_on:%d/%m/%Y}", ""


def due_item(due_on: dt.date | None, overdue: bool) -> DueItem | None:
    return {"text": day_month_year(due_on), "overdue": overdue} if due_on else None


def pluralize(n: int) -> str:
    return "" if n == 1 else "s"


def day_month_year(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
