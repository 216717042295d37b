import datetime as dt

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="192.0.2.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_right_password_signs_in(client, charlie):
    response = sign_in(client, "charlie", PASSWORD)
    assert response.status_code == 302
    assert client.get("/visits/mine/").status_code == 200


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, charlie):
    response = sign_in(client, "charlie", "not it")
    assert response.status_code == 200
    assert b"did not match" in response.content


def test_five_failures_in_fifteen_minutes_lock_the_user_out_from_that_address(client, charlie):
    for _ in range(5):
        sign_in(client, "charlie", "not it")
    response = sign_in(client, "charlie", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert client.get("/visits/mine/").status_code == 302


def test_four_failures_do_not_lock_anyone_out(client, charlie):
    for _ in range(4):
        sign_in(client, "charlie", "not it")
    assert sign_in(client, "charlie", PASSWORD).status_code == 302


def test_the_lockout_is_per_user_and_address(client, charlie, dave):
    for _ in range(5):
        sign_in(client, "charlie", "not it", address="192.0.2.1")
    assert sign_in(client, "dave", PASSWORD, address="192.0.2.1").status_code == 302
    client.logout()
    assert sign_in(client, "charlie", PASSWORD, address="192.0.2.99").status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client, charlie):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, "charlie", "not it")
        assert sign_in(client, "charlie", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=16))
        assert sign_in(client, "charlie", PASSWORD).status_code == 302


def test_a_session_idle_for_thirty_minutes_expires(client, charlie):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(charlie)
        assert client.get("/visits/mine/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/visits/mine/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_is_saved_at_most_once_a_minute_not_on_every_page(client, charlie):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(charlie)
        client.get("/visits/mine/")
        with CaptureQueriesContext(connection) as pages:
            client.get("/visits/mine/")
            traveller.shift(dt.timedelta(seconds=30))
            client.get("/visits/mine/")
        assert not [q for q in pages if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
        traveller.shift(dt.timedelta(seconds=31))
        with CaptureQueriesContext(connection) as later:
            client.get("/visits/mine/")
        assert [q for q in later if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_a_cookie_naming_no_session_signs_no_one_in(client, charlie):
    client.force_login(charlie)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/visits/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_in_use_stays_open(client, charlie):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(charlie)
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get("/visits/mine/").status_code == 200


@pytest.mark.parametrize(("password", "message"), [
    ("short", "too short"),
    ("password1234", "too common"),
    ("8402957163492", "entirely numeric"),
    ("charlie!1", "too similar"),
])
def test_weak_passwords_are_refused_with_the_reason(charlie, password, message):
    form = SetPasswordForm(charlie, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert message in str(form.errors)


def test_an_overlong_username_is_refused_with_a_message_before_anything_is_stored(client, charlie):
    from axes.models import AccessAttempt

    response = sign_in(client, "c" * 5000, PASSWORD)
    assert response.status_code == 200
    assert b"Username: Ensure this value has at most 150 characters" in response.content
    assert not AccessAttempt.objects.exists()
