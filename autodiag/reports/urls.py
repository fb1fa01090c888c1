from django.urls import path

from autodiag.reports import views

app_name = "reports"
urlpatterns = [
    path("<id:pk>/resultats/", views.results, name="results"),
    path("<id:pk>/resultats.pdf", views.results_pdf, name="results_pdf"),
    path("<id:pk>/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
]
