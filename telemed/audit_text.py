"""Audit events in the reader's language.

The log stores what happened in plain English (``AuditEvent.what``, the record operators and
auditors search), and who did it with a role code. Pages translate both when they are shown:
the citizen's "who has looked at my data" and the admin's audit log. A description nobody has
taught this module is shown as stored; tests/test_audit_walk.py fails when a route records one.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from patients.models import ClinicianProfile

# Descriptions stored as they are.
FIXED = {
    text: text
    for text in [
        gettext_noop("Acknowledged all green results (triage list)"),
        gettext_noop("Acknowledged all green results"),
        gettext_noop("Admin: audit log exported as CSV"),
        gettext_noop("Admin: audit log query"),
        gettext_noop("Admin: invitation sent"),
        gettext_noop("Admin: team created"),
        gettext_noop("Admin: user changed"),
        gettext_noop("Admin: user created"),
        gettext_noop("Admin: user deactivated"),
        gettext_noop("Admin: user reactivated"),
        gettext_noop("Admin: device token revoked"),
        gettext_noop("Admin: device tokens list"),
        gettext_noop("Admin: failed deliveries of a FHIR destination"),
        gettext_noop("Integrations: API client created"),
        gettext_noop("Integrations: API client revoked"),
        gettext_noop("Integrations: API client secret rotated"),
        gettext_noop("Integrations: FHIR destination added"),
        gettext_noop("Integrations: FHIR destination changed"),
        gettext_noop("Integrations: FHIR destination deleted"),
        gettext_noop("Integrations: FHIR destination enabled"),
        gettext_noop("Integrations: FHIR destination paused"),
        gettext_noop("Integrations: a failed delivery sent again"),
        gettext_noop("Integrations: failed deliveries sent again"),
        gettext_noop("Admin: care relationship"),
        gettext_noop("Admin: care relationships list"),
        gettext_noop("Alarm handling: escalation and claim times changed"),
        gettext_noop("Alarm handling: own outcome list made from the defaults"),
        gettext_noop("Care relationship changed (monitoring team / treating doctor)"),
        gettext_noop("Changed own password after first login"),
        gettext_noop("Chose own password from the invitation"),
        gettext_noop("Citizen: who has access to my data"),
        gettext_noop("Changed own password"),
        gettext_noop("Citizen: change password"),
        gettext_noop("Citizen home: own questionnaires"),
        gettext_noop("Citizen: answer a question"),
        gettext_noop("Citizen: check answers before sending"),
        gettext_noop("Citizen: read messages"),
        gettext_noop("Citizen: discard draft answers"),
        gettext_noop("Citizen: own measurements and answers"),
        gettext_noop("Citizen: questionnaire sent"),
        gettext_noop("Citizen: receipts from the nurses"),
        gettext_noop("Citizen: reminder channel changed"),
        gettext_noop("Citizen: reminder settings"),
        gettext_noop("Citizen: send message"),
        gettext_noop("Citizen: send questionnaire"),
        gettext_noop("Citizen: start answering a questionnaire"),
        gettext_noop("Citizen: who has looked at my data"),
        gettext_noop("Claimed open results"),
        gettext_noop("Device token issued"),
        gettext_noop("Device token revoked"),
        gettext_noop("Device tokens"),
        gettext_noop("Doctor home: my patients"),
        gettext_noop("Failed login"),
        gettext_noop("First-login password issued"),
        gettext_noop("First-login sheet"),
        gettext_noop("Messages with citizen"),
        gettext_noop("Logged in"),
        gettext_noop("Message inbox: patients of my teams"),
        gettext_noop("Message to citizen"),
        gettext_noop("Monitoring paused"),
        gettext_noop("Monitoring resumed"),
        gettext_noop("Organisation settings changed"),
        gettext_noop("Note added"),
        gettext_noop("Note marked done"),
        gettext_noop("Patient page: charts"),
        gettext_noop("Patient page: contact details"),
        gettext_noop("Contact details changed"),
        gettext_noop("Patient page: schedules"),
        gettext_noop("Schedule changed"),
        gettext_noop("Monitoring ended"),
        gettext_noop("Patient page: end monitoring"),
        gettext_noop("Patient page: full CPR number shown"),
        gettext_noop("Patient page: measurements exported as CSV"),
        gettext_noop("Patient page: measurements"),
        gettext_noop("Patient page: notes"),
        gettext_noop("Patient page: questionnaire answers"),
        gettext_noop("Patient page: result history"),
        gettext_noop("Patient page: thresholds"),
        gettext_noop("Reminders: policy changed"),
        gettext_noop("Referral"),
        gettext_noop("Referral (accept refused)"),
        gettext_noop("Referral (reject refused)"),
        gettext_noop("Referral accepted"),
        gettext_noop("Referral accepted: monitoring started"),
        gettext_noop("Referral rejected"),
        gettext_noop("Referral sent"),
        gettext_noop("Referrals list"),
        gettext_noop("Released the claim"),
        gettext_noop("Result acknowledged"),
        gettext_noop("Results against the thresholds"),
        gettext_noop("Thresholds changed"),
        gettext_noop("Threshold template saved"),
        gettext_noop("Schedule template created"),
        gettext_noop("Schedule template changed"),
        gettext_noop("Schedule template retired"),
        gettext_noop("Took over the claim on open results"),
        gettext_noop("Triage list row"),
        gettext_noop("Triage list: open results"),
    ]
}

# Descriptions with details: the pattern of the stored text, and its message.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), message)
    for pattern, message in [
        (
            r"Access granted to (?P<name>.+)",
            gettext_noop("Access granted to %(name)s"),
        ),
        (
            r"Access withdrawn from (?P<name>.+)",
            gettext_noop("Access withdrawn from %(name)s"),
        ),
        (r"Acknowledged result (?P<id>\d+)", gettext_noop("Acknowledged result %(id)s")),
        (
            r"Undid acknowledgement of result (?P<id>\d+)",
            gettext_noop("Undid the acknowledgement of result %(id)s"),
        ),
        (
            r"Alarm handling: outcome (?P<code>\S+) added",
            gettext_noop("Alarm handling: outcome %(code)s added"),
        ),
        (
            r"Alarm handling: outcome (?P<code>\S+) changed",
            gettext_noop("Alarm handling: outcome %(code)s changed"),
        ),
        (r"Care ended: (?P<state>.+)", gettext_noop("Care ended: %(state)s")),
        # The questionnaire library (monitoring/questionnaire_editor.py).
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) created",
            gettext_noop("Questionnaire %(code)s v%(version)s created"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) details changed",
            gettext_noop("Questionnaire %(code)s v%(version)s: title or score changed"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+): question (?P<link>\S+) added",
            gettext_noop("Questionnaire %(code)s v%(version)s: question %(link)s added"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+): question (?P<link>\S+) changed",
            gettext_noop("Questionnaire %(code)s v%(version)s: question %(link)s changed"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+): question (?P<link>\S+) removed",
            gettext_noop("Questionnaire %(code)s v%(version)s: question %(link)s removed"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+): question (?P<link>\S+) moved",
            gettext_noop("Questionnaire %(code)s v%(version)s: question %(link)s moved"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) published \(v(?P<old>\d+) retired\)",
            gettext_noop("Questionnaire %(code)s v%(version)s published (v%(old)s retired)"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) published",
            gettext_noop("Questionnaire %(code)s v%(version)s published"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) retired",
            gettext_noop("Questionnaire %(code)s v%(version)s retired"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) drafted from v(?P<old>\d+)",
            gettext_noop("Questionnaire %(code)s v%(version)s drafted from v%(old)s"),
        ),
        (
            r"Questionnaire (?P<code>\S+) v(?P<version>\d+) draft discarded",
            gettext_noop("Questionnaire %(code)s v%(version)s: draft discarded"),
        ),
        (
            r"Device upload of (?P<n>\d+) measurements \((?P<device>.*)\)",
            gettext_noop("Device upload of %(n)s measurements (%(device)s)"),
        ),
        (
            r"Ended patients list \((?P<n>\d+) patients shown\)",
            gettext_noop("Ended patients list (%(n)s patients shown)"),
        ),
        (
            r"Escalation list \((?P<n>\d+) patients shown\)",
            gettext_noop("Escalation list (%(n)s patients shown)"),
        ),
        (
            r"Patient search \((?P<n>\d+) patients shown(?:: (?P<ids>[\d,]+))?\)",
            gettext_noop("Patient search (%(n)s patients shown)"),
        ),
        (
            r"Shift handover \((?P<n>\d+) patients shown\)",
            gettext_noop("Shift handover (%(n)s patients shown)"),
        ),
        (
            r"Triage list \((?P<n>\d+) patients shown\)",
            gettext_noop("Triage list (%(n)s patients shown)"),
        ),
        (
            r"FHIR transaction by (?P<system>.+)",
            gettext_noop("FHIR transaction by %(system)s"),
        ),
        (
            r"FHIR (?P<what>Patient read|Patient search|Observation search"
            r"|QuestionnaireResponse search) by (?P<system>.+)",
            gettext_noop("FHIR %(what)s by %(system)s"),
        ),
        (
            r"Ignore form for (?P<kind>measurement|result) (?P<id>\d+)(?: \(refused: no reason\))?",
            gettext_noop("Ignore form for %(kind)s %(id)s"),
        ),
        (
            r"Ignored (?P<kind>measurement|result) (?P<id>\d+) \((?P<reason>\w+)\)",
            gettext_noop("Ignored %(kind)s %(id)s (%(reason)s)"),
        ),
        (
            r"Undid ignoring (?P<kind>measurement|result) (?P<id>\d+)",
            gettext_noop("Counted %(kind)s %(id)s again"),
        ),
        (
            r"Failed login for (?P<user>\S+); locked for (?P<n>\d+) minutes",
            gettext_noop("Failed login for %(user)s; locked for %(n)s minutes"),
        ),
        (r"Failed login for (?P<user>\S+)", gettext_noop("Failed login for %(user)s")),
        (
            r"Login refused: account (?P<user>\S+) is locked",
            gettext_noop("Login refused: account %(user)s is locked"),
        ),
        (r"admin: (?P<what>.+)", gettext_noop("Django admin: %(what)s")),
    ]
]


def _words() -> dict[str, str]:
    """Details that are words themselves (a kind, a reason, an API verb), translated."""
    from monitoring.models import IgnoreReason

    words = {
        "measurement": _("measurement"),
        "result": _("result"),
        "Patient read": _("patient read"),
        "Patient search": _("patient search"),
        "Observation search": _("observation search"),
        "QuestionnaireResponse search": _("questionnaire response search"),
    }
    words.update({value: str(label) for value, label in IgnoreReason.choices})
    return words


def describe(what: str) -> str:
    """The stored description in the active language (as stored when it is not known)."""
    if what in FIXED:
        return _(what)
    for pattern, message in PATTERNS:
        match = pattern.fullmatch(what)
        if match:
            words = _words()
            values = {key: words.get(value, value) for key, value in match.groupdict().items()}
            return _(message) % values
    return what


def is_known(what: str) -> bool:
    return what in FIXED or any(pattern.fullmatch(what) for pattern, _msg in PATTERNS)


def role_label(role: str) -> str:
    """The role code stored with an event, as a word in the active language."""
    labels = {value: str(label) for value, label in ClinicianProfile.Role.choices}
    labels.update({"citizen": _("Citizen"), "staff": _("Operator")})
    return labels.get(role, role)
