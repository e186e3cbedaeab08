"""Process tuning for serving requests (web workers), applied once at start-up.

A page with a year of chart data builds tens of thousands of short-lived objects. With the
default thresholds, CPython's cyclic garbage collector runs a young-generation pass every 700
allocations and now and then a full pass over every object the process holds, including
Django's own long-lived ones: that is the slow tail of page times (measured: p95 157 ms -> 119 ms
on the one-year chart page, docs/PERFORMANCE.md). ``gc.freeze()`` moves everything loaded at
start-up out of the collector's sight, and a higher young-generation threshold makes passes
rarer; reference counting still frees almost everything at once, so memory does not grow.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 50_000


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 50, 100)
