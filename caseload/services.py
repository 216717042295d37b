"""Writes owned by the top layer: API tokens."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caseload.models import ApiToken, token_hash


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and only its hash is kept."""
    raw = ApiToken.new_raw_token()
    token = ApiToken(user=user, name=name, prefix=raw[:8], token_hash=token_hash(raw))
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_tokens_revoke(*, tokens: QuerySet[ApiToken]) -> int:
    """Stop tokens working (those not revoked already); the rows stay as a record. How many were revoked."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
