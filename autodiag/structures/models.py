"""Structures (the sites that serve the public), their networks, and who
belongs to which structure with which role."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import timezone

from autodiag.structures.enums import Role, ScopeKind, Typology


class Network(models.Model):
    """A network or operator structures belong to ("réseau ou opérateur de
    rattachement"): a ministry's network, the CNAF…"""

    name = models.CharField("nom", max_length=200, unique=True)

    class Meta:
        verbose_name = "réseau ou opérateur"
        verbose_name_plural = "réseaux et opérateurs"
        ordering = [Collate(F("name"), "french")]  # French order, autodiag/collation.py

    def __str__(self):
        return self.name


class StructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Structure(models.Model):
    code = models.CharField("code Services Publics+", max_length=32, unique=True)
    name = models.CharField("nom de la structure, du service ou du site", max_length=255)
    network = models.ForeignKey(
        Network,
        verbose_name="réseau ou opérateur",
        on_delete=models.PROTECT,
        related_name="structures",
    )
    typology = models.CharField("typologie", max_length=20, choices=Typology.choices)
    structure_type = models.CharField("type de structure", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    department_code = models.CharField("département", max_length=3)
    region_code = models.CharField("région", max_length=2, blank=True)
    contact_email = models.EmailField("adresse de contact", blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = [Collate(F("name"), "french")]  # French order, autodiag/collation.py

    def __str__(self):
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], name="one_membership_per_structure"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.structure} ({self.get_role_display()})"


class ScopeQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Scope(models.Model):
    """What a head reads beyond the structures they belong to: a network
    (optionally limited to regions or departments), a territory (regions or
    departments, all networks), or everything (national administration).
    Heads read; they never edit a structure's answers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scopes"
    )
    kind = models.CharField("type", max_length=10, choices=ScopeKind.choices)
    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="heads",
        verbose_name="réseau",
    )
    regions = models.JSONField("régions", default=list, blank=True)
    departments = models.JSONField("départements", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopeQuerySet.as_manager()

    class Meta:
        verbose_name = "périmètre"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="network") | models.Q(network__isnull=False),
                name="network_scope_has_network",
                violation_error_message="Un périmètre de tête de réseau nomme son réseau.",
            ),
        ]

    def __str__(self):
        what = self.network.name if self.network_id else "toutes les structures"
        places = ", ".join([*self.regions, *self.departments])
        return f"{self.user} — {self.get_kind_display()} : {what}{f' ({places})' if places else ''}"

    def covers(self, structure: Structure) -> bool:
        """The same as `structure_filter`, for one structure in memory."""
        if self.kind == ScopeKind.NATIONAL:
            return True
        in_places = (
            structure.region_code in self.regions or structure.department_code in self.departments
        )
        if self.kind == ScopeKind.NETWORK:
            return structure.network_id == self.network_id and (
                in_places or not (self.regions or self.departments)
            )
        return in_places

    def structure_filter(self) -> models.Q:
        """The structures this scope covers, as a filter."""
        if self.kind == ScopeKind.NATIONAL:
            return models.Q()
        places = models.Q()
        if self.regions or self.departments:
            places = models.Q(region_code__in=self.regions) | models.Q(
                department_code__in=self.departments
            )
        if self.kind == ScopeKind.NETWORK:
            return models.Q(network_id=self.network_id) & places
        if not (self.regions or self.departments):
            return models.Q(pk__in=[])  # a territory with no place covers nothing
        return places


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An e-mailed link to join a structure with a role, valid for
    INVITATION_VALID_DAYS days, used once."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.AGENT)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.email} ({self.get_role_display()}) à {self.structure}"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def accept(self, user) -> Membership:
        """Join the structure (or take the invited role if already a member)."""
        membership, created = Membership.objects.get_or_create(
            user=user, structure=self.structure, defaults={"role": self.role}
        )
        if not created and self.role == Role.MANAGER and membership.role != Role.MANAGER:
            membership.role = Role.MANAGER
            membership.save(update_fields=["role"])
        self.accepted_at = timezone.now()
        self.accepted_by = user
        self.save(update_fields=["accepted_at", "accepted_by"])
        return membership
