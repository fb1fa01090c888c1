"""API tokens: one network's read access for a program, created by a head
of that network (or a national administrator), stored hashed (SHA-256:
the tokens are 256 random bits, so a fast hash is enough), shown once."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from autodiag.structures.models import Network

PREFIX = "adg_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="réseau"
    )
    name = models.CharField("nom", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, to tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d’API"
        verbose_name_plural = "jetons d’API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.network}, {self.hint}…)"

    @classmethod
    def issue(cls, network: Network, name: str, by) -> tuple[ApiToken, str]:
        """A new token; the clear value is returned once and never stored."""
        token = PREFIX + secrets.token_urlsafe(32)
        record = cls.objects.create(
            network=network, name=name, created_by=by, key_hash=hash_token(token), hint=token[:10]
        )
        return record, token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
