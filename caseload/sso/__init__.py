"""Single sign-on with the force's identity provider (OpenID Connect, through mozilla-django-oidc).

On when CASELOAD_OIDC_ISSUER is set: `provider.py` reads the issuer's discovery document, `backend.py` checks the ID
token (signature, issuer, audience, expiry, nonce) and back-channel logout tokens, `accounts.py` checks the second
factor where required, matches the person to the officers list or to a supervisor's or admin's account and gives
the role their groups map to, and `views.py` has the start and callback, the refusal page, the back-channel logout
and the sign-out at the provider. Leavers are signed out by their account being switched off (offenders/accounts.py).
"""
