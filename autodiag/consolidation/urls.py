from django.urls import path

from autodiag.consolidation import views

app_name = "consolidation"
urlpatterns = [
    path("", views.report, name="report"),
]
urlpatterns += [
    path("structures/", views.structures, name="structures"),
]
