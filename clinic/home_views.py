"""Pages that belong to no single app: the role-based home redirect and the admin start page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, request_role, role_required

HOME_URL_BY_ROLE = {
    Role.NURSE: "alarms:nurse_home",
    Role.DOCTOR: "alarms:doctor_home",
    Role.CITIZEN: "monitoring:citizen_home",
    Role.ADMIN: "admin_home",
    Role.SUPERUSER: "admin:index",
}


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each user to the start page of their role (LOGIN_REDIRECT_URL points here)."""
    role = request_role(request)
    if role is None:
        # Signed in, but no clinician profile and no patient: an account not yet set up.
        return render(request, "telemed/no_role.html", status=403)
    return redirect(HOME_URL_BY_ROLE[role])


@require_GET
@role_required(Role.ADMIN, Role.SUPERUSER)
def admin_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "clinic/admin_home.html")
