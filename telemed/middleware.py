"""A request id on every request: echoed in the response and kept in audit events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_ATTR = "request_id"


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Trust an id from the proxy in front of us only if it looks like one.
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        # An attribute of our own on Django's request (HttpRequest does not declare it);
        # telemed/audit.py reads it back with getattr.
        setattr(request, REQUEST_ID_ATTR, request_id)
        response = self.get_response(request)
        response[self.header] = request_id
        return response
