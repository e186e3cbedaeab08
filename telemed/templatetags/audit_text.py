"""Audit events shown in the reader's language (telemed.audit_text)."""

from django import template
from django.utils.translation import gettext as _

from telemed import audit_text

register = template.Library()


@register.filter
def audit_what(what: str) -> str:
    return audit_text.describe(what)


@register.filter
def audit_role(role: str) -> str:
    return audit_text.role_label(role)


@register.filter
def permission_label(name: str) -> str:
    """A permission's name (stored in English when the migration ran) in the reader's
    language: our permissions' names are msgids (patients.models.Patient.Meta.permissions)."""
    return _(name)
