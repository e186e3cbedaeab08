"""Template context for the top bar and the main navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from telemed.roles import Role, request_role

# (url name, label) per role; only pages that exist are listed.
NAVIGATION: dict[Role, list[tuple[str, Any]]] = {
    Role.NURSE: [
        ("alarms:nurse_home", _("Patients")),
        ("alarms:handover", _("Handover")),
        ("alarms:escalations", _("Escalations")),
        ("patient_messages:inbox", _("Messages")),
        ("referrals:list", _("Referrals")),
        ("alarms:ended", _("Ended")),
        ("indicators:page", _("Indicators")),
    ],
    Role.DOCTOR: [("alarms:doctor_home", _("My patients")), ("referrals:list", _("Referrals"))],
    Role.CITIZEN: [
        ("monitoring:citizen_home", _("Today")),
        ("monitoring:citizen_history", _("My measurements")),
        ("citizen:messages", _("Messages")),
    ],
    Role.ADMIN: [
        ("admin_home", _("Administration")),
        ("patients:users", _("Users")),
        ("interop:outbox", _("FHIR outbox")),
        ("indicators:page", _("Indicators")),
    ],
    Role.SUPERUSER: [("admin_home", _("Administration")), ("interop:outbox", _("FHIR outbox"))],
}

# Roles that get the "find a patient" field in the top bar (clinic/search_views.py).
PATIENT_SEARCH_ROLES = (Role.NURSE, Role.DOCTOR, Role.ADMIN)


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = request_role(request)
    if role is None:
        return {
            "current_role": None,
            "nav_items": [],
            "user_organisation": "",
            "patient_search": False,
        }
    path = request.path
    items = []
    for url_name, label in NAVIGATION[role]:
        url = reverse(url_name)
        items.append({"url": url, "label": label, "current": path == url})
    organisation = ""
    if role in (Role.NURSE, Role.DOCTOR, Role.ADMIN):
        user = request.user
        assert user.is_authenticated  # only a signed-in user has a clinician role
        organisation = user.clinician.organisation.name
    return {
        "current_role": role,
        "current_role_label": role.label,
        "nav_items": items,
        "user_organisation": organisation,
        "patient_search": role in PATIENT_SEARCH_ROLES,
    }
