"""Settings of the testimony benchmark's baseline only (bench/testimonies.py):
the project's settings with a URL configuration adding one bare insert
endpoint. Never used by the application or the tests."""

from autodiag.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_testimony_urls"
