"""Settings from the environment: typed helpers, DATABASE_URL parsing, production safety."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection

from telemed.env import database_from_url, env_bool, env_int, env_list, env_str
from telemed.settings import DEVELOPMENT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_HOST = "telemed.example.dk"


def production_env(**extra: str) -> dict[str, str]:
    """A clean environment as a production process would have it: no DEBUG, no pytest."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "telemed.settings",
        # Never contacted by these commands; set so no embedded server starts.
        "DATABASE_URL": "postgresql://telemed@db.invalid/telemed",
        "ALLOWED_HOSTS": PRODUCTION_HOST,
        "CELERY_BROKER_URL": "redis://broker.invalid:6379/0",
    }
    env.update(extra)
    return env


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def django_setup(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(env, "-c", "import django; django.setup()")


def test_production_refuses_to_start_without_secret_key():
    result = django_setup(production_env())
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_development_secret_key():
    result = django_setup(production_env(SECRET_KEY=DEVELOPMENT_SECRET_KEY))
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_production_starts_with_its_own_secret_key():
    result = django_setup(production_env(SECRET_KEY=secrets.token_urlsafe(50)))
    assert result.returncode == 0, result.stderr


def test_garbage_debug_value_is_refused_not_read_as_false():
    result = django_setup(production_env(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="ja tak"))
    assert result.returncode != 0
    assert "DEBUG='ja tak' is not a boolean" in result.stderr


def test_check_deploy_is_clean_in_production(db):
    settings = connection.settings_dict
    query = {"host": settings["HOST"]} if str(settings["HOST"]).startswith("/") else {}
    netloc_host = "" if query else settings["HOST"]
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    database_url = (
        f"postgresql://{quote(settings['USER'], safe='')}{password}@{netloc_host}{port}"
        f"/{settings['NAME']}" + (f"?{urlencode(query)}" if query else "")
    )
    env = production_env(SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database_url)

    result = run_python(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[("1", True), ("true", True), ("Yes", True), (" on ", True)],
        *[("0", False), ("false", False), ("NO", False), ("off", False), ("", False)],
    ],
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("TELEMED_TEST_FLAG", raw)
    assert env_bool("TELEMED_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "ja", "truee"])
def test_env_bool_rejects_garbage(monkeypatch, raw):
    monkeypatch.setenv("TELEMED_TEST_FLAG", raw)
    with pytest.raises(ValueError, match="TELEMED_TEST_FLAG"):
        env_bool("TELEMED_TEST_FLAG")


def test_env_bool_unset_gives_the_default(monkeypatch):
    monkeypatch.delenv("TELEMED_TEST_FLAG", raising=False)
    assert env_bool("TELEMED_TEST_FLAG", True) is True
    assert env_bool("TELEMED_TEST_FLAG", False) is False


def test_env_int(monkeypatch):
    monkeypatch.setenv("TELEMED_TEST_INT", "587")
    assert env_int("TELEMED_TEST_INT", 25) == 587
    monkeypatch.setenv("TELEMED_TEST_INT", " ")
    assert env_int("TELEMED_TEST_INT", 25) == 25
    monkeypatch.delenv("TELEMED_TEST_INT")
    assert env_int("TELEMED_TEST_INT", 25) == 25


@pytest.mark.parametrize("raw", ["5.5", "ten", "1e3"])
def test_env_int_rejects_garbage(monkeypatch, raw):
    monkeypatch.setenv("TELEMED_TEST_INT", raw)
    with pytest.raises(ValueError, match="is not an integer"):
        env_int("TELEMED_TEST_INT", 0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("TELEMED_TEST_LIST", " telemed.example.dk, ,www.example.dk,")
    assert env_list("TELEMED_TEST_LIST") == ["telemed.example.dk", "www.example.dk"]
    monkeypatch.setenv("TELEMED_TEST_LIST", "")
    assert env_list("TELEMED_TEST_LIST", ["default"]) == []
    monkeypatch.delenv("TELEMED_TEST_LIST")
    assert env_list("TELEMED_TEST_LIST", ["default"]) == ["default"]


def test_env_str(monkeypatch):
    monkeypatch.delenv("TELEMED_TEST_STR", raising=False)
    assert env_str("TELEMED_TEST_STR", "fallback") == "fallback"
    monkeypatch.setenv("TELEMED_TEST_STR", "value")
    assert env_str("TELEMED_TEST_STR") == "value"


def test_database_url_with_host_port_and_options():
    db = database_from_url(
        "postgresql://telemed:s%40cret@db.example.dk:6432/telemed?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.example.dk", "6432", "telemed")
    assert (db["USER"], db["PASSWORD"]) == ("telemed", "s@cret")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_database_url_with_unix_socket_in_query():
    db = database_from_url("postgresql://postgres:@/postgres?host=/tmp/pgdata%20dir")
    assert db["HOST"] == "/tmp/pgdata dir"
    assert db["PORT"] == ""
    assert db["NAME"] == "postgres"
    assert db["OPTIONS"] == {}


def test_database_url_defaults_the_database_name():
    assert database_from_url("postgres://localhost")["NAME"] == "postgres"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite:///db.sqlite3", "db.example.dk"])
def test_database_url_must_be_postgresql(url):
    with pytest.raises(ValueError, match="PostgreSQL"):
        database_from_url(url)
