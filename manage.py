#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telemed.settings")
    from telemed.env import env_bool

    if env_bool("DEBUG", False) and not os.environ.get("DATABASE_URL"):
        # Development only: the embedded PostgreSQL (production sets DATABASE_URL; settings
        # refuse to start without it).
        from telemed.pgembedded import ensure_database_url

        ensure_database_url()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
