"""A small test-only loader for the Essex 2017 fixtures, straight through the ORM."""

import csv
import datetime as dt
import json
from pathlib import Path

from offenders.models import Offender, Officer, RiskTier, Team
from visits.models import Visit

ESSEX = Path(__file__).resolve().parent / "fixtures" / "essex_2017"
AS_OF = dt.date(2016, 11, 14)


def rows(name: str) -> list[dict]:
    with open(ESSEX / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def expected() -> dict:
    return json.loads((ESSEX / "expected.json").read_text())


def date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_essex(*, shift_days: int = 0) -> dict[str, Team]:
    """Load officers, register and visit history; `shift_days` moves every date (to make the set
    relative to today for browser tests, whose server cannot have its clock frozen)."""
    shift = dt.timedelta(days=shift_days)
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in {r["team"] for r in rows("officers.csv")}}
    officers = {
        r["staff_id"]: Officer.objects.create(staff_id=r["staff_id"], name=r["name"], team=teams[r["team"]],
                                              fte=r["fte"] or 1)
        for r in rows("officers.csv")
    }
    tiers = {t.code: t for t in RiskTier.objects.all()}
    offenders = Offender.objects.bulk_create(
        Offender(reference=r["reference"], surname=r["surname"], forenames=r["forenames"],
                 date_of_birth=date(r["date_of_birth"]), risk_tier=tiers[r["risk_tier"]],
                 officer=officers.get(r["officer"]), status=r["status"] or "community",
                 registered_on=date(r["registered_on"]) + shift)
        for r in rows("register.csv")
    )
    by_reference = {o.reference: o for o in offenders}
    Visit.objects.bulk_create(
        Visit(offender=by_reference[r["reference"]], officer=officers.get(r["officer"]),
              due_on=date(r["due_on"]) + shift, status=r["status"],
              completed_on=date(r["completed_on"]) and date(r["completed_on"]) + shift)
        for r in rows("visits.csv")
    )
    return teams
