"""A test-only loader for the Essex 2017 fixtures: bulk-creates them with the ORM, as given.

The register import builds the real path; this one lets the flag job be checked on its own.
"""

import csv
import datetime as dt
import json
from pathlib import Path

from offenders.models import Offender, Officer, RiskTier, Team
from visits.models import Visit, VisitStatus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "essex_2017"
AS_OF = dt.date(2016, 11, 14)


def rows(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def expected() -> dict:
    return json.loads((FIXTURES / "expected.json").read_text())


def load_essex() -> None:
    """Officers, offenders with tier and officer, and every visit in visits.csv."""
    officers = {}
    for row in rows("officers.csv"):
        team, _ = Team.objects.get_or_create(name=row["team"])
        officers[row["staff_id"]] = Officer(staff_id=row["staff_id"], name=row["name"], team=team, fte=row["fte"])
    Officer.objects.bulk_create(officers.values())
    tiers = {t.code: t for t in RiskTier.objects.all()}
    offenders = {
        row["reference"]: Offender(
            reference=row["reference"], surname=row["surname"], forenames=row["forenames"],
            date_of_birth=day(row["date_of_birth"]), risk_tier=tiers[row["risk_tier"]],
            officer=officers.get(row["officer"]), status=row["status"], registered_on=day(row["registered_on"]),
        )
        for row in rows("register.csv")
    }
    Offender.objects.bulk_create(offenders.values())
    Visit.objects.bulk_create(
        Visit(
            offender=offenders[row["reference"]], officer=officers.get(row["officer"]), due_on=day(row["due_on"]),
            status=row["status"], completed_on=day(row["completed_on"]) if row["status"] == VisitStatus.COMPLETED
            else None,
        )
        for row in rows("visits.csv")
    )
