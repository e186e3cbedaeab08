"""The timing rule on its own: before the deadline, then every n minutes once overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifications.timing import Timing, slot_at, slots

DUE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
GRACE = timedelta(hours=3)  # deadline 11:00 UTC


def at(hour: int, minute: int = 0) -> datetime:
    return DUE.replace(hour=hour, minute=minute)


def test_opentele_default_thirty_minutes_before_then_every_fifteen_three_times():
    assert [(s.sequence, s.send_at) for s in slots(DUE, GRACE, Timing())] == [
        (0, at(10, 30)),
        (1, at(11, 15)),
        (2, at(11, 30)),
        (3, at(11, 45)),
    ]


def test_a_reminder_belongs_to_its_window_only():
    timing = Timing()
    assert slot_at(DUE, GRACE, timing, at(10, 29)) is None
    assert slot_at(DUE, GRACE, timing, at(10, 30)).sequence == 0
    assert slot_at(DUE, GRACE, timing, at(10, 59)).sequence == 0
    # Between the deadline and the first overdue reminder: nothing (a "due by 11:00" text
    # after 11:00 would be wrong).
    assert slot_at(DUE, GRACE, timing, at(11, 0)) is None
    assert slot_at(DUE, GRACE, timing, at(11, 44)).sequence == 2
    assert slot_at(DUE, GRACE, timing, at(12, 0)) is None  # after the last one


def test_a_short_grace_window_reminds_at_the_due_time_not_before():
    [before, *_] = slots(DUE, timedelta(minutes=20), Timing())
    assert before.send_at == DUE


def test_no_reminder_before_the_deadline_and_none_overdue():
    assert slots(DUE, GRACE, Timing(minutes_before_deadline=0, overdue_max_reminders=0)) == []
