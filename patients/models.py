"""Organisations, teams, clinicians, patients and referrals.

The Danish model: a doctor (GP or hospital department) refers a citizen with COPD to the
municipality (henvisning) and keeps treatment responsibility (behandlingsansvar); a municipal
team holds the monitoring responsibility (monitoreringsansvar).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from patients import cpr

# A clinician's session ends after this many idle minutes (telemed/sessions.py); the
# organisation admin chooses within the limits.
SESSION_TIMEOUT_DEFAULT = 30
SESSION_TIMEOUT_LIMITS = (5, 480)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        HOSPITAL_DEPARTMENT = "hospital_department", _("Hospital department")
        GP_CLINIC = "gp_clinic", _("GP clinic")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    sor_code = models.CharField(
        _("SOR code"),
        max_length=20,
        unique=True,
        help_text=_("Sundhedsvæsenets Organisationsregister identifier."),
    )
    escalation_minutes = models.PositiveIntegerField(
        _("escalate unacknowledged red alarms after (minutes)"), default=120
    )
    second_escalation_minutes = models.PositiveIntegerField(
        _("then escalate to the second tier after a further (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: no second tier."),
    )
    second_escalation_team = models.ForeignKey(
        "patients.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second tier recipients"),
        help_text=_("A team whose members are told, such as the on-call doctors."),
    )
    claim_minutes = models.PositiveIntegerField(
        _("an “I'm on it” claim lasts (minutes)"), default=60
    )

    class DischargeAccess(models.TextChoices):
        KEEP_VIEW = "keep_view", _("The team and the doctors can still read the record")
        END = "end", _("All access ends; the record is kept")

    discharge_access = models.CharField(
        _("when monitoring ends"),
        max_length=16,
        choices=DischargeAccess.choices,
        default=DischargeAccess.KEEP_VIEW,
        help_text=_("Nobody can act on a patient whose monitoring ended; this decides who reads."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    ydernummer = models.CharField(
        _("provider number (ydernummer)"),
        max_length=7,
        blank=True,
        help_text=_("The GP clinic's number with the regions (6 digits)."),
    )
    # Read by telemed/sessions.py for the organisation's clinicians (not its citizens).
    session_timeout_minutes = models.PositiveIntegerField(
        _("sign clinicians out after (minutes without activity)"),
        default=SESSION_TIMEOUT_DEFAULT,
        validators=[
            MinValueValidator(SESSION_TIMEOUT_LIMITS[0]),
            MaxValueValidator(SESSION_TIMEOUT_LIMITS[1]),
        ],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A monitoring team. Membership is the Django group, so guardian can grant it permissions."""

    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} – {self.name}"


class ClinicianProfile(models.Model):
    class Role(models.TextChoices):
        NURSE = "nurse", _("Nurse")
        DOCTOR = "doctor", _("Doctor")
        ADMIN = "admin", _("Organisation admin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="clinicians",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("Escalations and other e-mails to this person are written in it."),
    )
    authorisation_id = models.CharField(
        _("authorisation ID"),
        max_length=20,
        blank=True,
        help_text=_("Autorisations-ID from the Danish Patient Safety Authority."),
    )

    class Meta:
        verbose_name = _("clinician profile")
        verbose_name_plural = _("clinician profiles")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    @property
    def teams(self) -> models.QuerySet[Team]:
        return Team.objects.filter(group__user=self.user)


class CopdGroup(models.TextChoices):
    """COPD severity groups used to pick a threshold template (KOL-gruppe)."""

    MILD = "mild", _("Mild COPD")
    MODERATE = "moderate", _("Moderate COPD")
    SEVERE = "severe", _("Severe COPD")
    VERY_SEVERE = "very_severe", _("Very severe COPD")


class PatientState(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    DISCHARGED = "discharged", _("Discharged")
    DECEASED = "deceased", _("Deceased")


class PatientQuerySet(models.QuerySet["Patient"]):
    def monitored(self) -> PatientQuerySet:
        return self.filter(state__in=[PatientState.ACTIVE, PatientState.PAUSED])


class Patient(models.Model):
    cpr = models.CharField(_("CPR number"), max_length=10, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Phone numbers are kept as +45 and eight digits (patients.phone normalises what is typed).
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    phone_other = models.CharField(_("other phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("Reminders and other messages to the citizen are written in it."),
    )
    gp_clinic = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gp_patients",
        limit_choices_to={"kind": "gp_clinic"},
        verbose_name=_("GP clinic"),
    )
    hospital_department = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hospital_patients",
        limit_choices_to={"kind": "hospital_department"},
        verbose_name=_("hospital department"),
    )
    copd_group = models.CharField(_("COPD group"), max_length=16, choices=CopdGroup.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=PatientState.choices, default=PatientState.REFERRED
    )
    monitoring_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("monitoring team"),
    )
    treating_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treated_patients",
        verbose_name=_("treating organisation"),
    )
    treating_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treated_patients",
        verbose_name=_("treating doctor"),
    )
    citizen_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        verbose_name=_("citizen login"),
    )
    monitoring_started_on = models.DateField(_("monitoring started"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        permissions = [
            ("view_patient_data", _("Can view the patient's clinical data")),
            ("monitor_patient", _("Can acknowledge and act as monitoring nurse")),
            ("change_thresholds", _("Can change the patient's alarm thresholds")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cpr__regex=r"^[0-9]{10}$"), name="patient_cpr_ten_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["monitoring_team", "state"], name="patient_team_state_idx"),
            models.Index(fields=["treating_doctor", "state"], name="patient_doctor_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.masked_cpr})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_cpr(self) -> str:
        return cpr.mask(self.cpr)

    @property
    def formatted_cpr(self) -> str:
        return cpr.format_cpr(self.cpr)

    @property
    def birth_date(self) -> date:
        return cpr.birth_date(self.cpr)

    def age(self, on: date | None = None) -> int:
        return cpr.age(self.cpr, on or timezone.localdate())


class NextOfKin(models.Model):
    """A relative or other contact the team may call (pårørende)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="next_of_kin")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, help_text=_("e.g. daughter"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    may_contact = models.BooleanField(
        _("may be contacted"),
        default=True,
        help_text=_("The citizen agrees that the team may call this person."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["patient", "position", "pk"]
        verbose_name = _("next of kin")
        verbose_name_plural = _("next of kin")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="nextofkin_has_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class EndReason(models.TextChoices):
    """Why monitoring ended (afslutning af forløb)."""

    FINISHED = "finished", _("Course finished")
    MOVED = "moved", _("Moved away")
    DECLINED = "declined", _("The citizen declined further monitoring")
    HOSPITAL = "hospital", _("Transferred to hospital")
    DECEASED = "deceased", _("Deceased")


class MonitoringEnd(models.Model):
    """The end of a period of monitoring: when, why, by whom, and what it closed. A patient
    referred again later starts anew and keeps these rows (and all data) as history."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="monitoring_ends")
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("monitoring team"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=EndReason.choices)
    note = models.TextField(_("note"), blank=True)
    ended_at = models.DateTimeField(_("ended"), default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ended by"),
    )
    results_closed = models.PositiveIntegerField(_("open results closed"), default=0)
    tokens_revoked = models.PositiveIntegerField(_("upload tokens revoked"), default=0)

    class Meta:
        ordering = ["-ended_at"]
        verbose_name = _("end of monitoring")
        verbose_name_plural = _("ends of monitoring")
        indexes = [models.Index(fields=["team", "-ended_at"], name="monitoringend_team_idx")]

    def __str__(self) -> str:
        return f"{self.patient}: {self.get_reason_display()} {self.ended_at:%Y-%m-%d}"


class PatientPause(models.Model):
    """An interval in which monitoring is paused (no missing-data alarms); it ends by itself."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pauses")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("monitoring pause")
        verbose_name_plural = _("monitoring pauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="pause_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


class Referral(models.Model):
    """A doctor's referral of a citizen to municipal COPD telemonitoring (henvisning)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cpr = models.CharField(_("CPR number"), max_length=10)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    copd_group = models.CharField(_("COPD group"), max_length=16, choices=CopdGroup.choices)
    diagnosis_code = models.CharField(
        _("diagnosis (SKS)"), max_length=10, default="DJ449", help_text=_("e.g. DJ449 KOL")
    )
    note = models.TextField(_("note"), blank=True)
    referring_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring doctor"),
    )
    referring_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring organisation"),
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("receiving municipality"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_decided",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(cpr__regex=r"^[0-9]{10}$"), name="referral_cpr_ten_digits"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="referral_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_organisation", "status"], name="referral_inbox_idx")
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}"
        return f"{name} ({cpr.mask(self.cpr)}) – {self.get_status_display()}"

    @property
    def masked_cpr(self) -> str:
        return cpr.mask(self.cpr)

    @property
    def formatted_cpr(self) -> str:
        return cpr.format_cpr(self.cpr)


class CareAccess(models.Model):
    """Who was given access to a patient's data, by whom, since when and why: the history
    behind the guardian permission rows (which decide access). One row per monitoring team,
    treating doctor or individually granted clinician; ``ended_at`` is set when it ends.
    The citizen reads these in "who has access to my data"."""

    class Kind(models.TextChoices):
        MONITORING_TEAM = "team", _("Monitoring team")
        TREATING_DOCTOR = "doctor", _("Treating doctor")
        INDIVIDUAL = "individual", _("Individual access")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_access")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinician"),
    )
    permissions = models.CharField(_("permissions"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("care access")
        verbose_name_plural = _("care access")
        indexes = [models.Index(fields=["patient", "ended_at"], name="careaccess_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="team", team__isnull=False, user__isnull=True))
                | (Q(kind__in=["doctor", "individual"], team__isnull=True, user__isnull=False)),
                name="careaccess_team_or_user",
            ),
            models.CheckConstraint(
                condition=~Q(kind="individual") | ~Q(reason=""),
                name="careaccess_individual_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.get_kind_display()} {self.team or self.user}"


# Direct foreign-key object permissions (guardian): list queries join one small table instead of
# the generic (content_type, object_pk text) one.
class PatientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)


class PatientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)
