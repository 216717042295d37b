"""The identity provider as its discovery document describes it, read once a process and kept."""

import functools

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENDPOINTS = {  # mozilla-django-oidc's setting: the discovery document's key
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def enabled() -> bool:
    return bool(settings.CASELOAD_OIDC_ISSUER)


@functools.cache
def discovery(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        discovery.cache_clear()
        raise ImproperlyConfigured(f"the identity provider's discovery document at {url} could not be read: "
                                   f"{type(error).__name__}") from error
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise ImproperlyConfigured(f"the discovery document at {url} names another issuer: {document.get('issuer')}")
    return document


def setting(name: str, *default):
    """A mozilla-django-oidc setting, the endpoints taken from the discovery document unless set explicitly."""
    if name in ENDPOINTS and not getattr(settings, name, None):
        return discovery(settings.CASELOAD_OIDC_ISSUER).get(ENDPOINTS[name], *default)
    return getattr(settings, name, *default)


class DiscoveredSettings:
    """For mozilla-django-oidc's views and backend: their settings, the endpoints from the discovery document."""

    @staticmethod
    def get_settings(attr, *args):
        return setting(attr, *args)


def end_session_endpoint() -> str | None:
    return discovery(settings.CASELOAD_OIDC_ISSUER).get("end_session_endpoint")
