from django.urls import path

from autodiag.actions import views

app_name = "actions"
urlpatterns = [
    path("structures/<str:code>/actions/", views.plan, name="plan"),
    path("structures/<str:code>/actions/nouvelle/", views.new_sheet, name="new"),
    path("structures/<str:code>/actions/revue/", views.monthly_review, name="review"),
    path("structures/<str:code>/actions/affichage/", views.display, name="display"),
    path("structures/<str:code>/actions/affiche.pdf", views.poster_pdf, name="poster"),
    path("structures/<str:code>/actions/plan.xlsx", views.export_xlsx, name="export_xlsx"),
    path("structures/<str:code>/actions/plan.pdf", views.export_pdf, name="export_pdf"),
    path("structures/<str:code>/actions/<int:number>/", views.sheet_detail, name="detail"),
    path("structures/<str:code>/actions/<int:number>/modifier/", views.edit_sheet, name="edit"),
    path("structures/<str:code>/actions/<int:number>/point/", views.review_sheet, name="point"),
    path(
        "structures/<str:code>/actions/<int:number>/supprimer/",
        views.delete_sheet,
        name="delete",
    ),
    path("engagements/<str:code>/", views.public_page, name="public"),
    path("perimetre/actions/", views.scope_actions, name="scope"),
]
