"""The change history as admins search it: every tracked change, with who, from where and which page."""

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
