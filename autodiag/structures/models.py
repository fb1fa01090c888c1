"""Structures (the sites that serve the public), their networks, and who
belongs to which structure with which role."""

from django.conf import settings
from django.db import models

from autodiag.structures.enums import Role, Typology


class Network(models.Model):
    """A network or operator structures belong to ("réseau ou opérateur de
    rattachement"): a ministry's network, the CNAF…"""

    name = models.CharField("nom", max_length=200, unique=True)

    class Meta:
        verbose_name = "réseau ou opérateur"
        verbose_name_plural = "réseaux et opérateurs"
        ordering = ["name"]

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
        ordering = ["name"]

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
