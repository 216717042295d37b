"""A real OpenID Connect provider for the tests (oidc-provider-mock, on 127.0.0.1), and caseload pointed at it."""

import contextlib
import datetime as dt

import oidc_provider_mock
import requests

from caseload.sso import provider

GROUPS = {"caseload-officers": "Officer", "caseload-supervisors": "Supervisor", "caseload-admins": "Admin"}


@contextlib.contextmanager
def running_provider(token_max_age: dt.timedelta = dt.timedelta(hours=1)):
    with oidc_provider_mock.run_server_in_thread(access_token_max_age=token_max_age) as server:
        yield f"http://localhost:{server.server_port}"


def configure(settings, issuer: str) -> None:
    settings.CASELOAD_OIDC_ISSUER = issuer
    settings.CASELOAD_OIDC_PROVIDER_NAME = "Essex Police"
    settings.OIDC_RP_CLIENT_ID = "caseload"
    settings.OIDC_RP_CLIENT_SECRET = "caseload-secret"
    settings.CASELOAD_OIDC_GROUP_ROLES = GROUPS
    provider.discovery.cache_clear()


def person(issuer: str, sub: str, **claims) -> None:
    """The person as the provider knows them (the subject is their email address too)."""
    requests.put(f"{issuer}/users/{sub}", json={"email": sub, **claims}, timeout=5).raise_for_status()
