"""Sign-in with ProConnect: the whole authorization-code flow against an
OpenID provider served by this module on loopback, with real RS256
signatures (id_token, userinfo JWT, JWKS)."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings

from autodiag.accounts.models import User
from autodiag.structures.models import Invitation, Membership
from tests.conftest import make_structure

CLIENT_ID = "autodiag-test"
CLIENT_SECRET = "a-client-secret-for-tests"
SCOPES = "openid given_name usual_name email uid siret idp_id"
KID = "test-key"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """A small OpenID provider speaking like ProConnect."""

    def __init__(self):
        self.key = new_key()
        self.userinfo_key = self.key  # tests may sign userinfo with another key
        self.claims = {}
        self.codes = {}
        self.tokens = {}
        self.authorize_requests = []
        self.end_session_requests = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status, body=b"", content_type="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    provider.authorize_requests.append(query)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    location = f"{query['redirect_uri']}?" + urlencode(
                        {"code": code, "state": query["state"]}
                    )
                    self.send(302, headers=[("Location", location)])
                elif url.path == "/jwks":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
                        provider.key.public_key(), as_dict=True
                    )
                    jwk.update(kid=KID, alg="RS256", use="sig")
                    self.send(200, json.dumps({"keys": [jwk]}).encode())
                elif url.path == "/userinfo":
                    access_token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if access_token not in provider.tokens:
                        self.send(401)
                        return
                    body = provider.sign(provider.claims, provider.userinfo_key)
                    self.send(200, body.encode(), "application/jwt; charset=utf-8")
                elif url.path == "/session/end":
                    provider.end_session_requests.append(query)
                    location = f"{query['post_logout_redirect_uri']}?state={query['state']}"
                    self.send(302, headers=[("Location", location)])
                else:
                    self.send(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/token":
                    self.send(404)
                    return
                request = provider.codes.pop(form.get("code"), None)
                if (
                    request is None
                    or form.get("grant_type") != "authorization_code"
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    self.send(400, b'{"error": "invalid_grant"}')
                    return
                now = int(time.time())
                id_token = provider.sign(
                    {
                        "iss": provider.url,
                        "sub": provider.claims["sub"],
                        "aud": CLIENT_ID,
                        "iat": now,
                        "exp": now + 60,
                        "nonce": request["nonce"],
                        "acr": "eidas1",
                    },
                    provider.key,
                )
                access_token = secrets.token_urlsafe(16)
                provider.tokens[access_token] = id_token
                answer = {
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": 60,
                    "id_token": id_token,
                }
                self.send(200, json.dumps(answer).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sign(self, claims, key):
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **claims}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


@pytest.fixture(scope="module")
def running_provider():
    provider = Provider()
    provider.thread.start()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


@pytest.fixture
def provider(running_provider, db):
    running_provider.userinfo_key = running_provider.key
    running_provider.claims = agent_claims()
    running_provider.authorize_requests.clear()
    running_provider.end_session_requests.clear()
    url = running_provider.url
    with override_settings(
        PROCONNECT_ENABLED=True,
        AUTHENTICATION_BACKENDS=[
            "autodiag.accounts.backends.LocalAccountBackend",
            "autodiag.accounts.proconnect.ProConnectBackend",
        ],
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{url}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{url}/token",
        OIDC_OP_USER_ENDPOINT=f"{url}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{url}/jwks",
        OIDC_OP_LOGOUT_ENDPOINT=f"{url}/session/end",
    ):
        yield running_provider


def agent_claims(**changes):
    return {
        "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
        "email": "Claude.Petit@Interieur.gouv.fr",
        "given_name": "Claude",
        "usual_name": "Petit",
        "uid": "1234",
        "siret": "11000201100044",
        "idp_id": "fia1v2",
        **changes,
    }


def sign_in(provider, client=None, state=None, next_url=None):
    """Follow the flow as a browser would; return the callback's answer."""
    client = client or Client()
    start = client.get("/compte/proconnect/connexion/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/compte/proconnect/retour/"
    query = {key: values[0] for key, values in parse_qs(back.query).items()}
    if state is not None:
        query["state"] = state
    return client, client.get(back.path, query)


def signed_in_user(client):
    from django.contrib.auth import get_user

    request = type("Request", (), {"session": client.session})()
    user = get_user(request)
    return user if user.is_authenticated else None


def test_authorize_request_carries_proconnect_parameters(provider):
    sign_in(provider)
    (request,) = provider.authorize_requests
    assert request["response_type"] == "code"
    assert request["client_id"] == CLIENT_ID
    assert request["scope"] == SCOPES
    assert request["redirect_uri"] == "http://testserver/compte/proconnect/retour/"
    assert len(request["state"]) >= 32
    assert len(request["nonce"]) >= 32
    allowed = {"response_type", "client_id", "redirect_uri", "scope", "claims", "state", "nonce"}
    allowed |= {"prompt", "idp_hint", "login_hint"}
    assert set(request) <= allowed


def test_new_user_is_created_and_signed_in(provider):
    client, response = sign_in(provider)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.email == "claude.petit@interieur.gouv.fr"
    assert (user.first_name, user.last_name) == ("Claude", "Petit")
    assert user.proconnect_sub == agent_claims()["sub"]
    assert not user.has_usable_password()
    assert signed_in_user(client) == user


def test_sign_in_returns_to_the_page_asked_for(provider):
    _, response = sign_in(provider, next_url="/diagnostics/")
    assert response["Location"] == "/diagnostics/"


def test_existing_user_is_matched_by_email_and_gets_the_sub(provider):
    existing = User.objects.create_user(
        email="claude.petit@interieur.gouv.fr", password="un-mot-de-passe-solide"
    )
    client, response = sign_in(provider)
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.proconnect_sub == agent_claims()["sub"]
    assert (existing.first_name, existing.last_name) == ("Claude", "Petit")
    assert User.objects.count() == 1
    assert signed_in_user(client) == existing


def test_second_sign_in_matches_on_sub_even_if_the_email_changed(provider):
    sign_in(provider)
    user = User.objects.get()
    provider.claims = agent_claims(email="claude.petit@nouveau-ministere.gouv.fr")
    client, response = sign_in(provider)
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert signed_in_user(client) == user


def test_pending_invitation_is_accepted(provider):
    structure = make_structure("PREF75TEST", "Préfecture de Paris — accueil", "Intérieur")
    invitation = Invitation.objects.create(
        structure=structure, email="claude.petit@interieur.gouv.fr", role="agent"
    )
    sign_in(provider)
    user = User.objects.get()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert Membership.objects.filter(user=user, structure=structure, role="agent").exists()


def test_bad_state_is_refused(provider):
    client, response = sign_in(provider, state="x" * 43)
    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_userinfo_signed_with_another_key_is_refused(provider, caplog):
    provider.userinfo_key = new_key()
    client, response = sign_in(provider)
    assert "JWS token verification failed" in caplog.text
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/"
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_sign_out_goes_through_the_end_session_endpoint(provider):
    client, _ = sign_in(provider)
    id_token = client.session["oidc_id_token"]
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.url}/session/end"
    query = {key: values[0] for key, values in parse_qs(end.query).items()}
    assert query["id_token_hint"] == id_token
    assert len(query["state"]) >= 32
    assert query["post_logout_redirect_uri"] == "http://testserver/compte/proconnect/deconnecte/"
    assert signed_in_user(client) is None
    back = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert back.headers["Location"].startswith(query["post_logout_redirect_uri"])
    final = client.get(urlsplit(back.headers["Location"]).path)
    assert final["Location"] == "/compte/connexion/"


def test_login_page_shows_the_button_when_configured(provider):
    page = Client().get("/compte/connexion/").content.decode()
    assert 'action="/compte/proconnect/connexion/"' in page
    assert 'class="fr-connect autodiag-proconnect"' in page
    assert "S’identifier avec" in page
    assert "Qu’est-ce que ProConnect ?" in page


def test_disabled_by_default(db):
    client = Client()
    page = client.get("/compte/connexion/").content.decode()
    assert "fr-connect" not in page
    assert client.get("/compte/proconnect/connexion/").status_code == 404
    assert client.get("/compte/proconnect/retour/?code=a&state=b").status_code == 404


def test_local_sign_out_is_unchanged(provider):
    user = User.objects.create_user(email="local@caf.test", password="un-mot-de-passe-solide")
    client = Client()
    client.force_login(user)
    response = client.post("/compte/deconnexion/")
    assert response["Location"] == "/compte/connexion/"
