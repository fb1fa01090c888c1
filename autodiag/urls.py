from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("autodiag.structures.urls")),
    path("compte/", include("autodiag.accounts.urls")),
    path("diagnostics/", include("autodiag.diagnostics.urls")),
    path("diagnostics/", include("autodiag.reports.urls")),
    path("admin/", admin.site.urls),
]
