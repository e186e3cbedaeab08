"""pytest plugin (``-p telemed.testing`` in pyproject): the test database server.

Without DATABASE_URL the suite runs against the embedded PostgreSQL, started here before
pytest-django sets Django up (a hook wrapper runs before pytest-django's own hook), because
importing the settings must not start a server.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests() -> Generator[None, None, None]:
    from telemed.pgembedded import ensure_database_url

    ensure_database_url()
    return (yield)
