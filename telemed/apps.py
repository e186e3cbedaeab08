from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemedConfig(AppConfig):
    name = "telemed"
    verbose_name = _("Telemed")
