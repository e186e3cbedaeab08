"""Alarm thresholds and triage results.

Thresholds are versioned: each edit creates a new ThresholdSet for the patient with who, when and
why, and the older set stays. A result keeps a snapshot of the limits it was judged by, so later
edits never rewrite history (DESIGN.md, "Rules that matter").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from monitoring.models import Ignorable, MeasurementType, Schedule, Submission
from monitoring.models import Measurement as MeasurementModel
from monitoring.severity import Severity
from patients.models import CopdGroup, Organisation, Patient, Referral


class ThresholdSet(models.Model):
    """A complete set of limits: a COPD-group template, a referral's proposal, or a patient's.

    Rows are never edited once in use; a change is a new version with ``reason``.
    """

    class Kind(models.TextChoices):
        TEMPLATE = "template", _("COPD-group template")
        REFERRAL = "referral", _("Referral")
        PATIENT = "patient", _("Patient")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="threshold_sets"
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="threshold_set"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threshold_templates",
        help_text=_("The organisation that keeps this template."),
    )
    copd_group = models.CharField(
        _("COPD group"), max_length=16, choices=CopdGroup.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateTimeField(_("in force from"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason for change"), max_length=500, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("threshold set")
        verbose_name_plural = _("threshold sets")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="patient", patient__isnull=False, referral__isnull=True)
                    | Q(kind="referral", referral__isnull=False, patient__isnull=True)
                    | Q(
                        kind="template",
                        organisation__isnull=False,
                        patient__isnull=True,
                        referral__isnull=True,
                    )
                    & ~Q(copd_group="")
                ),
                name="thresholdset_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["patient", "version"],
                condition=Q(kind="patient"),
                name="thresholdset_patient_version",
            ),
            models.UniqueConstraint(
                fields=["organisation", "copd_group", "version"],
                condition=Q(kind="template"),
                name="thresholdset_template_version",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-valid_from"], name="thresholdset_in_force_idx")
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.PATIENT:
            return f"{self.patient} v{self.version}"
        if self.kind == self.Kind.TEMPLATE:
            return f"{self.name or self.get_copd_group_display()} v{self.version}"
        return f"{self.referral}"


class Threshold(models.Model):
    """Absolute limits for one measurement type. Any limit may be empty.

    Order enforced by the database: red_low <= yellow_low < yellow_high <= red_high, for the
    limits that are set.
    """

    threshold_set = models.ForeignKey(
        ThresholdSet, on_delete=models.CASCADE, related_name="thresholds"
    )
    type = models.ForeignKey(MeasurementType, on_delete=models.PROTECT, related_name="+")
    red_low = models.DecimalField(
        _("red below"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    yellow_low = models.DecimalField(
        _("yellow below"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    yellow_high = models.DecimalField(
        _("yellow above"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    red_high = models.DecimalField(
        _("red above"), max_digits=9, decimal_places=3, null=True, blank=True
    )

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["threshold_set", "type"], name="threshold_one_per_type"
            ),
            models.CheckConstraint(
                condition=Q(red_low__isnull=True)
                | Q(yellow_low__isnull=True)
                | Q(red_low__lte=F("yellow_low")),
                name="threshold_red_low_lte_yellow_low",
            ),
            models.CheckConstraint(
                condition=Q(yellow_low__isnull=True)
                | Q(yellow_high__isnull=True)
                | Q(yellow_low__lt=F("yellow_high")),
                name="threshold_yellow_low_lt_yellow_high",
            ),
            models.CheckConstraint(
                condition=Q(yellow_high__isnull=True)
                | Q(red_high__isnull=True)
                | Q(yellow_high__lte=F("red_high")),
                name="threshold_yellow_high_lte_red_high",
            ),
            # Without the yellow limits in between, the red limits must still be ordered.
            models.CheckConstraint(
                condition=Q(red_low__isnull=True)
                | Q(red_high__isnull=True)
                | Q(red_low__lt=F("red_high")),
                name="threshold_red_low_lt_red_high",
            ),
            models.CheckConstraint(
                condition=Q(red_low__isnull=True)
                | Q(yellow_high__isnull=True)
                | Q(red_low__lt=F("yellow_high")),
                name="threshold_red_low_lt_yellow_high",
            ),
            models.CheckConstraint(
                condition=Q(yellow_low__isnull=True)
                | Q(red_high__isnull=True)
                | Q(yellow_low__lt=F("red_high")),
                name="threshold_yellow_low_lt_red_high",
            ),
        ]

    def __str__(self) -> str:
        limits = (self.red_low, self.yellow_low, self.yellow_high, self.red_high)
        shown = " / ".join("–" if value is None else str(value) for value in limits)
        return f"{self.type.short_name}: {shown}"


class RelativeRule(models.Model):
    """Change against the patient's own baseline, e.g. weight +2 kg within 3 days = red."""

    class Direction(models.TextChoices):
        RISE = "rise", _("Rise")
        FALL = "fall", _("Fall")

    class Baseline(models.TextChoices):
        LOWEST = "lowest", _("Lowest value in the window")
        HIGHEST = "highest", _("Highest value in the window")
        MEDIAN = "median", _("Median of the window")

    threshold_set = models.ForeignKey(
        ThresholdSet, on_delete=models.CASCADE, related_name="relative_rules"
    )
    type = models.ForeignKey(MeasurementType, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    amount = models.DecimalField(_("change of at least"), max_digits=9, decimal_places=3)
    window_days = models.PositiveSmallIntegerField(_("within (days)"))
    baseline = models.CharField(_("baseline"), max_length=8, choices=Baseline.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)

    class Meta:
        verbose_name = _("relative rule")
        verbose_name_plural = _("relative rules")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="relativerule_amount_positive"),
            models.CheckConstraint(
                condition=Q(window_days__gte=1), name="relativerule_window_at_least_a_day"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["yellow", "red"]), name="relativerule_severity_alarm"
            ),
            models.UniqueConstraint(
                fields=["threshold_set", "type", "direction", "severity"],
                name="relativerule_unique_per_direction_and_severity",
            ),
        ]

    def __str__(self) -> str:
        sign = "+" if self.direction == self.Direction.RISE else "−"
        return (
            f"{self.type.short_name} {sign}{self.amount} / {self.window_days} d → {self.severity}"
        )


class Outcome(models.Model):
    """What was done about an alarm, chosen when it is acknowledged (the team's own list).

    Rows without an organisation are the built-in defaults (a data migration adds them); an
    organisation with rows of its own uses those instead. The kind says whether the alarm led to
    an action, needed none, or was false (measurement error, device fault): the alarm yield of a
    rule is the share of its alarms whose outcome was an action.
    """

    class Kind(models.TextChoices):
        ACTION = "action", _("Action")
        NO_ACTION = "no_action", _("No action")
        FALSE_ALARM = "false_alarm", _("False alarm")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text=_("Empty for the built-in defaults."),
    )
    code = models.SlugField(_("code"), max_length=40)
    label_da = models.CharField(_("label (Danish)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="outcome_code_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organisation__isnull=True),
                name="outcome_default_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the reader's language (English falls back to Danish)."""
        language = translation.get_language() or "da"
        return self.label_da if language.startswith("da") else (self.label_en or self.label_da)


class TriageResult(Ignorable):
    """The evaluated result of a measurement or a submission, or a missing-data alarm.

    Keeps the severity, the reasons in plain words, and a snapshot of the limits used.
    Acknowledgement (kvittering) is recorded on the row; a result set aside (``Ignorable``, e.g. a
    duplicate submission or the result of an ignored measurement) is closed without one.
    """

    class Kind(models.TextChoices):
        MEASUREMENT = "measurement", _("Measurement")
        SUBMISSION = "submission", _("Questionnaire")
        MISSING = "missing", _("Missing data")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="triage_results")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    measurement = models.OneToOneField(
        MeasurementModel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="triage_result",
    )
    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="triage_result"
    )
    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, null=True, blank=True, related_name="missing_alarms"
    )
    due_at = models.DateTimeField(_("was due"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    thresholds_snapshot = models.JSONField(_("limits used"), default=dict, blank=True)
    threshold_set = models.ForeignKey(
        ThresholdSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("outcome"),
    )
    acknowledgement_note = models.TextField(_("note"), blank=True)
    receipt_to_citizen = models.BooleanField(_("receipt sent to citizen"), default=False)
    note_to_citizen = models.BooleanField(_("note shown on the citizen's receipt"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("triage result")
        verbose_name_plural = _("triage results")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="measurement", measurement__isnull=False, submission__isnull=True)
                    | Q(kind="submission", submission__isnull=False, measurement__isnull=True)
                    | Q(
                        kind="missing",
                        schedule__isnull=False,
                        due_at__isnull=False,
                        measurement__isnull=True,
                        submission__isnull=True,
                    )
                ),
                name="triageresult_subject_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="missing") | Q(severity="missing"),
                name="triageresult_missing_kind_has_missing_severity",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="triageresult_acknowledged_by_someone",
            ),
            Ignorable.constraint("triageresult_ignored_with_reason"),
            # Each scheduled occasion raises at most one missing-data alarm, whatever the workers.
            models.UniqueConstraint(
                fields=["schedule", "due_at"],
                condition=Q(kind="missing"),
                name="triageresult_one_missing_alarm_per_occasion",
            ),
        ]
        indexes = [
            # Unacknowledged results per patient (the triage list joins patients of a team).
            models.Index(
                fields=["patient", "created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="triageresult_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.get_kind_display()} – {self.get_severity_display()}"

    @property
    def is_open(self) -> bool:
        """Still waiting for a clinician (the same as ``alarms.summary.OPEN``)."""
        return self.acknowledged_at is None and self.resolved_at is None and self.ignored_at is None


class PatientTriage(models.Model):
    """Per-patient triage summary: what the nurse's list shows, kept in one row per patient.

    Maintained by ``alarms.services.triage_refresh`` inside every transaction that stores,
    acknowledges or resolves a result, so the triage list is one indexed query however much
    history a patient has. ``manage.py triage_check`` proves it matches the source rows.
    "Open" means neither acknowledged nor resolved.
    """

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="triage"
    )
    level = models.CharField(
        _("level"), max_length=8, choices=Severity.choices, default=Severity.GREEN
    )
    level_rank = models.PositiveSmallIntegerField(default=0)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    worst_result = models.ForeignKey(
        TriageResult, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    open_red = models.PositiveIntegerField(default=0)
    open_yellow = models.PositiveIntegerField(default=0)
    open_missing = models.PositiveIntegerField(default=0)
    open_green = models.PositiveIntegerField(default=0)
    latest = models.JSONField(
        default=dict, blank=True, help_text="Latest value per measurement type key."
    )
    last_data_at = models.DateTimeField(_("last data"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("triage summary")
        verbose_name_plural = _("triage summaries")
        indexes = [
            models.Index(F("level_rank").desc(), F("waiting_since").asc(), name="triage_order_idx")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.level}"

    @property
    def open_total(self) -> int:
        return self.open_red + self.open_yellow + self.open_missing + self.open_green


class PatientNote(models.Model):
    """A clinician's note on a patient (notat), optionally with a reminder date.

    A note whose ``remind_on`` has come and that is not ``done_at`` brings the patient back into
    the triage list (the triage list reads ``remind_on <= today`` and ``done_at`` is null).
    """

    class Importance(models.TextChoices):
        NORMAL = "normal", _("Normal")
        IMPORTANT = "important", _("Important")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"))
    importance = models.CharField(
        _("importance"), max_length=16, choices=Importance.choices, default=Importance.NORMAL
    )
    remind_on = models.DateField(_("remind on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patient note")
        verbose_name_plural = _("patient notes")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="patientnote_text_not_empty"),
        ]
        indexes = [
            # Due reminders for the triage list.
            models.Index(
                fields=["remind_on"],
                condition=Q(done_at__isnull=True, remind_on__isnull=False),
                name="patientnote_due_reminder_idx",
            ),
            models.Index(fields=["patient", "-created_at"], name="patientnote_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.text[:40]}"


class Escalation(models.Model):
    """An unacknowledged red result that waited longer than its organisation's limit.

    One row per result and tier, ever (the unique key), so however many workers look, a result
    escalates once per tier: tier 1 tells the patient's monitoring team, tier 2 (after the
    organisation's further delay) its second recipients, such as the on-call doctor. Delivery
    claims the row with a conditional update (pending -> sending), as healthchecks claims its
    flips, so each is told once.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Tier(models.IntegerChoices):
        TEAM = 1, _("Monitoring team")
        SECOND = 2, _("Second tier")

    result = models.ForeignKey(TriageResult, on_delete=models.CASCADE, related_name="escalations")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.TEAM)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="escalations")
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    # When a delivery task was last queued for it: the beat queues one task per escalation and
    # queues again only after a failure or when the task was lost (ESCALATION_RECLAIM_SECONDS).
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    recipients = models.JSONField(_("sent to"), default=list, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["result", "tier"], name="escalation_once_per_tier"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="escalation_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} result {self.result_id} tier {self.tier}: {self.state}"


class Claim(models.Model):
    """ "I'm on it": a nurse handles a patient's open results, and the whole team sees it.

    At most one claim in force per patient (the partial unique key), so two nurses never both
    think they must call. A claim ends when the patient's open results are acknowledged, when
    the nurse releases it, when a colleague takes it over, or when ``expires_at`` passes
    (``Organisation.claim_minutes`` after it was made); an ended claim keeps ``ended_at`` and
    why, for the record.
    """

    class End(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", _("Results acknowledged")
        RELEASED = "released", _("Released")
        TAKEN_OVER = "taken_over", _("Taken over")
        EXPIRED = "expired", _("Expired")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="claims")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end = models.CharField(_("how it ended"), max_length=16, choices=End.choices, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True),
                name="claim_one_in_force_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end="") | Q(ended_at__isnull=False, end__gt=""),
                name="claim_ended_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.patient_id} claimed by {self.claimed_by_id} at {self.claimed_at:%Y-%m-%d %H:%M}"
        )
