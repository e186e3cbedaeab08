"""The Celery app. Tasks are thin: take ids, call one service (see docs/ARCHITECTURE.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telemed.settings")

app = Celery("telemed")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
