"""mozilla-django-oidc's backend, stricter: the ID token must be signed by the provider's key, for this client
(audience), by this issuer, unexpired, with the nonce of this sign-in; the second factor is checked where required;
and the person is matched by accounts.sign_in, never created from whatever the provider says."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from caseload.signed_in import user_as_a_request_reads_them
from caseload.sso import accounts, provider

logger = logging.getLogger(__name__)
LEEWAY_SECONDS = 60  # clock skew allowed between caseload and the provider
REFUSAL_KEY = "sso_refusal"
SESSION_KEY = "sso_signed_in"  # the provider's sign-in (and its second factor) stands for caseload's
SUBJECT_KEY, PROVIDER_SESSION_KEY = "sso_subject", "sso_provider_session"
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class ProviderBackend(provider.DiscoveredSettings, OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        if provider.enabled():
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def get_payload_data(self, token, key, *, required=("exp", "iat", "iss", "aud", "sub"), what="ID token"):
        try:
            return jwt.decode(token, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                              issuer=settings.CASELOAD_OIDC_ISSUER.rstrip("/"), leeway=LEEWAY_SECONDS,
                              options={"require": list(required)})
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"{what} refused: {error}") from error

    def logout_claims(self, token: str) -> dict:
        """A back-channel logout token's claims, checked as an ID token is (but for expiry, which it need not
        carry), and as the back-channel logout specification asks: its event, a subject or session, no nonce."""
        key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
        claims = self.get_payload_data(token, key, required=("iat", "iss", "aud"), what="logout token")
        if BACKCHANNEL_EVENT not in (claims.get("events") or {}):
            raise SuspiciousOperation("logout token refused: not a back-channel logout event")
        if "nonce" in claims or not (claims.get("sub") or claims.get("sid")):
            raise SuspiciousOperation("logout token refused: a nonce, or neither subject nor session")
        return claims

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for this token: the one its `kid` names, or the only one for its algorithm
        when the token names none; never a guess between several."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        header = jwt.get_unverified_header(token)
        keys = [key for key in response.json().get("keys", [])
                if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg")) == header.get("alg")
                and ("kid" not in header or key.get("kid") == header["kid"])]
        if len(keys) != 1:
            raise SuspiciousOperation(f"{len(keys)} of the provider's keys match the token's header")
        return jwt.PyJWK(keys[0])

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo endpoint's claims, with how the person authenticated taken from the signed ID token."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the userinfo endpoint answered for another subject")
        return {**claims, **{key: payload[key] for key in ("amr", "acr") if key in payload}}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            user = accounts.sign_in(claims, request=self.request)
        except accounts.Refused as refusal:
            self.request.session[REFUSAL_KEY] = str(refusal)
            return None
        self.request.session[SESSION_KEY] = True
        self.request.session[SUBJECT_KEY] = payload["sub"]
        self.request.session[PROVIDER_SESSION_KEY] = str(payload.get("sid", ""))
        return user

    def authenticate(self, request, **kwargs):
        if not provider.enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            logger.warning("single sign-on refused: %s", error)
            accounts.record(accounts.AccountEvent.Kind.REFUSED, request=request, detail=str(error)[:500])
            request.session[REFUSAL_KEY] = ("Your organisation's sign-in could not be checked, so caseload did not "
                                            "let you in. Try again; if it happens again, tell your IT service desk.")
            return None

    def get_user(self, user_id):
        user = user_as_a_request_reads_them(user_id)
        return user if user is not None and user.is_active else None
