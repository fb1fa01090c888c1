from django.urls import path

from autodiag.actions import views

app_name = "actions"
urlpatterns = [
    path("structures/<code:code>/actions/", views.plan, name="plan"),
    path("structures/<code:code>/actions/nouvelle/", views.new_sheet, name="new"),
    path("structures/<code:code>/actions/revue/", views.monthly_review, name="review"),
    path("structures/<code:code>/actions/affichage/", views.display, name="display"),
    path("structures/<code:code>/actions/affiche.pdf", views.poster_pdf, name="poster"),
    path("structures/<code:code>/actions/plan.xlsx", views.export_xlsx, name="export_xlsx"),
    path("structures/<code:code>/actions/plan.pdf", views.export_pdf, name="export_pdf"),
    path("structures/<code:code>/actions/<id:number>/", views.sheet_detail, name="detail"),
    path("structures/<code:code>/actions/<id:number>/modifier/", views.edit_sheet, name="edit"),
    path("structures/<code:code>/actions/<id:number>/point/", views.review_sheet, name="point"),
    path(
        "structures/<code:code>/actions/<id:number>/supprimer/",
        views.delete_sheet,
        name="delete",
    ),
    path("engagements/<code:code>/", views.public_page, name="public"),
    path("perimetre/actions/", views.scope_actions, name="scope"),
]
