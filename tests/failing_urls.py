"""A URL configuration whose views fail, for the tests of the failure pages."""

from django.db import OperationalError
from django.urls import path

from autodiag.urls import handler500, urlpatterns  # noqa: F401  (the site's own handler)


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def broken(request):
    raise RuntimeError("un bogue")


urlpatterns = [
    path("echec/base/", database_gone),
    path("echec/bogue/", broken),
    path("api/echec/base/", database_gone),
    *urlpatterns,
]
