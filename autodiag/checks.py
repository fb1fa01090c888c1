"""Deployment checks of our own, run by `autodiag check --deploy`: what
several app servers must share (issue 12)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Without CACHE_URL each process has its own memory cache: the API's
    rate limit and cached figures would be per process."""
    if settings.CACHE_URL:
        return []
    return [
        Warning(
            "CACHE_URL n’est pas défini : chaque processus a son propre cache (limites de l’API, "
            "chiffres mis en cache). Avec plusieurs processus ou serveurs, donnez un Redis partagé.",
            id="autodiag.W001",
        )
    ]
