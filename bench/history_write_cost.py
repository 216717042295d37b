"""What the change-history triggers cost a bulk import.

Inserts N offenders (in batches, as an importer does), then updates them all with one
statement, first with the history triggers on and then with them disabled, inside a
transaction that is rolled back: the database is left as it was.

    DATABASE_URL=... python bench/history_write_cost.py [--rows 100000] [--batch 5000]
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from offenders.models import Offender, OffenderEvent, Officer, RiskTier, Team  # noqa: E402


class Rollback(Exception):
    pass


def run(rows: int, batch: int, triggers: bool) -> dict:
    figures = {}
    try:
        with transaction.atomic():
            if not triggers:
                with connection.cursor() as cursor:
                    cursor.execute("ALTER TABLE offenders_offender DISABLE TRIGGER USER")
            team = Team.objects.create(name=f"Bench {time.time()}")
            officer = Officer.objects.create(staff_id=f"BENCH-{time.time()}", name="Bench", team=team)
            tier = RiskTier.objects.get(code="medium")
            events_before = OffenderEvent.objects.count()
            start = time.perf_counter()
            for first in range(0, rows, batch):
                Offender.objects.bulk_create([
                    Offender(reference=f"BENCH-{n:07d}", surname="Surname", forenames="Forenames",
                             date_of_birth=dt.date(1970, 1, 1), risk_tier=tier, officer=officer,
                             registered_on=dt.date(2015, 1, 1), address="1 Bench Street", postcode="BE1 1NC")
                    for n in range(first, min(first + batch, rows))
                ])
            figures["insert_s"] = time.perf_counter() - start
            start = time.perf_counter()
            Offender.objects.filter(officer=officer).update(status="custody")
            figures["update_s"] = time.perf_counter() - start
            figures["events_written"] = OffenderEvent.objects.count() - events_before
            raise Rollback
    except Rollback:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    on = run(args.rows, args.batch, triggers=True)
    off = run(args.rows, args.batch, triggers=False)
    print(f"offenders: {args.rows:,} in batches of {args.batch:,}")
    print(f"{'':24}{'with history':>14}{'without':>10}{'cost':>8}")
    for key, label in (("insert_s", "bulk insert (s)"), ("update_s", "one UPDATE of all (s)")):
        print(f"{label:24}{on[key]:>14.2f}{off[key]:>10.2f}{on[key] / off[key] - 1:>+8.0%}")
    print(f"history rows written: {on['events_written']:,} with triggers, {off['events_written']:,} without")


if __name__ == "__main__":
    main()
