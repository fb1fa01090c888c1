from django.urls import path

from autodiag.structures import views

app_name = "structures"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("perimetre/", views.scope, name="scope"),
    path("structures/<str:code>/", views.structure_detail, name="detail"),
    path("structures/<str:code>/diagnostics/nouveau", views.start_diagnostic, name="start"),
]
