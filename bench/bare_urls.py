"""The baseline of the autosave benchmark: the least a Django endpoint can
do to store one answer. `POST /bare/<diagnostic>/<question>` with a JSON
body `{"value": …}` runs one `INSERT … ON CONFLICT DO UPDATE` into the same
table as the autosave, through the same middleware, under the same
gunicorn, but with no session, sign-in, CSRF check, permission or answer
validation. Served only by bench/bare_settings.py."""

import json

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from autodiag.urls import urlpatterns as project_urlpatterns

UPSERT = (
    "INSERT INTO diagnostics_answer"
    " (diagnostic_id, question_id, value, cells, to_confirm, updated_by_id, updated_at,"
    " changed_at)"
    " VALUES (%s, %s, %s, '{}', false, %s, %s, %s)"
    " ON CONFLICT (diagnostic_id, question_id) DO UPDATE SET value = excluded.value,"
    " to_confirm = excluded.to_confirm, updated_by_id = excluded.updated_by_id,"
    " updated_at = excluded.updated_at, changed_at = excluded.changed_at"
)


@csrf_exempt
def bare_upsert(request, pk, question_id):
    if request.method != "POST":
        return HttpResponseBadRequest()
    value = json.loads(request.body)["value"]
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT,
            [pk, question_id, json.dumps(value), settings.BARE_USER_ID, now := timezone.now(), now],
        )
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bare/<int:pk>/<slug:question_id>", bare_upsert),
    *project_urlpatterns,
]
