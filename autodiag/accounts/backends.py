"""National administrators (a national scope) use Django's admin: they hold
every model permission without being superusers, decided in one place."""

from django.contrib.auth.backends import BaseBackend


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
