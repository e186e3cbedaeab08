"""Helpers for tests that run Telemed in other processes (a second instance, Celery workers)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(settings: dict[str, Any], name: str) -> str:
    """A DATABASE_URL for database ``name`` on the server of Django's ``settings_dict``."""
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    host = settings["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgresql://{user}{password}@{port}/{name}?host={quote(host)}"
    return f"postgresql://{user}{password}@{host}{port}/{name}"
