"""Issue an API token from the command line (development, scripts, a region's system).

    manage.py issue_device_token --patient 1234 --name "Tablet"          # a device, one patient
    manage.py issue_device_token --cpr 0101401234 --name "Tablet"
    manage.py issue_device_token --organisation 123456789012345 --name "Collection point"
    manage.py issue_device_token --kind system --organisation <SOR> --name "Region EPJ"
    manage.py issue_device_token --kind system --organisation <SOR> --name "EPJ" --scope fhir:read

Prints only the token on stdout (the details go to stderr), so scripts can capture it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interop import services
from interop.models import ApiCredential
from patients.models import Organisation, Patient


class Command(BaseCommand):
    help = "Issue a device (or external system) API token scoped to a patient or organisation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--kind", choices=[k.value for k in ApiCredential.Kind], default="device"
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=list(ApiCredential.Scope.values),
            help="What a system token may do (repeat for more; default: all).",
        )
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--patient", type=int, help="Patient id.")
        scope.add_argument("--cpr", help="Patient CPR number.")
        scope.add_argument("--organisation", help="Organisation SOR code (all its patients).")

    def handle(self, *args: Any, **options: Any) -> None:
        patient = organisation = None
        if options["patient"] is not None:
            patient = Patient.objects.filter(pk=options["patient"]).first()
        elif options["cpr"]:
            patient = Patient.objects.filter(cpr=options["cpr"].replace("-", "")).first()
        else:
            organisation = Organisation.objects.filter(sor_code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with SOR code {options['organisation']}.")
        if patient is None and organisation is None:
            raise CommandError("No such patient.")
        credential, token = services.credential_issue(
            kind=options["kind"],
            name=options["name"],
            patient=patient,
            organisation=organisation,
            scopes=options["scope"],
        )
        scope = f"patient {patient.pk}" if patient else f"organisation {organisation}"
        self.stderr.write(f"Issued {credential.get_kind_display()} token {credential} for {scope}.")
        self.stdout.write(token)
