"""A real OpenID Connect provider for the tests (oidc-provider-mock, on 127.0.0.1), and caseload pointed at it."""

import contextlib
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


def trust_only_a_new_key(settings):
    """Configure caseload to trust only a new key (OIDC_RP_IDP_SIGN_KEY) in place of the provider's; returns it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return key


def id_token_for_another_client(issuer: str, sub: str) -> str:
    """A genuine ID token from the provider, issued to another application."""
    config = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    client = {"client_id": "another-application", "redirect_uri": "http://elsewhere.example/callback"}
    authorize = requests.Request("GET", config["authorization_endpoint"], params={
        **client, "response_type": "code", "scope": "openid email", "state": "s", "nonce": "n"}).prepare().url
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(config["token_endpoint"], data={
        **client, "grant_type": "authorization_code", "code": code, "client_secret": "x"}, timeout=5)
    return tokens.json()["id_token"]
