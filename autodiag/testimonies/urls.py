from django.urls import path

from autodiag.testimonies import views

app_name = "testimonies"
base = "structures/<code:code>/temoignages/"
urlpatterns = [
    # Signed out: the short link of cards and posters, the public testimonies.
    path("t/<token:short_code>", views.leave_testimony, name="leave"),
    path("t/<token:short_code>/merci", views.thanks, name="thanks"),
    path("engagements/<code:code>/temoignages/", views.public_testimonies, name="public"),
    path(
        "engagements/<code:code>/temoignages/<id:pk>/utile",
        views.mark_useful,
        name="useful",
    ),
    # The team (and heads in scope, read-only).
    path(base, views.inbox, name="inbox"),
    path(base + "tableau-de-bord/", views.structure_dashboard, name="dashboard"),
    path(base + "export.csv", views.export_csv, name="export_csv"),
    path(base + "export.xlsx", views.export_xlsx, name="export_xlsx"),
    path(base + "export.pdf", views.export_pdf, name="export_pdf"),
    path(base + "reglages/", views.set_up, name="set_up"),
    path(base + "carte.pdf", views.card_pdf, name="card"),
    path(base + "qr.svg", views.qr_code, name="qr"),
    path(base + "modeles/nouveau/", views.edit_template, name="new_template"),
    path(base + "modeles/<id:pk>/", views.edit_template, name="edit_template"),
    path(base + "modeles/<id:pk>/supprimer", views.delete_template, name="delete_template"),
    path(base + "<id:pk>/", views.testimony_detail, name="detail"),
    path(base + "<id:pk>/moderer", views.moderate, name="moderate"),
    path(base + "<id:pk>/repondre", views.answer, name="answer"),
    path(base + "<id:pk>/fiche-action", views.link_action, name="link_action"),
    # Heads: their scope.
    path("perimetre/temoignages/", views.consolidated, name="consolidated"),
    path("perimetre/temoignages/export.csv", views.consolidated_csv, name="consolidated_csv"),
    path("perimetre/temoignages/export.xlsx", views.consolidated_xlsx, name="consolidated_xlsx"),
]
