from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from autodiag import converters
from autodiag.health import healthz

converters.register()  # before the includes below read `<id:…>`, `<code:…>`, `<token:…>`


def admin_access(request):
    """Django's admin is for national administrators (and staff)."""
    from autodiag.permissions import is_national_admin

    user = request.user
    return user.is_active and (user.is_staff or is_national_admin(user))


def favicon(request):
    """Read at request time: the hashed name exists once collectstatic ran."""
    return HttpResponsePermanentRedirect(static("dsfr/dist/favicon/favicon.ico"))


admin.site.has_permission = admin_access
admin.site.site_header = "Autodiagnostic Services Publics+ — administration nationale"
admin.site.site_title = "Administration de l’autodiagnostic Services Publics+"
admin.site.index_title = "Administration nationale"

urlpatterns = [
    path("", include("autodiag.structures.urls")),
    path("compte/", include("autodiag.accounts.urls")),
    path("diagnostics/", include("autodiag.diagnostics.urls")),
    path("diagnostics/", include("autodiag.reports.urls")),
    path("", include("autodiag.information.urls")),
    path("perimetre/resultats/", include("autodiag.consolidation.urls")),
    path("api/", include("autodiag.api.urls")),
    path("", include("autodiag.actions.urls")),
    path("audits/", include("autodiag.audits.urls")),
    path("", include("autodiag.testimonies.urls")),  # listening to users (issue 15)
    path("admin/", admin.site.urls),
    # Pages without DSFR's favicon links (the admin) ask browsers' default place.
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
]

handler500 = "autodiag.errors.server_error"
