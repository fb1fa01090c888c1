from django.conf import settings
from django.shortcuts import render


def _render(request, template: str, title: str, current: str):
    return render(
        request,
        f"information/{template}",
        {
            "title": title,
            "publisher": settings.SITE_PUBLISHER,
            "publication_director": settings.SITE_PUBLICATION_DIRECTOR,
            "hosting": settings.SITE_HOSTING,
            "contact_email": settings.CONTACT_EMAIL,
            "site_url": settings.SITE_URL,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "breadcrumb_data": {"links": [], "current": current},
        },
    )


def accessibility(request):
    return _render(request, "accessibility.html", "Déclaration d’accessibilité", "Accessibilité")


def legal_notice(request):
    return _render(request, "legal_notice.html", "Mentions légales", "Mentions légales")


def personal_data(request):
    return _render(request, "personal_data.html", "Données personnelles", "Données personnelles")
