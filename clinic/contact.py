"""The contact card: who to call about a patient (the citizen, next of kin, the GP, the
hospital department), as the patient page header and the opened triage row show it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from patients import phone
from patients.models import NextOfKin, Organisation, Patient


@dataclass(frozen=True)
class Phone:
    label: str
    shown: str
    tel: str


@dataclass(frozen=True)
class Kin:
    name: str
    relation: str
    phone: Phone | None
    may_contact: bool


@dataclass(frozen=True)
class Place:
    """The GP clinic or the hospital department."""

    name: str
    phone: Phone | None
    ydernummer: str = ""


@dataclass
class ContactCard:
    phones: list[Phone]
    email: str
    address: str
    language: str
    next_of_kin: list[Kin] = field(default_factory=list)
    gp: Place | None = None
    hospital: Place | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.phones or self.email or self.address or self.next_of_kin or self.gp)


def _phone(label: str, number: str) -> Phone | None:
    if not number:
        return None
    return Phone(label=label, shown=phone.shown(number), tel=phone.tel_uri(number))


def _place(organisation: Organisation | None) -> Place | None:
    if organisation is None:
        return None
    return Place(
        name=organisation.name,
        phone=_phone(_("Phone"), organisation.phone),
        ydernummer=organisation.ydernummer,
    )


def address_line(patient: Patient) -> str:
    town = " ".join(part for part in (patient.postal_code, patient.city) if part)
    return ", ".join(part for part in (patient.address, town) if part)


def contact_card(patient: Patient, next_of_kin: Iterable[NextOfKin]) -> ContactCard:
    """The card of a patient loaded with its GP clinic, hospital department and treating
    organisation (the treating organisation stands in for whichever of the two is not set)."""
    treating = patient.treating_organisation
    gp = patient.gp_clinic or (
        treating if treating and treating.kind == Organisation.Kind.GP_CLINIC else None
    )
    hospital = patient.hospital_department or (
        treating if treating and treating.kind == Organisation.Kind.HOSPITAL_DEPARTMENT else None
    )
    phones = [
        p
        for p in (
            _phone(_("Mobile"), patient.phone),
            _phone(_("Other phone"), patient.phone_other),
        )
        if p is not None
    ]
    return ContactCard(
        phones=phones,
        email=patient.email,
        address=address_line(patient),
        language=patient.get_language_display(),
        next_of_kin=[
            Kin(
                name=kin.name,
                relation=kin.relation,
                phone=_phone(_("Phone"), kin.phone),
                may_contact=kin.may_contact,
            )
            for kin in next_of_kin
        ],
        gp=_place(gp),
        hospital=_place(hospital),
    )


CARD_RELATED = ("gp_clinic", "hospital_department", "treating_organisation")


def contact_cards(patient_ids: Iterable[int]) -> dict[int, ContactCard]:
    """Cards for several patients in two queries (the opened rows of the triage list)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    kin: dict[int, list[NextOfKin]] = defaultdict(list)
    for row in NextOfKin.objects.filter(patient_id__in=ids):
        kin[row.patient_id].append(row)
    return {
        patient.pk: contact_card(patient, kin[patient.pk])
        for patient in Patient.objects.filter(pk__in=ids).select_related(*CARD_RELATED)
    }
