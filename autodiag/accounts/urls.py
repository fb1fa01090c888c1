from django.urls import path

from autodiag.accounts import proconnect
from autodiag.accounts.forms import SignInForm

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        proconnect.SignInView.as_view(
            template_name="accounts/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path("deconnexion/", proconnect.SignOutView.as_view(), name="logout"),
    # ProConnect (404 unless configured, see docs/deploy.md).
    path("proconnect/connexion/", proconnect.LoginView.as_view(), name="proconnect_login"),
    path("proconnect/retour/", proconnect.CallbackView.as_view(), name="proconnect_callback"),
    path("proconnect/deconnecte/", proconnect.logged_out, name="proconnect_logged_out"),
]
