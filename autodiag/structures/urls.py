from django.urls import path

from autodiag.structures import imports, team, views

app_name = "structures"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("perimetre/", views.scope, name="scope"),
    path("perimetre/import/", imports.import_referential, name="import"),
    path("structures/<code:code>/", views.structure_detail, name="detail"),
    path("structures/<code:code>/diagnostics/nouveau", views.start_diagnostic, name="start"),
    path("structures/<code:code>/equipe/", team.team, name="team"),
    path(
        "structures/<code:code>/equipe/<id:membership_id>/retirer",
        team.remove_member,
        name="remove_member",
    ),
    path(
        "structures/<code:code>/equipe/invitations/<id:invitation_id>/annuler",
        team.cancel_invitation,
        name="cancel_invitation",
    ),
    path("invitations/<token:token>/", team.accept_invitation, name="invitation"),
]
