"""Measurement types, measurements, questionnaires, schedules and submissions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from monitoring import schedules
from monitoring.severity import Severity
from patients.models import CopdGroup, Organisation, Patient


def in_language(danish: str, english: str) -> str:
    """A bilingual text in the active language; English falls back to Danish when missing."""
    if (get_language() or "da").startswith("en") and english:
        return english
    return danish


def fallback_language(english: str) -> str:
    """ "da" when an English page shows the Danish text (no English yet), for a ``lang``
    attribute that marks it; empty otherwise."""
    return "da" if (get_language() or "da").startswith("en") and not english else ""


class MeasurementType(models.Model):
    """A kind of measurement, with its national code (NPU/MCS/DNK), IEEE code and UCUM unit.

    ``plausible_min``/``plausible_max`` are physical limits: a value outside is refused as a
    typing or device error (SpO2 120 %), never stored.
    """

    class CodeSystem(models.TextChoices):
        NPU = "NPU", "NPU (urn:oid:1.2.208.176.2.1)"
        MCS = "MCS", "MedCom (urn:oid:1.2.208.184.100.8)"
        DNK = "DNK", "DNK local NPU (urn:oid:1.2.208.176.2.1)"

    code = models.CharField(_("code"), max_length=20, unique=True)
    code_system = models.CharField(_("code system"), max_length=8, choices=CodeSystem.choices)
    ieee_code = models.CharField(_("IEEE 11073 code"), max_length=40, blank=True)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    unit = models.CharField(_("UCUM unit"), max_length=20)
    display_unit_da = models.CharField(_("unit shown (Danish)"), max_length=20)
    display_unit_en = models.CharField(_("unit shown (English)"), max_length=20, blank=True)
    name_da = models.CharField(_("name (Danish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    short_name_da = models.CharField(_("short name (Danish)"), max_length=20)
    short_name_en = models.CharField(_("short name (English)"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    plausible_min = models.DecimalField(_("lowest plausible"), max_digits=9, decimal_places=3)
    plausible_max = models.DecimalField(_("highest plausible"), max_digits=9, decimal_places=3)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("measurement type")
        verbose_name_plural = _("measurement types")
        constraints = [
            models.CheckConstraint(
                condition=Q(plausible_min__lt=F("plausible_max")),
                name="measurementtype_plausible_range_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_da, self.name_en)

    @property
    def short_name(self) -> str:
        """ "Puls" / "Pulse": in the active language (English falls back to Danish)."""
        if (get_language() or "da").startswith("en") and self.short_name_en:
            return self.short_name_en
        return self.short_name_da

    @property
    def display_unit(self) -> str:
        """ "slag/min" / "beats/min": the unit as people read it, in the active language."""
        if (get_language() or "da").startswith("en") and self.display_unit_en:
            return self.display_unit_en
        return self.display_unit_da

    def is_plausible(self, value: Decimal) -> bool:
        return self.plausible_min <= value <= self.plausible_max


class Source(models.TextChoices):
    TYPED = "typed", _("Typed by citizen")
    DEVICE = "device", _("Device")
    CLINIC = "clinic", _("Clinic")


class Questionnaire(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    score_type = models.ForeignKey(
        MeasurementType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("score stored as"),
        help_text=_("When set, the sum of the option scores is stored as this measurement."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version"),
            # One published version of each questionnaire at a time.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="published"),
                name="questionnaire_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def title(self) -> str:
        return in_language(self.title_da, self.title_en)

    @property
    def title_lang(self) -> str:
        return fallback_language(self.title_en)


class QuestionnaireItem(models.Model):
    class Kind(models.TextChoices):
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Single choice")
        NUMBER = "number", _("Number")
        MEASUREMENT = "measurement", _("Measurement")
        TEXT = "text", _("Free text")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    link_id = models.SlugField(_("link id"), max_length=40, help_text=_("Stable id (FHIR linkId)."))
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text_da = models.CharField(_("question (Danish)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500)
    help_da = models.CharField(_("help (Danish)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    measurement_types = models.ManyToManyField(
        MeasurementType,
        blank=True,
        related_name="questionnaire_items",
        verbose_name=_("measurements asked for"),
    )
    number_min = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    number_max = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    enable_when_item = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Ask only when this item was answered with the option below."),
    )
    enable_when_option_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "link_id"], name="questionnaireitem_unique_link_id"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="questionnaireitem_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(number_min__isnull=True)
                | Q(number_max__isnull=True)
                | Q(number_min__lt=F("number_max")),
                name="questionnaireitem_number_range_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def text(self) -> str:
        return in_language(self.text_da, self.text_en)

    @property
    def text_lang(self) -> str:
        return fallback_language(self.text_en)


class ItemOption(models.Model):
    """An answer option with the severity it signals and, for scored questionnaires, its score."""

    item = models.ForeignKey(QuestionnaireItem, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    text_da = models.CharField(_("text (Danish)"), max_length=200)
    text_en = models.CharField(_("text (English)"), max_length=200)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GREEN
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="itemoption_unique_code"),
            models.CheckConstraint(
                condition=Q(severity__in=["green", "yellow", "red"]),
                name="itemoption_severity_not_missing",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_language(self.text_da, self.text_en)

    @property
    def text_lang(self) -> str:
        return fallback_language(self.text_en)


class ScheduleQuerySet(models.QuerySet["Schedule"]):
    def current(self) -> ScheduleQuerySet:
        """The version in force now and from now on: not stopped, not replaced."""
        return self.filter(active=True, valid_until__isnull=True)

    def in_force(self, since: datetime) -> ScheduleQuerySet:
        """Versions in force at some moment after ``since``: the current ones and those
        replaced or stopped since then (their occasions before that still count)."""
        return self.filter(active=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=since)
        )


class Schedule(models.Model):
    """When a patient should answer a questionnaire, in Europe/Copenhagen local time.

    The maths lives in monitoring/schedules.py (pure, DST-safe); this row holds the rule.

    Each row is one version: a change ends the version in force (``valid_until``) and starts a
    new one (``valid_from``, ``replaces``) at the same moment, with who changed it and why, so
    the occasions before the change keep the old rule and those after follow the new one.
    Stopping (at discharge) ends the current version without a successor.
    """

    class Kind(models.TextChoices):
        WEEKDAYS = "weekdays", _("On weekdays at times")
        EVERY_N_DAYS = "every_n_days", _("Every n days")
        ONCE = "once", _("Once")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="schedules")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="schedules"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        help_text=_("ISO weekdays, 1 = Monday … 7 = Sunday."),
    )
    times = ArrayField(models.TimeField(), default=list, blank=True)
    interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    once_at = models.DateTimeField(null=True, blank=True)
    starts_on = models.DateField(_("starts"), default=timezone.localdate)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    grace_minutes = models.PositiveIntegerField(_("grace window (minutes)"), default=180)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Empty for the first version: in force from ``starts_on``.
    valid_from = models.DateTimeField(_("in force from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("in force until"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    change_reason = models.CharField(_("reason for the change"), max_length=255, blank=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        indexes = [
            models.Index(
                fields=["patient"],
                condition=Q(active=True, valid_until__isnull=True),
                name="schedule_current_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "questionnaire"],
                condition=Q(active=True, valid_until__isnull=True),
                name="schedule_one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="schedule_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=~Q(kind="every_n_days") | Q(interval_days__gte=1),
                name="schedule_every_n_days_has_interval",
            ),
            models.CheckConstraint(
                condition=~Q(kind="once") | Q(once_at__isnull=False),
                name="schedule_once_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(kind="weekdays") | Q(weekdays__len__gte=1, times__len__gte=1),
                name="schedule_weekdays_has_days_and_times",
            ),
            models.CheckConstraint(
                condition=~Q(kind="every_n_days") | Q(times__len__gte=1),
                name="schedule_every_n_days_has_times",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]),
                name="schedule_weekdays_are_iso_days",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="schedule_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} – {self.get_kind_display()}"

    def rule(self) -> schedules.Rule:
        """This schedule as a pure monitoring.schedules rule; ValueError when incomplete."""
        return schedules.Rule(
            kind=self.kind,
            starts_on=self.starts_on,
            times=tuple(self.times),
            weekdays=frozenset(self.weekdays),
            interval_days=self.interval_days,
            once_at=self.once_at,
            ends_on=self.ends_on,
            grace=timedelta(minutes=self.grace_minutes),
            effective_from=self.valid_from,
            effective_until=self.valid_until,
        )


class Submission(models.Model):
    """A citizen's answered questionnaire (FHIR QuestionnaireResponse)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="submissions")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="submissions"
    )
    schedule = models.ForeignKey(
        Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("answered"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    client_uuid = models.UUIDField(default=uuid.uuid4)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["client_uuid"], name="submission_unique_client_uuid")
        ]
        indexes = [
            models.Index(
                fields=["patient", "questionnaire", "-submitted_at"],
                name="submission_patient_recent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} – {self.patient} – {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        ItemOption, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    value_number = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    value_text = models.TextField(blank=True)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GREEN
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "item"], name="answer_one_per_item")
        ]

    def __str__(self) -> str:
        if self.option_id:
            return str(self.option)
        if self.value_number is not None:
            return str(self.value_number)
        return self.value_text


class IgnoreReason(models.TextChoices):
    """Why a clinician set a measurement or a result aside (kept, shown struck through)."""

    MEASUREMENT_ERROR = "measurement_error", _("Measurement error")
    DUPLICATE = "duplicate", _("Duplicate")
    DEVICE_FAULT = "device_fault", _("Device fault")


class Ignorable(models.Model):
    """Set aside by a clinician (a measurement error, a duplicate, a device fault): kept and
    shown struck through with the reason, left out of alarm colours and of the baselines of
    relative rules. Undoing clears all three fields."""

    ignored_at = models.DateTimeField(_("ignored"), null=True, blank=True)
    ignored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ignored by"),
    )
    ignore_reason = models.CharField(
        _("reason for ignoring"), max_length=20, choices=IgnoreReason.choices, blank=True
    )

    class Meta:
        abstract = True

    @staticmethod
    def constraint(name: str) -> models.CheckConstraint:
        """All three fields set, or none (each model names its own constraint)."""
        return models.CheckConstraint(
            condition=Q(ignored_at__isnull=True, ignore_reason="")
            | Q(ignored_at__isnull=False, ignored_by__isnull=False, ignore_reason__gt=""),
            name=name,
        )


class Measurement(Ignorable):
    """One value of one type, typed by the citizen, sent by a device or entered in the clinic.

    ``client_uuid`` makes uploads idempotent: a device retrying a batch sends the same UUIDs and
    each is stored once per source. ``severity`` is the evaluation result, copied here in the
    storing transaction (the full result with reasons and thresholds is alarms.TriageResult).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    type = models.ForeignKey(MeasurementType, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    measured_at = models.DateTimeField(_("measured"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    client_uuid = models.UUIDField(default=uuid.uuid4)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["-measured_at"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "client_uuid"], name="measurement_unique_client_uuid_per_source"
            ),
            Ignorable.constraint("measurement_ignored_with_reason"),
        ]
        indexes = [
            # Latest value per patient and type, and chart series for a range.
            models.Index(fields=["patient", "type", "-measured_at"], name="measurement_latest_idx"),
            models.Index(fields=["patient", "-measured_at"], name="measurement_patient_recent_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.type.short_name} {self.value} {self.unit} ({self.measured_at:%Y-%m-%d %H:%M})"
        )


class Message(models.Model):
    """A message in the one thread between a patient and their monitoring team.

    Read state is kept per side: ``read_by_citizen_at`` for messages from the team,
    ``read_by_team_at`` for messages from the citizen. An unread citizen message
    (``sender_is_citizen=True, read_by_team_at IS NULL``) brings the patient into the nurses'
    triage list; a partial index keeps that look-up cheap.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    # Snapshot: the thread must read the same after a nurse changes name or leaves.
    sender_display = models.CharField(_("from"), max_length=200, blank=True)
    sender_is_citizen = models.BooleanField(_("from the citizen"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_by_citizen_at = models.DateTimeField(_("read by the citizen"), null=True, blank=True)
    read_by_team_at = models.DateTimeField(_("read by the team"), null=True, blank=True)
    read_by_team_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="message_thread_idx"),
            models.Index(
                fields=["patient"],
                condition=Q(sender_is_citizen=True, read_by_team_at__isnull=True),
                name="message_unread_by_team_idx",
            ),
            models.Index(
                fields=["patient"],
                condition=Q(sender_is_citizen=False, read_by_citizen_at__isnull=True),
                name="message_unread_by_citizen_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.created_at:%Y-%m-%d %H:%M} {self.sender_display}"


class ScheduleTemplate(models.Model):
    """A schedule an organisation offers when a referral is accepted (skemaskabelon): which
    questionnaire, on which weekdays at which times, with which grace window, and for which
    COPD groups it is suggested.

    The questionnaire is named by its code, not by a version: publishing a new version retires
    the old one, and the template picks up the version published when a referral is accepted,
    with no edit to the template. Accepting makes an ordinary Schedule per template
    (``alarms.referrals.referral_accept``); later changes to the template never touch those.
    A template is retired rather than deleted (``active``).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="schedule_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    questionnaire_code = models.SlugField(_("questionnaire"), max_length=40)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("weekdays"),
        default=list,
        help_text=_("ISO weekdays, 1 = Monday … 7 = Sunday."),
    )
    times = ArrayField(models.TimeField(), verbose_name=_("times of day"), default=list)
    grace_minutes = models.PositiveIntegerField(_("grace window (minutes)"), default=180)
    copd_groups = ArrayField(
        models.CharField(max_length=16, choices=CopdGroup.choices),
        verbose_name=_("suggested for COPD groups"),
        default=list,
        blank=True,
        help_text=_("Empty: suggested for every group."),
    )
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["-active", "name", "pk"]
        verbose_name = _("schedule template")
        verbose_name_plural = _("schedule templates")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(active=True),
                name="scheduletemplate_name_unique_while_offered",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__len__gte=1, times__len__gte=1),
                name="scheduletemplate_has_days_and_times",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]),
                name="scheduletemplate_weekdays_are_iso_days",
            ),
            models.CheckConstraint(
                condition=Q(grace_minutes__gte=1), name="scheduletemplate_grace_at_least_a_minute"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, copd_group: str) -> bool:
        """Suggested for a referral of this COPD group (no groups: for every group)."""
        return not self.copd_groups or copd_group in self.copd_groups
