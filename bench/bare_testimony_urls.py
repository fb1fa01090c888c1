"""The baseline of the testimony benchmark: the least a Django endpoint can
do to store one testimony. `POST /bare-testimony/<structure>` runs one
INSERT into the same table as the public form, through the same middleware
and gunicorn, with no CSRF check, rate limit, validation or masking.
Served only by bench/bare_testimony_settings.py."""

from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from autodiag.urls import urlpatterns as project_urlpatterns

INSERT = (
    "INSERT INTO testimonies_testimony (structure_id, title, text, channel, sentiment,"
    " commitments, pseudonym, email, consent_at, received_at, received_on, status, public_title,"
    " public_text, reject_reason, reject_note, answer_text, answer_signature, useful_count)"
    " VALUES (%s, '', %s, 'accueil-physique', 'satisfied', 2, 'banc', '', %s, %s, %s, 'new', '',"
    " %s, '', '', '', '', 0)"
)
TEXT = "L’agent a pris le temps de m’expliquer mon dossier, merci pour l’accueil."


@csrf_exempt
def bare_insert(request, structure_id):
    if request.method != "POST":
        return HttpResponseBadRequest()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [structure_id, TEXT, now, now, timezone.localdate(now), TEXT])
    return HttpResponse("ok")


urlpatterns = [
    path("bare-testimony/<int:structure_id>", bare_insert),
    *project_urlpatterns,
]
