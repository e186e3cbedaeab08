from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = _("Interoperability")

    def ready(self) -> None:
        from interop import receivers, schema  # noqa: F401 - outbox receiver, OpenAPI auth
