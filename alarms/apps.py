from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    name = "alarms"
    verbose_name = _("Alarms and triage")

    def ready(self) -> None:
        from alarms import checks  # noqa: F401  (registers the system checks)
