"""Find a patient from the top bar of every clinician page: /patients/find/?q=…

The text is a CPR number (ten digits, with or without the dash), the first six digits (the
birth date, DDMMYY), or a name (every word must be part of the first or the last name). Only
the patients the user may see are searched (``patients_visible_to``), so a CPR number of a
patient elsewhere finds nothing, exactly like a number nobody has: the page never tells whether
a CPR number exists. Every search, also an empty or malformed one, is one audit event naming
the patients shown (by id: the typed CPR number is never stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patients import cpr
from patients.access import patients_visible_to
from patients.models import Patient
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

PER_PAGE = 20
MAX_LENGTH = 100
MAX_WORDS = 5


@dataclass(frozen=True)
class Search:
    """What was typed and how it is read: a CPR number, a birth date, a name, or an error."""

    text: str
    digits: str = ""
    words: tuple[str, ...] = ()
    error: str = ""

    @property
    def exact_cpr(self) -> bool:
        return len(self.digits) == 10

    @property
    def is_empty(self) -> bool:
        return not (self.digits or self.words or self.error)


def _cpr_error(code: str) -> str:
    if code == "date":
        return _("The first six digits of a CPR number must be a real date (DDMMYY).")
    if code == "future":
        return _("The birth date in the CPR number is in the future.")
    return _(
        "Type a whole CPR number (10 digits, DDMMYY-XXXX), the first 6 digits (the birth date) "
        "or a name."
    )


def search_read(raw: str) -> Search:
    """Read the typed text (no database): which patients it asks for, or why it cannot."""
    text = " ".join(raw.split())[:MAX_LENGTH]
    if not text:
        return Search(text)
    if cpr.looks_like_cpr(text):
        try:
            digits = cpr.search_digits(text, today=timezone.localdate())
        except cpr.InvalidCpr as exc:
            return Search(text, error=_cpr_error(exc.code))
        return Search(text, digits=digits)
    return Search(text, words=tuple(text.split(" ")[:MAX_WORDS]))


def patients_found(user: User, search: Search) -> QuerySet[Patient]:
    """The patients ``user`` may see that match, by last name, with their team (one query)."""
    patients = patients_visible_to(user)
    if search.exact_cpr:
        patients = patients.filter(cpr=search.digits)
    elif search.digits:
        patients = patients.filter(cpr__startswith=search.digits)
    elif search.words:
        patients = patients.filter(
            reduce(
                and_,
                (Q(first_name__icontains=w) | Q(last_name__icontains=w) for w in search.words),
            )
        )
    else:
        return Patient.objects.none()
    return patients.select_related("monitoring_team").order_by("last_name", "first_name", "pk")


def _audit(request: AuthenticatedHttpRequest, shown: list[Patient]) -> None:
    ids = ",".join(str(patient.pk) for patient in shown)
    audit_record(
        request=request,
        action="view",
        what=f"Patient search ({len(shown)} patients shown{': ' + ids if ids else ''})",
        # One patient shown: the look is on that patient's own log too.
        patient_id=shown[0].pk if len(shown) == 1 else None,
        path=request.path,  # the query string holds what was typed
    )


@require_GET
@role_required(Role.NURSE, Role.DOCTOR, Role.ADMIN)
def patient_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = search_read(request.GET.get("q", ""))
    page: Page[Patient] | None = None
    shown: list[Patient] = []
    if search.digits or search.words:
        page = Paginator(patients_found(request.user, search), PER_PAGE).get_page(
            request.GET.get("page")
        )
        shown = list(page.object_list)
    _audit(request, shown)
    if search.exact_cpr and len(shown) == 1:
        return redirect("patient:detail", shown[0].pk)
    return render(
        request,
        "clinic/find_patient.html",
        {
            "search": search,
            "page": page,
            "patients": shown,
            "page_query": urlencode({"q": search.text}),
        },
    )
