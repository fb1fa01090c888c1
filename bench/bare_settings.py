"""Settings of the autosave benchmark's baseline only (bench/autosave.py):
the project's settings unchanged, with a URL configuration that adds one
bare upsert endpoint. Never used by the application or the tests."""

import os

from autodiag.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
# The user recorded as author by the bare endpoint (the benchmark's member).
BARE_USER_ID = int(os.environ.get("BARE_USER_ID", "1"))
