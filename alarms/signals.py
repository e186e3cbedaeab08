"""Signals sent inside the storing transaction, for higher layers (interop's outbox).

Receivers run synchronously in the same database transaction as the write, so a row they
insert (an outbox entry) commits or rolls back together with the data it describes.
"""

from django.dispatch import Signal

# sender=None; kwargs: patient_id, measurement_ids (standalone and embedded), submission_id
# (or None), result_ids (the TriageResult rows created).
readings_recorded = Signal()
