"""Sign-in with ProConnect, the State's OpenID Connect federation for public
agents (authorization code flow, through mozilla-django-oidc).

ProConnect answers userinfo with a signed JWT (`application/jwt`), not JSON:
`get_userinfo` verifies its signature against the provider's JWKS. Users are
matched on `sub`; on a first sign-in, an existing account with the same
e-mail is linked, otherwise one is created; either way, the pending
invitations for that e-mail are accepted."""

import logging
import secrets
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

BACKEND = "autodiag.accounts.proconnect.ProConnectBackend"
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # where mozilla-django-oidc stores it


def enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_ENABLED", False))


class ProConnectBackend(OIDCAuthenticationBackend):
    def get_user(self, user_id):
        return self.UserModel.objects.for_request(user_id)

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo answer is a JWT signed by the provider: verify its
        signature against the JWKS, then check it speaks of the same person
        as the id_token."""
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        content_type = response.headers.get("content-type", "").lower()
        if not content_type.startswith("application/jwt"):
            raise SuspiciousOperation("ProConnect : la réponse userinfo n’est pas un JWT signé.")
        token = response.text.strip()
        claims = self._verify_jws(token, self.retrieve_matching_jwk(token))
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("ProConnect : userinfo et id_token ne concordent pas.")
        return claims

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(claims.get("email"))

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(proconnect_sub=claims["sub"])
        if users.exists():
            return users
        # First sign-in: link the local account with the same e-mail, if any.
        return self.UserModel.objects.filter(
            email__iexact=claims["email"], proconnect_sub__isnull=True
        )

    @transaction.atomic
    def create_user(self, claims):
        if self.UserModel.objects.filter(email__iexact=claims["email"]).exists():
            # The address belongs to an account already linked to another sub.
            raise SuspiciousOperation("ProConnect : adresse déjà liée à un autre compte.")
        user = self.UserModel.objects.create_user(
            email=claims["email"],
            password=None,
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("usual_name", "")[:150],
        )
        user.proconnect_sub = claims["sub"]
        user.save(update_fields=["proconnect_sub"])
        accept_invitations(user, claims["email"])
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        fields = []
        if user.proconnect_sub != claims["sub"]:
            user.proconnect_sub = claims["sub"]
            fields.append("proconnect_sub")
        if not user.first_name and claims.get("given_name"):
            user.first_name = claims["given_name"][:150]
            fields.append("first_name")
        if not user.last_name and claims.get("usual_name"):
            user.last_name = claims["usual_name"][:150]
            fields.append("last_name")
        if fields:
            user.save(update_fields=fields)
        accept_invitations(user, claims["email"])
        return user


def accept_invitations(user, email: str) -> None:
    """Join every structure the e-mail was invited to."""
    from autodiag.structures.models import Invitation

    for invitation in Invitation.objects.pending().filter(email=email.strip().lower()):
        invitation.accept(user)


class EnabledOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("ProConnect n’est pas configuré.")
        return super().dispatch(request, *args, **kwargs)


class LoginView(EnabledOnlyMixin, oidc_views.OIDCAuthenticationRequestView):
    """Redirects to ProConnect's authorize endpoint, with state and nonce."""


class CallbackView(EnabledOnlyMixin, oidc_views.OIDCAuthenticationCallbackView):
    def login_failure(self):
        messages.error(
            self.request,
            "La connexion avec ProConnect n’a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe.",
        )
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


def end_session_url(request) -> str:
    params = {
        "id_token_hint": request.session.get(ID_TOKEN_SESSION_KEY, ""),
        "state": secrets.token_urlsafe(32),
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse("accounts:proconnect_logged_out")
        ),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


class SignInView(auth_views.LoginView):
    """The local sign-in form, with the ProConnect button above it when
    ProConnect is configured."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, proconnect_enabled=enabled())


class SignOutView(auth_views.LogoutView):
    """Signs out; someone signed in with ProConnect is signed out of
    ProConnect too, through its end-session endpoint."""

    def post(self, request, *args, **kwargs):
        if enabled() and request.session.get(ID_TOKEN_SESSION_KEY):
            url = end_session_url(request)
            auth.logout(request)
            return HttpResponseRedirect(url)
        return super().post(request, *args, **kwargs)


def logged_out(request):
    """Where ProConnect sends people back after signing out."""
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
