from django.urls import path

from autodiag.api.api import api

urlpatterns = [path("", api.urls)]
