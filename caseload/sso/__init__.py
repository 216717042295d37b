"""Single sign-on with the force's identity provider (OpenID Connect, through mozilla-django-oidc).

On when CASELOAD_OIDC_ISSUER is set: `provider.py` reads the issuer's discovery document, `backend.py` checks the ID
token (signature, issuer, audience, expiry, nonce) and the second factor, `accounts.py` matches the person to the
officers list or to a supervisor's or admin's account and gives the role their groups map to, `views.py` has the
refusal page and the sign-out at the provider, and `middleware.py` signs out leavers at their next request.
"""
