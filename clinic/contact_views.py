"""The patient page's contact tab: the contact card, and the team's form to change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.contact import CARD_RELATED, contact_card
from clinic.contact_forms import ContactForm, NextOfKinFormSet
from clinic.patient_views import CLINICIANS, tab_page
from patients.access import MONITOR, get_patient_for_user, user_has_patient_perm
from patients.models import Patient
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import role_required


def _loaded(patient: Patient) -> Patient:
    return Patient.objects.select_related(*CARD_RELATED).get(pk=patient.pk)


def _context(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    form: ContactForm | None = None,
    kin_forms: Any = None,
) -> dict[str, Any]:
    loaded = _loaded(patient)
    can_change = user_has_patient_perm(request.user, patient, MONITOR)
    if can_change and form is None:
        form = ContactForm(instance=loaded)
        kin_forms = NextOfKinFormSet(instance=loaded, prefix="kin")
    return {
        "card": contact_card(loaded, loaded.next_of_kin.all()),
        "can_change": can_change,
        "form": form,
        "kin_forms": kin_forms,
    }


@require_GET
@role_required(*CLINICIANS)
def patient_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: contact details")
    return tab_page(
        request, "clinic/patient/contact.html", patient, "contact", _context(request, patient)
    )


def _changed_fields(form: ContactForm, kin_forms: Any) -> list[str]:
    names = [str(form.fields[name].label) for name in form.changed_data]
    if kin_forms.has_changed():
        names.append(_("next of kin"))
    return names


@require_POST
@role_required(*CLINICIANS)
def contact_change_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: contact details", perm=MONITOR)
    loaded = _loaded(patient)
    form = ContactForm(request.POST, instance=loaded)
    kin_forms = NextOfKinFormSet(request.POST, instance=loaded, prefix="kin")
    if not (form.is_valid() and kin_forms.is_valid()):
        context = _context(request, patient, form, kin_forms)
        return tab_page(
            request, "clinic/patient/contact.html", patient, "contact", context, status=400
        )
    if not (form.has_changed() or kin_forms.has_changed()):
        messages.info(request, _("Nothing was changed."))
        return redirect("patient:contact", pk=patient.pk)
    with transaction.atomic():
        form.save()
        kin_forms.save()
        audit_record(
            request=request,
            action="update",
            what="Contact details changed",
            patient_id=patient.pk,
        )
    messages.success(
        request,
        _("Contact details saved: %(fields)s.")
        % {"fields": ", ".join(_changed_fields(form, kin_forms))},
    )
    return redirect("patient:contact", pk=patient.pk)
