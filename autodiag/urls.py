from django.contrib import admin
from django.urls import include, path


def admin_access(request):
    """Django's admin is for national administrators (and staff)."""
    from autodiag.permissions import is_national_admin

    user = request.user
    return user.is_active and (user.is_staff or is_national_admin(user))


admin.site.has_permission = admin_access
admin.site.site_header = "Autodiagnostic Services Publics+ — administration nationale"

urlpatterns = [
    path("", include("autodiag.structures.urls")),
    path("compte/", include("autodiag.accounts.urls")),
    path("diagnostics/", include("autodiag.diagnostics.urls")),
    path("diagnostics/", include("autodiag.reports.urls")),
    path("audits/", include("autodiag.audits.urls")),
    path("admin/", admin.site.urls),
]
