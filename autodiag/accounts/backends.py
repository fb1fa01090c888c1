"""Authentication backends: local accounts (e-mail and password), and the
national administrators' access to Django's admin (a national scope holds
every model permission without being a superuser, decided in one place)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend


class LocalAccountBackend(ModelBackend):
    """Django's e-mail and password sign-in, with the signed-in user loaded
    by `User.objects.for_request` on every request."""

    def get_user(self, user_id):
        user = get_user_model().objects.for_request(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class NationalAdministrationBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None  # grants permissions only; signing in is the other backends' job

    def has_perm(self, user_obj, perm, obj=None):
        return self._is_national(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return self._is_national(user_obj)

    @staticmethod
    def _is_national(user) -> bool:
        from autodiag.permissions import is_national_admin

        return user.is_active and user.is_authenticated and is_national_admin(user)
