"""How long a signed-in session lasts: the one place that decides it.

A clinician is signed out after her organisation's ``session_timeout_minutes`` without a
request (Organisation, 5–480, default 30). A superuser without a clinician profile gets the
default. Citizens are not timed out for idleness: they use Telemed on their own phone or tablet
at home, between long pauses; their session lasts ``SESSION_COOKIE_AGE`` from the last time it
was saved, as before.

How: at login the time of her last activity goes into the session (with 0 as the limit for a
user without one, so a citizen's requests are never looked at again). On every request
``IdleTimeoutMiddleware`` compares the time since then with the limit; past the limit it ends
the session and sends the user to the login page with a message. Requests within a minute of
the last recorded activity (``REFRESH_SECONDS``) cost no query and no session write; after a
longer pause the limit is read again from the organisation (one query) before it is compared,
so an admin's change, raised or lowered, applies at once, and the activity time is written.
The session row and cookie of a clinician last for the longest limit an organisation can choose,
so they never end a session before the middleware would; the middleware is what ends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext

from patients.models import SESSION_TIMEOUT_DEFAULT, SESSION_TIMEOUT_LIMITS

LIMIT_KEY = "telemed_idle_limit"  # seconds; 0 means no idle limit (citizens)
LAST_SEEN_KEY = "telemed_last_seen"  # epoch seconds of the last recorded activity
REFRESH_SECONDS = 60


def _now() -> float:
    return time.time()


def idle_limit_seconds(user: Any) -> int:
    """The idle limit for this user in seconds; 0 for no idle limit (citizens, no role)."""
    try:
        return int(user.clinician.organisation.session_timeout_minutes) * 60
    except ObjectDoesNotExist:
        pass
    if user.is_superuser:
        return SESSION_TIMEOUT_DEFAULT * 60
    return 0


def _record_activity(request: HttpRequest, limit: int, now: float) -> None:
    session = request.session
    session[LIMIT_KEY] = limit
    session[LAST_SEEN_KEY] = now
    if limit:
        session.set_expiry(SESSION_TIMEOUT_LIMITS[1] * 60 + REFRESH_SECONDS)


def session_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """auth signal user_logged_in: the session starts with the user's idle limit."""
    if request is not None and hasattr(request, "session"):
        _record_activity(request, idle_limit_seconds(user), _now())


class IdleTimeoutMiddleware:
    """Ends a session that has been idle longer than its limit (after AuthenticationMiddleware
    and MessageMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = _now()
            limit = session.get(LIMIT_KEY)
            last_seen = session.get(LAST_SEEN_KEY)
            if limit is None or last_seen is None:
                # A session from before this middleware: start counting now.
                _record_activity(request, idle_limit_seconds(user), now)
            elif limit and now - float(last_seen) >= REFRESH_SECONDS:
                limit = idle_limit_seconds(user)  # the organisation's limit as it is now
                if limit and now - float(last_seen) > limit:
                    return self._expired(request, limit)
                _record_activity(request, limit, now)
        return self.get_response(request)

    def _expired(self, request: HttpRequest, limit: int) -> HttpResponse:
        logout(request)
        minutes = limit // 60
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)s minute without activity. "
                "Log in again to continue.",
                "You were signed out after %(minutes)s minutes without activity. "
                "Log in again to continue.",
                minutes,
            )
            % {"minutes": minutes},
        )
        # After logging in again a page she was reading opens again; a form she sent does not
        # (its view answers GET with 405), so then she starts from her home page.
        if request.method == "GET":
            response = redirect_to_login(request.get_full_path())
        else:
            response = redirect(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            # An htmx fragment request: send the whole page to the login form, not the
            # login form into a fragment.
            hx = HttpResponse(status=204)
            hx["HX-Redirect"] = response["Location"]
            return hx
        return response
