"""Every surface of caseload, asked one question at a time: the officer's caseload, the dashboard's tiles, each
table with its CSV and XLSX export, the summary (function, command and API), the daily snapshots (for the figures
they keep), the open flags and the digest. Each function returns the surface's answer, so that a test can ask them
all and expect one."""

import csv
import io
import json
import re
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from visits.digests import supervisor_digests_send
from visits.models import Flag, FlagKind, OfficerSnapshot, TeamSnapshot
from visits.selectors import today
from visits.snapshots import snapshot_take
from visits.summary import caseload_summary

ROW = re.compile(r'<tr class="(?:even|odd)[^"]*"')


def summary(user) -> dict:
    return caseload_summary(user=user, as_of=today())


def summary_command() -> dict:
    out = StringIO()
    call_command("caseload_summary", "--json", stdout=out)
    return json.loads(out.getvalue())


def summary_api(client, user) -> dict:
    client.force_login(user)
    response = client.get("/api/v1/summary/")
    assert response.status_code == 200
    return response.json()


def tile(client, user, key: str, **query) -> int:
    """The number on the dashboard's tile `key`, as the page shows it."""
    client.force_login(user)
    html = client.get(reverse("dashboard"), query).content.decode()
    found = re.search(rf'data-figure="{key}">\s*<span class="figure">(\d+)</span>', html)
    assert found, f"no tile {key} on the dashboard"
    return int(found.group(1))


def table_html(client, user, name: str, **query) -> str:
    client.force_login(user)
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


def table_rows(client, user, name: str, **query) -> int:
    """How many rows the first page of a dashboard table shows."""
    return len(ROW.findall(table_html(client, user, name, **query)))


def csv_rows(client, user, name: str, **query) -> list[dict]:
    client.force_login(user)
    response = client.get(reverse(name), {**query, "_export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def xlsx_rows(client, user, name: str, **query) -> list[dict]:
    client.force_login(user)
    response = client.get(reverse(name), {**query, "_export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def summaries(client, *, admin, supervisor, key: str) -> dict[str, int]:
    """`key` of the summary: the function's (for the admin), the command's (the whole register) and the API's (for
    the supervisor)."""
    return {
        "summary": summary(admin)[key],
        "caseload_summary --json": summary_command()[key],
        "API": summary_api(client, supervisor)[key],
    }


def table_and_exports(client, user, name: str, label: str) -> dict[str, int]:
    """How many rows a dashboard table shows on its first page, and its CSV and XLSX exports hold."""
    return {
        f"{label} table": table_rows(client, user, name),
        f"{label} CSV": len(csv_rows(client, user, name)),
        f"{label} XLSX": len(xlsx_rows(client, user, name)),
    }


def counted_everywhere(client, *, admin, supervisor, summary_key: str, tile_key: str, table: str,
                       snapshot_field: str | None, flag_kind: FlagKind, digest_pattern: str) -> dict[str, int]:
    """One count as every surface gives it: the summaries, the dashboard's tile for the supervisor and for the
    admin's every team, the supervisor's table and its exports, today's snapshot (where the snapshots keep the
    figure: `snapshot_field`), the open flags and the digest."""
    label = table.removeprefix("dashboards:")
    snapshot = {"team snapshots": team_snapshot(snapshot_field)} if snapshot_field else {}
    return {
        **summaries(client, admin=admin, supervisor=supervisor, key=summary_key),
        "dashboard tile, supervisor": tile(client, supervisor, tile_key),
        "dashboard tile, every team": tile(client, admin, tile_key),
        **table_and_exports(client, supervisor, table, label),
        **snapshot,
        "open flags": open_flags(flag_kind),
        "digest": digest_lines(digest_pattern),
    }


def caseload_overdue(client, user) -> int:
    """Offenders the caseload page marks overdue, and those its "Overdue" filter keeps (both must agree)."""
    client.force_login(user)
    marked = client.get(reverse("visits:my_caseload")).content.decode().count('class="due overdue"')
    filtered = client.get(reverse("visits:my_caseload"), {"due": "overdue"}).context["paginator"].count
    assert marked == filtered, "the caseload marks and filters overdue differently"
    return marked


def team_snapshot(field: str) -> int:
    """Today's snapshot, summed over every team's row (the unallocated row included)."""
    snapshot_take(day=today())
    return sum(getattr(row, field) for row in TeamSnapshot.objects.filter(day=today()))


def officer_snapshots(field: str) -> int:
    snapshot_take(day=today())
    return sum(bool(getattr(row, field)) for row in OfficerSnapshot.objects.filter(day=today()))


def open_flags(kind: FlagKind) -> int:
    return Flag.objects.filter(kind=kind, cleared_at__isnull=True).count()


def digest_lines(pattern: str) -> int:
    """Lines of the supervisors' digest e-mails that match `pattern`."""
    mail.outbox = []
    supervisor_digests_send()
    return sum(len(re.findall(pattern, message.body, flags=re.MULTILINE)) for message in mail.outbox)
