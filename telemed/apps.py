from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemedConfig(AppConfig):
    name = "telemed"
    verbose_name = _("Telemed")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from telemed import login, sessions

        user_login_failed.connect(login.login_failed, dispatch_uid="telemed-login-failed")
        user_logged_in.connect(login.logged_in, dispatch_uid="telemed-logged-in")
        user_logged_in.connect(sessions.session_start, dispatch_uid="telemed-session-start")
