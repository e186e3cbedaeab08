"""When a citizen is reminded of an occasion. Pure: no ORM, no clock.

An occasion is a schedule's due time (``due``, a UTC instant computed DST-safe from the local
wall-clock time by monitoring.schedules). Its **deadline** is the end of its grace window,
``due + grace``: the moment the nurse's missing-data alarm is raised (alarms.services
.missing_data), so "answer before the deadline" means "answer before the nurses are told it is
missing". As in OpenTele:

* reminder 0, "before the deadline", is sent ``minutes_before_deadline`` before the deadline,
  but never before the occasion is due (a grace window shorter than that reminds at the due
  time); 0 minutes means no reminder before the deadline;
* reminders 1 … ``overdue_max_reminders``, "overdue", are sent every ``overdue_every_minutes``
  after the deadline: the first ``overdue_every_minutes`` after it, and so on.

Each reminder has a window: from its time until the next one's (the deadline for reminder 0).
A reminder not raised inside its window (workers stopped for a while) is skipped rather than
sent late: a "due by 12:00" text at 12:40 would be wrong, and a burst of catch-up texts worse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Timing:
    minutes_before_deadline: int = 30
    overdue_every_minutes: int = 15
    overdue_max_reminders: int = 3


@dataclass(frozen=True)
class Slot:
    sequence: int  # 0 before the deadline, 1, 2 … after it
    send_at: datetime
    until: datetime  # end of its window (exclusive)

    @property
    def overdue(self) -> bool:
        return self.sequence > 0


def deadline_of(due: datetime, grace: timedelta) -> datetime:
    return due + grace


def slots(due: datetime, grace: timedelta, timing: Timing) -> list[Slot]:
    """Every reminder of the occasion due at ``due``, in order."""
    deadline = deadline_of(due, grace)
    found = []
    before = max(due, deadline - timedelta(minutes=timing.minutes_before_deadline))
    if timing.minutes_before_deadline > 0 and before < deadline:
        found.append(Slot(0, before, deadline))
    every = timedelta(minutes=max(timing.overdue_every_minutes, 1))
    for sequence in range(1, timing.overdue_max_reminders + 1):
        send_at = deadline + sequence * every
        found.append(Slot(sequence, send_at, send_at + every))
    return found


def slot_at(due: datetime, grace: timedelta, timing: Timing, now: datetime) -> Slot | None:
    """The reminder whose window holds ``now``, if any."""
    return next((s for s in slots(due, grace, timing) if s.send_at <= now < s.until), None)


def lookback(grace: timedelta, timing: Timing) -> timedelta:
    """How long after its due time an occasion can still have a reminder in its window."""
    every = timedelta(minutes=max(timing.overdue_every_minutes, 1))
    return grace + (timing.overdue_max_reminders + 1) * every
