from django.urls import path

from autodiag.diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/sections/<slug:section_id>/", views.section, name="section"),
    path(
        "<int:pk>/sections/<slug:section_id>/reponses.json",
        views.section_answers,
        name="section_answers",
    ),
    path(
        "<int:pk>/sections/<slug:section_id>/confirmer",
        views.confirm_section,
        name="confirm_section",
    ),
    path("<int:pk>/reponses/<slug:question_id>", views.save_answer, name="save_answer"),
    path(
        "<int:pk>/reponses/<slug:question_id>/confirmer",
        views.confirm_answer,
        name="confirm_answer",
    ),
    path("<int:pk>/validation/", views.validation, name="validation"),
]
