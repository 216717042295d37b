"""Passwords are stored as Argon2id at OWASP's parameters (caseload/passwords.py); one stored by an earlier
release signs in and is stored again that way."""

import pytest
from django.contrib.auth.hashers import make_password

from caseload import settings as configured
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _configured_hashers(settings):
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


def stored(user) -> str:
    user.refresh_from_db()
    return user.password


def test_a_new_password_is_stored_as_argon2id_with_19_mib_two_passes_and_one_lane(charlie):
    charlie.set_password("a new passphrase to remember")
    charlie.save()
    assert stored(charlie).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_password_stored_with_pbkdf2_still_signs_in_and_is_stored_again_as_argon2id(client, charlie):
    charlie.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    charlie.save()
    response = client.post("/login/", {"username": "charlie", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 302
    assert stored(charlie).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_leaves_the_stored_pbkdf2_hash_as_it_was(client, charlie):
    charlie.password = before = make_password(PASSWORD, hasher="pbkdf2_sha256")
    charlie.save()
    response = client.post("/login/", {"username": "charlie", "password": "not it"}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 200
    assert stored(charlie) == before
