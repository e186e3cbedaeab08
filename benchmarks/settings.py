"""Settings for benchmark runs: the product's settings, production-like (DEBUG off), plus a
URLconf with one benchmark-only endpoint (the empty DRF POST). Never used by the product.

The harness (benchmarks/__main__.py) sets SECRET_KEY, ALLOWED_HOSTS, BEHIND_TLS_PROXY and
DATABASE_URL in the environment before this module is imported, as a deployment would.
"""

from telemed.settings import *  # noqa: F403
from telemed.settings import STORAGES

ROOT_URLCONF = "benchmarks.urls"

# Production serves hashed static files collected by collectstatic; the benchmark renders the
# same templates without running collectstatic first (the lookup cost is the same).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Device tokens are throttled per credential (120/min by default). The load test sends far more
# per token than a real device, so the limit is lifted while the throttle itself still runs.
INTEROP_API_RATE = "1000000/s"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
