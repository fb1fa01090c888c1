"""A structure's team: its members, invitations by e-mail, removal; and
accepting an invitation (signing in, or creating an account)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from autodiag.accounts.models import User
from autodiag.collation import by_name
from autodiag.mail import send_later
from autodiag.permissions import (
    can_appoint_manager,
    can_manage_team,
    require,
    structure_member,
)
from autodiag.structures.enums import Role
from autodiag.structures.forms import InvitationForm, NewAccountForm
from autodiag.structures.models import Invitation, Membership

NOT_ALLOWED = "Seuls les responsables de la structure gèrent son équipe."


def send_invitation(request, invitation: Invitation) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("structures:invitation", args=[invitation.token])
    inviter = request.user.display_name
    until = date_format(timezone.localtime(invitation.expires_at), "j F Y")
    subject = (
        f"Invitation à rejoindre {invitation.structure.name} — Autodiagnostic Services Publics+"
    )
    body = (
        f"Bonjour,\n\n{inviter} vous invite à rejoindre l’équipe de « {invitation.structure.name} » "
        f"en tant que {invitation.get_role_display().lower()} sur la plateforme de l’autodiagnostic "
        f"Services Publics+.\n\nPour accepter, ouvrez ce lien avant le {until} :\n{link}\n\n"
        "Si vous n’attendiez pas cette invitation, ignorez ce message.\n"
    )
    send_later([(subject, body, [invitation.email])])


@require_http_methods(["GET", "POST"])
@structure_member
def team(request, structure):
    manages = can_manage_team(request.user, structure)
    appoints = can_appoint_manager(request.user, structure)
    form = InvitationForm(managers_only=appoints and not manages)
    if request.method == "POST":
        require(manages or appoints, NOT_ALLOWED)
        form = InvitationForm(request.POST, managers_only=appoints and not manages)
        if form.is_valid():
            email = form.cleaned_data["email"].lower()
            if Membership.objects.filter(structure=structure, user__email=email).exists():
                form.add_error("email", "Cette personne fait déjà partie de l’équipe.")
            else:
                with transaction.atomic():
                    Invitation.objects.pending().filter(structure=structure, email=email).delete()
                    invitation = Invitation.objects.create(structure=structure, email=email,
                                                           role=form.cleaned_data["role"], invited_by=request.user)  # fmt: skip
                send_invitation(request, invitation)
                messages.success(request, f"Invitation envoyée à {email} : le lien est valable jusqu’au "
                                          f"{date_format(timezone.localtime(invitation.expires_at), 'j F Y')}.")  # fmt: skip
                return redirect("structures:team", code=structure.code)
    members = structure.memberships.select_related("user").order_by(
        "-role", by_name("user__last_name"), by_name("user__first_name"), "user__email"
    )
    return render(
        request,
        "structures/team.html",
        {
            "title": f"Équipe — {structure.name}",
            "structure": structure,
            "members": members,
            "invitations": structure.invitations.pending().select_related("invited_by"),
            "form": form,
            "manages": manages,
            "appoints": appoints,
            "me": request.user,
            "breadcrumb_data": {
                "links": [
                    {
                        "url": reverse("structures:detail", args=[structure.code]),
                        "title": structure.name,
                    }
                ],
                "current": "Équipe",
            },
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@structure_member
def remove_member(request, structure, membership_id):
    require(can_manage_team(request.user, structure), NOT_ALLOWED)
    membership = get_object_or_404(Membership, pk=membership_id, structure=structure)
    managers = structure.memberships.filter(role=Role.MANAGER)
    if membership.role == Role.MANAGER and managers.count() == 1:
        messages.error(
            request,
            "La structure doit garder au moins un responsable : désignez-en un autre d’abord.",
        )
    else:
        name = membership.user.display_name
        membership.delete()
        messages.success(
            request,
            f"{name} ne fait plus partie de l’équipe. Ses réponses passées restent attribuées.",
        )
    return redirect("structures:team", code=structure.code)


@require_POST
@structure_member
def cancel_invitation(request, structure, invitation_id):
    require(
        can_manage_team(request.user, structure) or can_appoint_manager(request.user, structure),
        NOT_ALLOWED,
    )
    invitation = get_object_or_404(
        Invitation.objects.pending(), pk=invitation_id, structure=structure
    )
    invitation.delete()
    messages.success(request, f"L’invitation de {invitation.email} est annulée.")
    return redirect("structures:team", code=structure.code)


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = (
        Invitation.objects.filter(token=token).select_related("structure", "invited_by").first()
    )
    context = {"title": "Invitation", "invitation": invitation}
    if invitation is None or invitation.accepted_at or invitation.is_expired:
        context["problem"] = (
            "Ce lien d’invitation n’est pas valide." if invitation is None
            else "Cette invitation a déjà été acceptée." if invitation.accepted_at
            else "Cette invitation a expiré : demandez au responsable de la structure de vous inviter à nouveau."
        )  # fmt: skip
        return render(
            request, "structures/invitation.html", context, status=410 if invitation else 404
        )
    existing = User.objects.filter(email=invitation.email).first()
    if request.user.is_authenticated:
        if request.user.email != invitation.email:
            context["problem"] = (
                f"Cette invitation est adressée à {invitation.email}, mais vous êtes connecté(e) en tant que "
                f"{request.user.email} : déconnectez-vous puis rouvrez le lien."
            )
            return render(request, "structures/invitation.html", context, status=403)
        if request.method == "POST":
            invitation.accept(request.user)
            messages.success(request, f"Vous avez rejoint l’équipe de {invitation.structure.name}.")
            return redirect("structures:detail", code=invitation.structure.code)
        return render(request, "structures/invitation.html", context)
    if existing is not None:
        context["sign_in_url"] = f"{reverse('accounts:login')}?next={request.path}"
        return render(request, "structures/invitation.html", context)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(email=invitation.email, password=form.cleaned_data["password1"],
                                            first_name=form.cleaned_data["first_name"],
                                            last_name=form.cleaned_data["last_name"])  # fmt: skip
            invitation.accept(user)
        login(request, user, backend="autodiag.accounts.backends.LocalAccountBackend")
        messages.success(
            request, f"Bienvenue ! Vous avez rejoint l’équipe de {invitation.structure.name}."
        )
        return redirect("structures:detail", code=invitation.structure.code)
    context["form"] = form
    return render(
        request,
        "structures/invitation.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
