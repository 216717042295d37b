"""The change history as admins search it, and API tokens (only their hash is stored)."""

import hashlib
import secrets

import pghistory
from django.conf import settings
from django.db import models
from pghistory.models import Events


class ChangeEvent(Events):
    """A view over every change-history table (no table of its own)."""

    user = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+",
                          help_text="Who made the change"),
    )
    url = pghistory.ProxyField("pgh_context__url", models.TextField(null=True, help_text="The page it was made on"))
    ip = pghistory.ProxyField(
        "pgh_context__ip", models.GenericIPAddressField(null=True, help_text="The client's address")
    )

    class Meta:
        proxy = True
        verbose_name = "change"
        verbose_name_plural = "change history"



def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the reporting tool")
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_token() -> str:
        return "cl_" + secrets.token_urlsafe(32)


@pghistory.track(pghistory.InsertEvent())
class AccountEvent(models.Model):
    """What happened to an account through single sign-on: who signed in, who was refused and why, whose role
    changed. Written once, never changed; in the change history too."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        REFUSED = "refused", "Refused"
        ROLE_CHANGED = "role_changed", "Role changed"
        SIGNED_OUT = "signed_out", "Signed out (left, or deactivated)"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    email = models.CharField(max_length=254, blank=True, help_text="As the identity provider gave it")
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email or self.user_id}"


class ProviderSession(models.Model):
    """A caseload session begun by a sign-in through the identity provider, with the provider's subject and session
    id, so that the provider's back-channel logout can end it. Goes with its session."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, primary_key=True, related_name="+")
    subject = models.CharField(max_length=255, db_index=True)
    provider_session = models.CharField(max_length=255, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"session of {self.subject}"
