"""Helpers for property-based tests (hypothesis) that throw random input at forms, pages,
importers and the API, and check the two promises: no server error, and no partial writes.

    @FUZZ
    @given(file=csv_files(columns=["reference", "surname"]))
    def test_the_register_import_survives_any_file(admin_client, file):
        before = row_counts()
        response = admin_client.post("/imports/register/", {"file": file})
        assert_no_server_error(response)
        assert_unchanged_unless_accepted(before, accepted=response.status_code == 302)
"""

import csv
import io

from django.apps import apps
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Tests share one database transaction across examples; the machine is small and shared.
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Input that has broken web apps before: markup, SQL, format strings, odd Unicode, NUL bytes.
NASTY = [
    "", " ", "0", "-1", "1e309", "NaN", "None", "null", "true", "[]", "{}", "'", '"', "';--", "' OR '1'='1",
    "<script>alert(1)</script>", "{{ 7*7 }}", "%s%s%n", "../../etc/passwd", "\x00", "\u202e", "𝕏",
    "Zoë Ångström", "9" * 30, "a" * 5000, "2016-02-30", "31/12/1899", "\r\n", "=cmd|' /C calc'!A0",
]


def hostile_text(max_size: int = 300):
    """Any text: random Unicode (control characters included) or a known troublemaker."""
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=max_size))


def hostile_path_segments():
    """Values for a URL's <int:pk> or <str:...> slot, many of them not what the slot expects."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#"),
                min_size=1, max_size=50),
        st.sampled_from(NASTY).filter(lambda s: s and "/" not in s and "?" not in s and "#" not in s),
    )


def csv_files(*, columns: list[str], max_rows: int = 20):
    """A CSV upload whose header is `columns` (shuffled, cased, with extras) and whose cells are hostile."""
    header = st.permutations(columns).flatmap(
        lambda cols: st.tuples(*[st.sampled_from([c, c.upper(), f" {c} "]) for c in cols]).map(list)
    )
    rows = st.lists(st.lists(hostile_text(60), min_size=len(columns), max_size=len(columns)), max_size=max_rows)

    def render(header_and_rows):
        head, body = header_and_rows
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(head)
        writer.writerows([[cell.replace("\x00", "") for cell in row] for row in body])
        return out.getvalue().encode("utf-8")

    return st.tuples(header, rows).map(render)


def json_values(max_leaves: int = 20):
    """Any JSON document, for API request bodies and query parameters."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text(80))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                          st.dictionaries(hostile_text(20), inner, max_size=5)),
                        max_leaves=max_leaves)


def register_models():
    """Every model of the register and the visits: the tables no rejected input may touch."""
    return [m for label in ("offenders", "visits") for m in apps.get_app_config(label).get_models()]


def row_counts(models=None) -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in models or register_models()}


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, f"{response.status_code} from {response.request.get('PATH_INFO')}"


def assert_unchanged_unless_accepted(before: dict[str, int], *, accepted: bool, models=None) -> None:
    """A rejected input leaves every register table exactly as it was."""
    if not accepted:
        assert row_counts(models) == before
