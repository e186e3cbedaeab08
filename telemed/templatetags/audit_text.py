"""Audit events shown in the reader's language (telemed.audit_text)."""

from django import template

from telemed import audit_text

register = template.Library()


@register.filter
def audit_what(what: str) -> str:
    return audit_text.describe(what)


@register.filter
def audit_role(role: str) -> str:
    return audit_text.role_label(role)
