"""Writes of the alarm domain, one module per concern; import them from here.

- ``readings``: store measurements and submissions and evaluate them in the same transaction
- ``triage``: the per-patient triage summary and the patient lock every result change takes
- ``acknowledgement``: acknowledge one result or all green ones, undo within five minutes
- ``missing_data``: missing-data alarms after a schedule's grace window
- ``claims``: "I'm on it" — one nurse's claim on a patient's open results, seen by the team
- ``escalation``: unacknowledged reds escalated and delivered exactly once
"""

from alarms.services.acknowledgement import (
    UNDO_WINDOW,
    AcknowledgementError,
    result_acknowledge,
    result_acknowledge_undo,
    results_acknowledge_green,
)
from alarms.services.claims import (
    ClaimError,
    claim_release,
    claim_take,
    claims_in_force,
)
from alarms.services.escalation import (
    ESCALATION_MAX_ATTEMPTS,
    escalation_deliver,
    escalations_due,
    escalations_raise,
    escalations_reclaim,
    escalations_run,
)
from alarms.services.missing_data import MISSING_LOOKBACK, missing_data_raise
from alarms.services.readings import (
    AnswerInput,
    Reading,
    ReadingError,
    RecordedBatch,
    ThresholdTimeline,
    evaluate_readings,
    limits_of,
    measurements_record,
    rule_of,
    snapshot_with_set,
    submission_record,
    type_info,
)
from alarms.services.triage import lock_patients, triage_refresh

__all__ = [
    "ESCALATION_MAX_ATTEMPTS",
    "MISSING_LOOKBACK",
    "UNDO_WINDOW",
    "AcknowledgementError",
    "AnswerInput",
    "ClaimError",
    "Reading",
    "ReadingError",
    "RecordedBatch",
    "ThresholdTimeline",
    "claim_release",
    "claim_take",
    "claims_in_force",
    "escalation_deliver",
    "escalations_due",
    "escalations_raise",
    "escalations_reclaim",
    "escalations_run",
    "evaluate_readings",
    "limits_of",
    "lock_patients",
    "measurements_record",
    "missing_data_raise",
    "result_acknowledge",
    "result_acknowledge_undo",
    "results_acknowledge_green",
    "rule_of",
    "snapshot_with_set",
    "submission_record",
    "triage_refresh",
    "type_info",
]
