"""The measurements. Each returns Figures; a part of the product that is not installed gives a
figure saying "not available" instead of failing the run."""

from __future__ import annotations

import io
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.util import find_spec

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from alarms.models import PatientTriage
from monitoring.models import Measurement, MeasurementType
from patients.models import Patient, Team

BENCH_DEVICE_PREFIX = "bench-"


@dataclass
class Figure:
    name: str
    median: float | None = None
    p95: float | None = None
    unit: str = "ms"
    queries: int | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def unavailable(name: str, why: str, target: str = "") -> Figure:
    return Figure(name=name, unit="", target=target, note=f"not available: {why}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(call: Callable[[], object], *, reps: int, warm: int = 3) -> list[float]:
    for _ in range(warm):
        call()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _client(user) -> Client:
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    return client


def _get_ok(client: Client, path: str, **headers) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return call


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _page_figure(name: str, call, *, reps: int, target_ms: float) -> Figure:
    times = timed(call, reps=reps)
    p95 = percentile(times, 0.95)
    return Figure(
        name=name,
        median=statistics.median(times),
        p95=p95,
        queries=_queries(call),
        target=f"p95 <= {target_ms:g} ms",
        met=p95 <= target_ms,
    )


# 1. Triage list --------------------------------------------------------------------------------


def nurse() -> User:
    return get_user_model().objects.get(username="bench.nurse.01.1")


def triage(*, reps: int) -> list[Figure]:
    user = nurse()
    coordinator = get_user_model().objects.get(username="bench.coordinator")
    team_size = Patient.objects.filter(monitoring_team__group__user=user).count()
    path = reverse("alarms:nurse_home")
    one = _page_figure(
        f"1. triage list, first page ({team_size:,} patients in the team)",
        _get_ok(_client(user), path),
        reps=reps,
        target_ms=150,
    )
    everyone = _page_figure(
        "1b. triage list, coordinator on all teams (all patients)",
        _get_ok(_client(coordinator), path),
        reps=max(5, reps // 2),
        target_ms=150,
    )
    # The target is for a nurse's team; the whole region on one list is shown for scale only.
    everyone.target, everyone.met = "(for scale: no target)", None
    same = one.queries == everyone.queries
    one.note = f"queries {'equal' if same else 'DIFFER'} for 20x the patients ({everyone.queries})"
    one.extra["queries_independent"] = same
    one.target += ", queries independent of size"
    one.met = bool(one.met and same)
    return [one, everyone]


# 2. Patient chart page ------------------------------------------------------------------------


def chart_patient(user: User) -> Patient:
    """The nurse's patient with the most measurement types and a full three years."""
    bp = MeasurementType.objects.get(key="bp_systolic")
    candidates = Patient.objects.filter(
        monitoring_team__group__user=user,
        monitoring_started_on=Patient.objects.filter(monitoring_team__group__user=user)
        .order_by("monitoring_started_on")
        .values("monitoring_started_on")[:1],
    ).order_by("pk")
    for patient in candidates:
        if Measurement.objects.filter(patient=patient, type=bp).exists():
            return patient
    first = candidates.first()
    assert first is not None, "the benchmark nurse has no patients (the data set is built)"
    return first


def chart(*, reps: int) -> list[Figure]:
    target = "p95 <= 150 ms"
    try:
        reverse("patient:detail", args=[1])
    except NoReverseMatch:
        return [unavailable("2. patient chart page, 1 year", "no patient:detail URL", target)]
    user = nurse()
    patient = chart_patient(user)
    since = datetime.now(UTC) - timedelta(days=365)
    points = Measurement.objects.filter(patient=patient, measured_at__gte=since).count()
    kinds = (
        Measurement.objects.filter(patient=patient, measured_at__gte=since)
        .values("type")
        .distinct()
        .count()
    )
    path = reverse("patient:detail", args=[patient.pk]) + "?range=1y"
    client = _client(user)
    page = _page_figure(
        f"2. patient chart page, 1 year ({points:,} values, {kinds} types)",
        _get_ok(client, path),
        reps=reps,
        target_ms=150,
    )
    data = _page_figure(
        "2b. chart data (htmx panel), 1 year",
        _get_ok(client, path, HTTP_HX_REQUEST="true"),
        reps=reps,
        target_ms=150,
    )
    data.note = "the page has no separate JSON endpoint; the htmx panel carries the figures"
    return [page, data]


# Tokens and cleanup -------------------------------------------------------------------------


def device_api_available() -> bool:
    if find_spec("interop") is None or find_spec("interop.services") is None:
        return False
    try:
        reverse("interop:api_measurements")
    except NoReverseMatch:
        return False
    from interop import services

    return hasattr(services, "credential_issue") and hasattr(services, "device_batch_record")


def device_patients(count: int) -> list[Patient]:
    return list(
        Patient.objects.filter(measurements__device_id__startswith="collection-point-")
        .distinct()
        .order_by("pk")[:count]
    )


def issue_tokens(patients: list[Patient]) -> list[str]:
    from interop import services

    return [
        services.credential_issue(kind="device", name="benchmark", patient=patient)[1]
        for patient in patients
    ]


def cleanup() -> int:
    """Remove what the run stored (its measurements, results and tokens) so the data set stays
    the same between runs; refresh the summaries of the patients it touched. The audit log is
    append-only and keeps its rows."""
    from alarms.services import triage_refresh

    stored = Measurement.objects.filter(device_id__startswith=BENCH_DEVICE_PREFIX)
    patient_ids = set(stored.values_list("patient_id", flat=True).distinct())
    count = stored.count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alarms_patienttriage SET worst_result_id = NULL WHERE worst_result_id IN "
            "(SELECT r.id FROM alarms_triageresult r JOIN monitoring_measurement m "
            "ON m.id = r.measurement_id WHERE m.device_id LIKE %s)",
            [BENCH_DEVICE_PREFIX + "%"],
        )
        cursor.execute(
            "DELETE FROM alarms_triageresult WHERE measurement_id IN "
            "(SELECT id FROM monitoring_measurement WHERE device_id LIKE %s)",
            [BENCH_DEVICE_PREFIX + "%"],
        )
        cursor.execute(
            "DELETE FROM monitoring_measurement WHERE device_id LIKE %s",
            [BENCH_DEVICE_PREFIX + "%"],
        )
        if patient_ids:
            triage_refresh(patient_ids=patient_ids)
    if find_spec("interop.models"):
        from interop.models import ApiCredential

        ApiCredential.objects.filter(name="benchmark").delete()
    return count


def _now_text(minutes_ago: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(timespec="seconds")


# 3 + 5. Single upload under load, and the empty POST -------------------------------------------


def upload_and_floor(*, port: int, workers: int, seconds: int, connections: int, tokens) -> list:
    from benchmarks import load

    at = _now_text()
    with load.Gunicorn(port=port, workers=workers):
        floor = load.load(
            port=port,
            path="/bench/empty/",
            tokens=[],
            at=at,
            seconds=seconds,
            connections=connections,
        )
        if tokens:
            upload = load.load(
                port=port,
                path=reverse("interop:api_measurements"),
                tokens=tokens,
                at=at,
                seconds=seconds,
                connections=connections,
            )
    figures = []
    floor_figure = Figure(
        name=f"5. empty DRF POST (framework floor, {floor.tool})",
        median=floor.requests_per_second,
        unit="req/s",
        note=f"{floor.requests:,} requests, {floor.errors} errors, p50 {floor.p50_ms} ms",
    )
    if not tokens:
        figures.append(
            unavailable(
                "3. single-measurement upload over HTTP", "no device API", "rate >= 40 % of 5."
            )
        )
        figures.append(floor_figure)
        return figures
    ratio = upload.requests_per_second / floor.requests_per_second
    figures.append(
        Figure(
            name=f"3. single-measurement upload, {workers} gunicorn workers ({upload.tool})",
            median=upload.requests_per_second,
            unit="req/s",
            target="",
            note=(
                f"{upload.requests:,} requests, {upload.errors} errors, "
                f"p50 {upload.p50_ms} ms, p99 {upload.p99_ms} ms"
            ),
        )
    )
    figures.append(floor_figure)
    figures.append(
        Figure(
            name="3/5. upload rate / empty-POST rate",
            median=ratio * 100,
            unit="%",
            target=">= 40 %",
            met=ratio >= 0.40 and upload.errors == 0,
        )
    )
    return figures


# 4. Batch of 1,000 against raw COPY -------------------------------------------------------------


BATCH_TYPES = [("NPU03011", "%", "spo2"), ("NPU21692", "/min", "pulse"), ("NPU03804", "kg", "w")]


def _batch_items(n: int) -> list[dict]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    items = []
    for index in range(n):
        code, unit, key = BATCH_TYPES[index % 3]
        value = {"spo2": 94 + index % 5, "pulse": 70 + index % 20, "w": 80 + (index % 10) / 10}[key]
        at = now - timedelta(minutes=index // 3)
        items.append(
            {
                "uuid": str(uuid.uuid4()),
                "type": code,
                "value": str(value),
                "unit": unit,
                "measured_at": at.isoformat(timespec="seconds"),
            }
        )
    return items


def _copy_rows(patient: Patient, items: list[dict], types: dict[str, MeasurementType]) -> float:
    """COPY the same rows into monitoring_measurement (same table, same indexes), committed:
    the physical limit. Returns seconds. The rows are deleted again afterwards."""
    import psycopg
    from django.conf import settings

    buffer = io.StringIO()
    for item in items:
        mtype = types[item["type"]]
        buffer.write(
            f"{patient.pk}\t{mtype.pk}\t{item['value']}\t{mtype.unit}\t{item['measured_at']}\t"
            f"{datetime.now(UTC).isoformat()}\tdevice\tbench-copy\t{uuid.uuid4()}\t\\N\tgreen\t\n"
        )
    text = buffer.getvalue()
    with psycopg.connect(settings.DATABASE_URL) as conn:
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY monitoring_measurement (patient_id, type_id, value, unit, measured_at, "
                "received_at, source, device_id, client_uuid, submission_id, severity, "
                "ignore_reason) FROM STDIN"
            ) as copy,
        ):
            copy.write(text)
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DELETE FROM monitoring_measurement WHERE device_id = 'bench-copy'")
        conn.commit()
    return elapsed


def batch(*, reps: int, port: int, workers: int, patients: list[Patient], tokens: list[str]):
    """1,000 readings through the service (in process) and the API (HTTP), against COPY."""
    import json

    from benchmarks import load
    from interop import services
    from interop.readings import ItemInput

    types = {t.code: t for t in MeasurementType.objects.all()}
    service_times, api_times, copy_times = [], [], []
    for rep in range(reps + 1):  # the first round warms up
        patient = patients[rep % len(patients)]
        items = _batch_items(1000)
        inputs = [
            ItemInput(
                code=i["type"],
                value=Decimal(i["value"]),
                unit=i["unit"],
                measured_at=datetime.fromisoformat(i["measured_at"]),
                client_uuid=uuid.UUID(i["uuid"]),
            )
            for i in items
        ]
        started = time.perf_counter()
        result = services.device_batch_record(
            patient=patient, items=inputs, device_id="bench-batch"
        )
        elapsed = time.perf_counter() - started
        assert result.created == 1000, result.created
        copy_elapsed = _copy_rows(patient, _batch_items(1000), types)
        if rep:
            service_times.append(elapsed)
            copy_times.append(copy_elapsed)
    with load.Gunicorn(port=port, workers=workers):
        for rep in range(reps + 1):
            index = rep % len(tokens)
            body = json.dumps({"device_id": "bench-batch-api", "measurements": _batch_items(1000)})
            started = time.perf_counter()
            status, answer = load.post(
                port,
                reverse("interop:api_measurements"),
                body.encode(),
                {"Authorization": f"Bearer {tokens[index]}"},
            )
            elapsed = time.perf_counter() - started
            if status != 201:
                raise RuntimeError(f"batch upload answered {status}: {answer[:300]!r}")
            if rep:
                api_times.append(elapsed)

    def rate(times: list[float]) -> float:
        return 1000 / statistics.median(times)

    copy_rate = rate(copy_times)
    figures = [
        Figure(
            name="4a. raw COPY of the same 1,000 rows (physical limit)",
            median=copy_rate,
            unit="rows/s",
            note=f"median {statistics.median(copy_times) * 1000:.0f} ms per 1,000",
        ),
        Figure(
            name="4b. batch of 1,000 through the service (in process)",
            median=rate(service_times),
            unit="rows/s",
            note=f"median {statistics.median(service_times) * 1000:.0f} ms per 1,000",
        ),
        Figure(
            name="4c. batch of 1,000 through the API (HTTP, gunicorn)",
            median=rate(api_times),
            unit="rows/s",
            note=f"median {statistics.median(api_times) * 1000:.0f} ms per 1,000",
        ),
        Figure(
            name="4b/4a. service / raw COPY",
            median=rate(service_times) / copy_rate * 100,
            unit="%",
            target=">= 25 %",
            met=rate(service_times) / copy_rate >= 0.25,
        ),
        Figure(
            name="4c/4a. API / raw COPY",
            median=rate(api_times) / copy_rate * 100,
            unit="%",
            target=">= 25 %",
            met=rate(api_times) / copy_rate >= 0.25,
        ),
    ]
    return figures


# 6. A new red result in the triage list ------------------------------------------------------


def red_visible(*, port: int, workers: int, reps: int) -> list[Figure]:
    """Upload a red SpO2 over HTTP for a green patient of the nurse's team, then read the
    triage list (the selector the page uses) until the patient is on the first page as red."""
    import json

    from alarms import selectors
    from benchmarks import load
    from interop import services

    user = nurse()
    # Green patients first (a red that was not there before); a tiny data set may have too
    # few, so the team's other patients make up the rest.
    team = PatientTriage.objects.filter(patient__monitoring_team__group__user=user)
    candidates = list(team.filter(level="green").values_list("patient_id", flat=True))
    candidates += list(team.exclude(level="green").values_list("patient_id", flat=True))
    if not candidates:
        return [unavailable("6. new red result visible in triage", "no patient in the team")]
    greens = [candidates[n % len(candidates)] for n in range(reps + 1)]
    times, positions = [], []
    with load.Gunicorn(port=port, workers=workers):
        for rep, patient_id in enumerate(greens):
            patient = Patient.objects.get(pk=patient_id)
            _, token = services.credential_issue(kind="device", name="benchmark", patient=patient)
            body = json.dumps(
                {
                    "device_id": "bench-red",
                    "measurements": [load.reading(value="80", at=_now_text(0))],
                }
            ).encode()
            started = time.perf_counter()
            status, answer = load.post(
                port,
                reverse("interop:api_measurements"),
                body,
                {"Authorization": f"Bearer {token}"},
            )
            if status != 201:
                raise RuntimeError(f"red upload answered {status}: {answer[:300]!r}")
            position = None
            while time.perf_counter() - started < 30:
                page = selectors.triage_list(user=user, filters=selectors.TriageFilters())
                for index, row in enumerate(page.rows):
                    if row.pk == patient_id and row.triage.level == "red":
                        position = index
                        break
                if position is not None:
                    break
                time.sleep(0.05)
            elapsed = (time.perf_counter() - started) * 1000
            if rep:
                times.append(elapsed)
                positions.append(position)
    worst = max(times)
    return [
        Figure(
            name="6. new red result visible on the triage list's first page",
            median=statistics.median(times),
            p95=percentile(times, 0.95),
            target="<= 5000 ms",
            met=worst <= 5000 and all(p is not None for p in positions),
            note=(
                f"upload + list read; shown at row {_row(positions[0])} of the first page "
                "(reds first, longest-waiting red first)"
            ),
        )
    ]


def _row(position: int | None) -> str:
    return "?" if position is None else str(position + 1)


# 7. Quality indicators ------------------------------------------------------------------------


def indicators_admin() -> User:
    """An organisation admin of the benchmark municipality (made once, kept with the data)."""
    from patients.models import ClinicianProfile

    coordinator = get_user_model().objects.get(username="bench.coordinator")
    organisation = coordinator.clinician.organisation
    user, _ = get_user_model().objects.get_or_create(
        username="bench.indicators.admin", defaults={"first_name": "Bench", "last_name": "Admin"}
    )
    ClinicianProfile.objects.get_or_create(
        user=user, defaults={"role": "admin", "organisation": organisation}
    )
    return user


def _fill_year() -> int:
    """Repeat the computed day's rows over the 364 days before it, so the 12-month page reads a
    full year of rows per team (the rows' size, not their values, decides the page's cost)."""
    from indicators.models import IndicatorDay, IndicatorRuleDay

    with connection.cursor() as cursor:
        for model in (IndicatorDay, IndicatorRuleDay):
            table = model._meta.db_table
            columns = [
                str(f.column) for f in model._meta.concrete_fields if f.column not in ("id", "day")
            ]
            names = ", ".join(columns)
            cursor.execute(
                # Table and column names come from our own models, never from input.
                f"INSERT INTO {table} ({names}, day) "
                f"SELECT {names}, day - n FROM {table}, generate_series(1, 364) AS n "
                f"WHERE day = (SELECT max(day) FROM {table})"
            )
    return IndicatorDay.objects.count()


def indicators(*, reps: int) -> list[Figure]:
    """The nightly rebuild of one day over the whole data set, then the 12-month indicators
    page of one team (a nurse of it) and of the whole municipality (its admin)."""
    from django.utils import timezone

    from indicators import services
    from indicators.models import IndicatorDay, IndicatorRuleDay

    target = "p95 <= 300 ms"
    try:
        path = reverse("indicators:page")
    except NoReverseMatch:
        return [unavailable("7. indicators page, 12 months", "no indicators page", target)]
    IndicatorDay.objects.all().delete()
    IndicatorRuleDay.objects.all().delete()
    yesterday = timezone.localdate() - timedelta(days=1)
    started = time.perf_counter()
    services.indicators_rebuild(first=yesterday, last=yesterday)
    rebuild_ms = (time.perf_counter() - started) * 1000
    patients = Patient.objects.count()
    rows = _fill_year()
    try:
        user = nurse()
        team = Team.objects.filter(group__user=user).order_by("pk").first()
        assert team is not None, "the benchmark nurse is on a team"
        one = _page_figure(
            "7. indicators page, one team, 12 months",
            _get_ok(_client(user), f"{path}?scope={team.pk}&period=12_months"),
            reps=reps,
            target_ms=300,
        )
        whole = _page_figure(
            "7b. indicators page, whole municipality, 12 months",
            _get_ok(_client(indicators_admin()), f"{path}?scope=organisation&period=12_months"),
            reps=reps,
            target_ms=300,
        )
    finally:
        IndicatorDay.objects.all().delete()
        IndicatorRuleDay.objects.all().delete()
    same = one.queries == whole.queries
    one.note = (
        f"{rows:,} daily rows; queries {'equal' if same else 'DIFFER'} for all teams "
        f"({whole.queries})"
    )
    one.extra["queries_independent"] = same
    one.target += ", queries independent of size"
    one.met = bool(one.met and same)
    nightly = Figure(
        name=f"7c. nightly rebuild of one day ({patients:,} patients)",
        median=rebuild_ms,
        p95=rebuild_ms,
        target="(for scale: no target)",
        note="indicators_rebuild of yesterday, every team and the municipality",
    )
    return [one, whole, nightly]
