"""Danish formats (Django's own, with the ISO input accepted too, as browsers send it)."""

from django.conf.locale.da.formats import *  # type: ignore[import-untyped]  # noqa: F403  # Django locale files: no stubs

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M"]
