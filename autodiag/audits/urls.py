from django.urls import path

from autodiag.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("perimetre/", views.consolidation, name="consolidation"),
    path("preparation/<code:code>/", views.preparation, name="preparation"),
    path("<id:pk>/", views.overview, name="overview"),
    path("<id:pk>/grille/<slug:slug>/", views.score_page, name="page"),
    path("<id:pk>/validation/", views.validation, name="validation"),
    path("<id:pk>/rapport/", views.report, name="report"),
    path("<id:pk>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<id:pk>/comparaison/", views.comparison, name="comparison"),
]
