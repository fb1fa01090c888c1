from django.urls import path

from autodiag.diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("<id:pk>/", views.overview, name="overview"),
    path("<id:pk>/sections/<slug:section_id>/", views.section, name="section"),
    path(
        "<id:pk>/sections/<slug:section_id>/reponses.json",
        views.section_answers,
        name="section_answers",
    ),
    path(
        "<id:pk>/sections/<slug:section_id>/confirmer",
        views.confirm_section,
        name="confirm_section",
    ),
    path("<id:pk>/reponses/<slug:question_id>", views.save_answer, name="save_answer"),
    path(
        "<id:pk>/reponses/<slug:question_id>/confirmer",
        views.confirm_answer,
        name="confirm_answer",
    ),
    path("<id:pk>/validation/", views.validation, name="validation"),
]
