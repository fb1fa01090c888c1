from django.urls import path

from autodiag.reports import views

app_name = "reports"
urlpatterns = [
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats.pdf", views.results_pdf, name="results_pdf"),
    path("<int:pk>/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("questionnaire-vierge.pdf", views.blank_questionnaire_pdf, name="blank_questionnaire"),
    path(
        "structures/<str:code>/questionnaire-vierge.pdf",
        views.structure_blank_questionnaire_pdf,
        name="structure_blank_questionnaire",
    ),
]
