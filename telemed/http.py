"""Typed requests for views.

Django types `request.user` as "a user or the anonymous user" and knows nothing of django-htmx's
`request.htmx`. Views behind `login_required` (or a role check) annotate their request with
`AuthenticatedHttpRequest`; views that read `request.htmx` use `HtmxHttpRequest`. Nothing here
changes at run time: these are the attributes the middleware already sets.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request does)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request from a signed-in user: the view is behind `login_required` or a role check."""

    user: User
