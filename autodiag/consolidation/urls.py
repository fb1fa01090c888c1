from django.urls import path

from autodiag.consolidation import views

app_name = "consolidation"
urlpatterns = [
    path("", views.report, name="report"),
]
urlpatterns += [
    path("structures/", views.structures, name="structures"),
]
urlpatterns += [
    path("campagne/", views.campaign, name="campaign"),
    path("attentes/", views.needs, name="needs"),
]
urlpatterns += [
    path("exports/", views.exports_page, name="exports"),
    path("exports/<id:pk>/", views.export_download, name="export_download"),
]
urlpatterns += [
    path("api/", views.tokens, name="tokens"),
]
urlpatterns += [
    path("historique/", views.history, name="history"),
    path("historique/import/", views.history_import, name="history_import"),
]
