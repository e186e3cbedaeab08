"""gunicorn for the HTTP measurements, and the load generators: wrk when installed
(``apt-get install wrk``), else a multi-process Python generator (same request, lower ceiling).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Behind the TLS proxy of a deployment: the proxy says the request came over https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class Gunicorn:
    """gunicorn with the benchmark settings on ``port`` (8850-8859), stopped on exit."""

    def __init__(self, *, port: int, workers: int) -> None:
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "telemed.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
        ]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=os.environ.copy(), stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("gunicorn exited:\n" + self.log.read().decode()[-3000:])
            try:
                status, _ = post(self.port, "/bench/empty/", b"{}", {})
                if status == 201:
                    # Every worker imports Django lazily: warm them all.
                    for _ in range(self.workers * 4):
                        post(self.port, "/bench/empty/", b"{}", {})
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", **PROXY_HEADERS, **headers},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def reading(*, value: str = "95", code: str = "NPU03011", unit: str = "%", at: str) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "type": code,
        "value": value,
        "unit": unit,
        "measured_at": at,
    }


@dataclass
class LoadResult:
    requests_per_second: float
    requests: int
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    tool: str


WRK_SCRIPT = r"""
local tokens = {%(tokens)s}
local path = "%(path)s"
local at = "%(at)s"
local counter = 0
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local function uuid4()
  return string.format("%%08x-%%04x-4%%03x-a%%03x-%%06x%%06x", math.random(0, 0xffffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff),
    math.random(0, 0xffffff), math.random(0, 0xffffff))
end
request = function()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-Forwarded-Proto"] = "https"
  local body = "{}"
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]
    body = string.format('{"device_id":"bench-load","measurements":[{"uuid":"%%s",' ..
      '"type":"NPU03011","value":"%%d","unit":"%%%%","measured_at":"%%s"}]}',
      uuid4(), math.random(91, 99), at)
  end
  return wrk.format("POST", path, headers, body)
end
"""


def load(
    *,
    port: int,
    path: str,
    tokens: list[str],
    at: str,
    seconds: int,
    connections: int,
    force_python: bool = False,
) -> LoadResult:
    """POST single readings (or ``{}`` with no tokens) as fast as the server answers."""
    wrk = shutil.which("wrk")
    if wrk and not force_python:
        return _wrk(wrk, port, path, tokens, at, seconds, connections)
    return _python_load(port, path, tokens, at, seconds, connections)


def _wrk(
    wrk: str,
    port: int,
    path: str,
    tokens: list[str],
    at: str,
    seconds: int,
    connections: int,
) -> LoadResult:
    script = WRK_SCRIPT % {
        "tokens": ", ".join(json.dumps(t) for t in tokens),
        "path": path,
        "at": at,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                handle.name,
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    rate = float(_wrk_figure(r"Requests/sec:\s+([\d.]+)", output))
    total = int(_wrk_figure(r"(\d+) requests in", output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    error_count = int(errors.group(1)) if errors else 0
    if socket_errors:
        error_count += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return LoadResult(
        requests_per_second=rate,
        requests=total,
        errors=error_count,
        p50_ms=_wrk_latency(output, "50%"),
        p99_ms=_wrk_latency(output, "99%"),
        tool="wrk",
    )


def _wrk_figure(pattern: str, output: str) -> str:
    """The first group of ``pattern`` in wrk's report (which always has these lines)."""
    match = re.search(pattern, output)
    if match is None:
        raise RuntimeError(f"wrk printed no match for {pattern!r}:\n{output}")
    return match.group(1)


def _wrk_latency(output: str, label: str) -> float | None:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _worker(args: tuple) -> tuple[int, int, list[float]]:
    port, path, tokens, at, until, offset = args
    done = errors = 0
    latencies = []
    while time.time() < until:
        headers = {}
        body = b"{}"
        if tokens:
            headers["Authorization"] = f"Bearer {tokens[(offset + done) % len(tokens)]}"
            body = json.dumps(
                {"device_id": "bench-load", "measurements": [reading(value="95", at=at)]}
            ).encode()
        started = time.perf_counter()
        try:
            status, _ = post(port, path, body, headers)
        except OSError:
            status = 0
        latencies.append((time.perf_counter() - started) * 1000)
        done += 1
        if status not in (200, 201):
            errors += 1
    return done, errors, latencies


def _python_load(
    port: int, path: str, tokens: list[str], at: str, seconds: int, connections: int
) -> LoadResult:
    started = time.time()
    until = started + seconds
    with multiprocessing.get_context("spawn").Pool(connections) as pool:
        results = pool.map(
            _worker, [(port, path, tokens, at, until, n * 1000) for n in range(connections)]
        )
    elapsed = time.time() - started
    total = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return LoadResult(
        requests_per_second=total / elapsed,
        requests=total,
        errors=sum(r[1] for r in results),
        p50_ms=latencies[len(latencies) // 2] if latencies else None,
        p99_ms=latencies[int(len(latencies) * 0.99)] if latencies else None,
        tool="python",
    )
