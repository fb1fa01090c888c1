from django.urls import path

from autodiag.reports import views

app_name = "reports"
urlpatterns = [
    path("<id:pk>/resultats/", views.results, name="results"),
    path("<id:pk>/resultats.pdf", views.results_pdf, name="results_pdf"),
    path("<id:pk>/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("questionnaire-vierge.pdf", views.blank_questionnaire_pdf, name="blank_questionnaire"),
    path(
        "structures/<code:code>/questionnaire-vierge.pdf",
        views.structure_blank_questionnaire_pdf,
        name="structure_blank_questionnaire",
    ),
]
