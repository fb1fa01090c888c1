from django.urls import path

from autodiag.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("perimetre/", views.consolidation, name="consolidation"),
    path("preparation/<str:code>/", views.preparation, name="preparation"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/grille/<slug:slug>/", views.score_page, name="page"),
    path("<int:pk>/validation/", views.validation, name="validation"),
    path("<int:pk>/rapport/", views.report, name="report"),
    path("<int:pk>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/comparaison/", views.comparison, name="comparison"),
]
