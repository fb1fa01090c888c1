"""The API's documentation page (/api/docs) read from its OpenAPI
description: each operation with its parameters and answers, in French,
on a page of the site (DSFR header and footer, no script)."""

from __future__ import annotations

from django.urls import reverse

PLACES = {"query": "paramètre de requête", "path": "dans le chemin", "header": "en-tête"}
TYPES = {"integer": "entier", "string": "texte", "boolean": "booléen (true / false)"}
STATUS_WORDS = {
    "200": "Réponse en JSON",
    "400": "Demande incorrecte : un message en français nomme chaque paramètre en cause",
    "401": "Jeton absent, inconnu ou révoqué",
    "404": "Introuvable, ou hors du périmètre du jeton",
}


def _type(parameter: dict) -> str:
    schema = parameter.get("schema", {})
    kind = schema.get("type")
    if kind is None:
        kinds = [s.get("type") for s in schema.get("anyOf", []) if s.get("type") != "null"]
        kind = kinds[0] if kinds else None
    if schema.get("format") == "date" or "date" in parameter.get("name", ""):
        return "date (AAAA-MM-JJ)"
    return TYPES.get(kind, kind or "texte")


def docs_context(schema: dict, request) -> dict:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "place": PLACES.get(p.get("in"), p.get("in")),
                            "required": "oui" if p.get("required") else "non",
                            "type": _type(p),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": [
                        (code, STATUS_WORDS.get(str(code), answer.get("description", "")))
                        for code, answer in operation.get("responses", {}).items()
                    ]
                    + [("401", STATUS_WORDS["401"])],
                }
            )
    return {
        "title": "Documentation de l’API",
        "info": schema.get("info", {}),
        "operations": operations,
        "openapi_url": reverse("api:openapi-json"),
        "breadcrumb_data": {"links": [], "current": "Documentation de l’API"},
        "is_signed_in": request.user.is_authenticated,
    }
