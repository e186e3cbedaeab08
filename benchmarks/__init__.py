"""Benchmarks at national scale: ``make bench`` / ``python -m benchmarks`` (docs/PERFORMANCE.md).

Builds (once, then reuses) a fixed-seed data set of 10,000 patients and ~10 million measurements
with COPY in its own PostgreSQL database, then measures the triage list, the patient charts and
ingest against the physical limits (raw COPY, an empty DRF POST) and prints one table.
"""
