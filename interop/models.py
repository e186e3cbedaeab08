"""API credentials, external FHIR destinations and the outbox of data to push to them.

* ``ApiCredential`` — a bearer token for a home collection point (device upload) or a named
  external system (FHIR read/write). Only a SHA-256 of the token is stored; the token is shown
  once, when issued. Scoped to one patient or to one organisation's patients; revocable.
* ``FhirDestination`` — an external FHIR server that receives new data (the outbox).
* ``OutboxEntry`` — one resource to push to one destination, written in the transaction that
  stores the data (alarms.signals.readings_recorded), claimed by a worker with a conditional
  update so that it is sent at most once after success.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Organisation, Patient


class ApiCredential(models.Model):
    class Kind(models.TextChoices):
        DEVICE = "device", _("Device or collection point")
        SYSTEM = "system", _("External system (FHIR)")

    class Scope(models.TextChoices):
        """What an external system's token may do (interop.authentication enforces it)."""

        FHIR_READ = "fhir:read", _("Read FHIR (patients, observations, answers)")
        MEASUREMENTS_SUBMIT = "measurements:submit", _("Submit measurements")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The first characters of the token, to tell tokens apart in lists; not secret on their own.
    prefix = models.CharField(_("token starts with"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_credentials",
        verbose_name=_("patient"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_credentials",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    # System credentials only: a device token can do one thing, upload for its patient(s).
    scopes = ArrayField(
        models.CharField(max_length=32, choices=Scope.choices),
        default=list,
        blank=True,
        verbose_name=_("scopes"),
    )
    rotated_at = models.DateTimeField(_("secret changed"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API credential")
        verbose_name_plural = _("API credentials")
        constraints = [
            # Exactly one scope: one patient, or one organisation's patients.
            models.CheckConstraint(
                condition=Q(patient__isnull=False, organisation__isnull=True)
                | Q(patient__isnull=True, organisation__isnull=False),
                name="apicredential_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        """A device token submits measurements and nothing else; a system token what its
        scopes say."""
        if self.kind == self.Kind.DEVICE:
            return scope == self.Scope.MEASUREMENTS_SUBMIT
        return scope in self.scopes

    def get_scopes_display(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


class FhirDestination(models.Model):
    """An external FHIR R4 server that new data is pushed to (as transaction Bundles)."""

    RESOURCE_TYPES = ["Observation", "QuestionnaireResponse", "ClinicalImpression"]

    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("FHIR base URL"), max_length=500)
    bearer_token = models.CharField(
        _("bearer token"), max_length=200, blank=True, help_text=_("Sent as Authorization.")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fhir_destinations",
        verbose_name=_("only patients monitored by"),
        help_text=_("Empty: every patient."),
    )
    resource_types = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        verbose_name=_("resource types"),
        help_text=_("Observation, QuestionnaireResponse, ClinicalImpression; empty: all."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the first failed delivery after a success (or ever), cleared by the next success:
    # the conditional update that sets it decides who e-mails the admins, once per outage.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("FHIR destination")
        verbose_name_plural = _("FHIR destinations")

    def __str__(self) -> str:
        return self.name

    def wants(self, resource_type: str) -> bool:
        return not self.resource_types or resource_type in self.resource_types


class OutboxEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    destination = models.ForeignKey(
        FhirDestination, on_delete=models.CASCADE, related_name="entries"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    resource_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "resource_type", "object_id"],
                name="outboxentry_once_per_destination",
            )
        ]
        indexes = [
            models.Index(
                fields=["destination", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outboxentry_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.destination}: {self.resource_type}/{self.object_id} ({self.status})"
