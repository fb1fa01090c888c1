from django.urls import path

from autodiag.reports import views

app_name = "reports"
urlpatterns = [
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats.pdf", views.results_pdf, name="results_pdf"),
    path("<int:pk>/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
]
