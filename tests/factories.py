"""Factories for tests. They live in alarms/demo/factories.py, which seed_demo shares."""

from alarms.demo.factories import *  # noqa: F403
from alarms.demo.factories import __all__  # noqa: F401
