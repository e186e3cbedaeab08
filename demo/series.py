"""Plausible 90-day COPD home-monitoring series for demo patients. Pure: no Django imports.

Every patient gets an "illness" curve between 0 (their usual state) and 1 (a severe
exacerbation), shaped by one of four patterns:

* stable: their usual state, now and then a bad day;
* deteriorating: a slow slide over weeks (ends yellow, sometimes red);
* exacerbation: a few days' rise to a peak, a plateau, then a slow recovery; the onset may be
  a few days ago, so the exacerbation is going on now;
* recovery: the window starts just after an exacerbation (e.g. discharged from hospital).

The values and the questionnaire answers follow the curve with noise: SpO2 falls (to 83-87 at the
peak for severe COPD), pulse, temperature and CRP rise, breathlessness, cough, sputum and rescue
medicine get worse (the Anthonisen criteria). Every value is clamped to the type's plausible range
and rounded to its decimals. All randomness comes from the ``random.Random`` passed in, so a
fixed seed gives the same series.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import time
from decimal import ROUND_HALF_UP, Decimal

STABLE = "stable"
DETERIORATING = "deteriorating"
EXACERBATION = "exacerbation"
RECOVERY = "recovery"
PATTERNS = (STABLE, DETERIORATING, EXACERBATION, RECOVERY)
PATTERN_WEIGHTS = (0.55, 0.15, 0.20, 0.10)

# Usual values by COPD group: (SpO2, pulse, CAT score, FEV1 in litres).
USUAL = {
    "mild": (96.0, 70.0, 8.0, 2.3),
    "moderate": (94.0, 74.0, 14.0, 1.7),
    "severe": (92.0, 78.0, 20.0, 1.2),
    "very_severe": (90.0, 82.0, 26.0, 0.8),
}

OTHER_TEXTS_ILL = [
    "Har været hos lægen og fået penicillin og prednisolon.",
    "Sover dårligt om natten pga. hoste.",
    "Kan ikke gå på trapper i dag.",
    "Vil gerne ringes op.",
]
OTHER_TEXTS_WELL = [
    "Har været ude at gå en tur.",
    "Glemte at måle i går.",
    "Har fået ny inhalator.",
]


@dataclass(frozen=True)
class Plausible:
    """A measurement type's physical range and decimals (MeasurementType)."""

    low: Decimal
    high: Decimal
    decimals: int


def clamp_round(value: float, plausible: Plausible) -> Decimal:
    """``value`` rounded half up to the type's decimals and kept inside its plausible range."""
    quantum = Decimal(1).scaleb(-plausible.decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return min(max(rounded, plausible.low.quantize(quantum)), plausible.high.quantize(quantum))


@dataclass(frozen=True)
class Profile:
    """A demo patient's usual values and the shape of their 90 days."""

    pattern: str
    copd_group: str
    spo2: float
    pulse: float
    cat: float
    crp: float
    weight: float | None
    fev1: float | None
    usual_sputum: str  # option code of sputum_colour on a good day
    skip_rate: float  # chance of a missing day
    hour: int  # usual local hour of the morning measurement
    onset: int = 0  # day the illness starts rising (may be before the window)
    ramp: int = 1
    plateau: int = 0
    decay: int = 14
    peak: float = 0.0
    bumps: tuple[int, ...] = ()


def make_profile(rng: random.Random, *, copd_group: str, pattern: str, days: int) -> Profile:
    spo2, pulse, cat, fev1 = USUAL[copd_group]
    severe = copd_group in ("severe", "very_severe")
    # What every pattern draws, in this order (the seed gives the same demo every time).
    usual = Profile(
        pattern=pattern,
        copd_group=copd_group,
        spo2=spo2 + rng.uniform(-1.0, 1.0),
        pulse=pulse + rng.uniform(-8.0, 8.0),
        cat=cat + rng.uniform(-3.0, 3.0),
        crp=rng.uniform(2.0, 8.0),
        weight=round(rng.uniform(52.0, 98.0), 1) if severe or rng.random() < 0.3 else None,
        fev1=fev1 * rng.uniform(0.85, 1.15) if rng.random() < 0.5 else None,
        usual_sputum="clear_white" if severe or rng.random() < 0.4 else "none",
        skip_rate=rng.choice([0.0, 0.02, 0.05, 0.05, 0.1, 0.15]),
        hour=rng.choice([7, 8, 8, 9, 9, 10]),
    )
    if pattern == STABLE:
        bumps = tuple(sorted(rng.sample(range(days), k=rng.randrange(0, 3))))
        return replace(usual, bumps=bumps)
    if pattern == DETERIORATING:
        return replace(
            usual,
            onset=rng.randrange(0, days // 3),
            peak=rng.uniform(0.45, 0.8),
        )
    if pattern == EXACERBATION:
        return replace(
            usual,
            onset=rng.randrange(max(0, days - 45), days - 1),
            ramp=rng.randrange(2, 6),
            plateau=rng.randrange(1, 4),
            decay=rng.randrange(10, 20),
            peak=rng.uniform(0.75, 1.0),
        )
    if pattern == RECOVERY:
        return replace(
            usual,
            onset=-rng.randrange(2, 5),
            ramp=1,
            plateau=0,
            decay=rng.randrange(20, 36),
            peak=rng.uniform(0.75, 0.95),
        )
    raise ValueError(f"unknown pattern {pattern!r}")


def illness(profile: Profile, day: int, days: int) -> float:
    """How ill the patient is on ``day`` (0 = usual, 1 = severe exacerbation)."""
    if profile.pattern == STABLE:
        return 0.35 if any(0 <= day - bump < 2 for bump in profile.bumps) else 0.0
    if profile.pattern == DETERIORATING:
        if day < profile.onset:
            return 0.0
        return profile.peak * (day - profile.onset) / max(1, days - 1 - profile.onset)
    # exacerbation and recovery: rise, plateau, exponential decay (about 5 % left after `decay`)
    since = day - profile.onset
    if since < 0:
        return 0.0
    if since < profile.ramp:
        return profile.peak * (since + 1) / profile.ramp
    since -= profile.ramp
    if since < profile.plateau:
        return profile.peak
    since -= profile.plateau
    return profile.peak * math.exp(-3.0 * since / profile.decay)


@dataclass
class DaySample:
    """One answered day: the morning questionnaire and the measurements taken that day."""

    day: int
    at: time  # local time
    illness: float
    spo2: Decimal
    pulse: Decimal
    weight: Decimal | None
    temperature: Decimal | None
    crp: Decimal | None
    fev1: Decimal | None
    answers: dict[str, str]  # link_id -> option code
    other_text: str = ""
    cat_items: list[int] | None = None  # CAT scores in item order, on CAT days


def cat_items(rng: random.Random, total: int) -> list[int]:
    """Spread a CAT total (0-40) over the 8 items (0-5 each), breathlessness first to fill."""
    weights = [1.0, 1.0, 0.8, 1.6, 1.2, 0.8, 0.9, 1.2]
    items = [0] * 8
    for _ in range(max(0, min(40, total))):
        open_items = [i for i in range(8) if items[i] < 5]
        chosen = rng.choices(open_items, weights=[weights[i] for i in open_items])[0]
        items[chosen] += 1
    return items


def _answers(rng: random.Random, profile: Profile, sick: float) -> dict[str, str]:
    felt = sick + rng.gauss(0.0, 0.08)
    if felt > 0.65:
        breathless = "much_more"
    elif felt > 0.3 or rng.random() < 0.03:
        breathless = "a_bit_more"
    else:
        breathless = "no"
    if felt > 0.8 and rng.random() < 0.15:
        colour = "brown_bloody"
    elif felt > 0.45:
        colour = "yellow_green"
    else:
        colour = profile.usual_sputum
    return {
        "breathless": breathless,
        "cough": "yes" if felt > 0.35 or rng.random() < 0.04 else "no",
        "sputum_more": "yes" if felt > 0.4 or rng.random() < 0.03 else "no",
        "sputum_colour": colour,
        "rescue_medicine": "yes" if felt > 0.3 or rng.random() < 0.04 else "no",
    }


def generate(
    profile: Profile,
    rng: random.Random,
    *,
    days: int,
    plausible: Mapping[str, Plausible],
    first_day: int = 0,
    skip_days: Collection[int] = (),
    cat_days: Collection[int] = (),
) -> list[DaySample]:
    """The answered days ``first_day`` .. ``days - 1`` (0 = the oldest day of the window).

    Days in ``skip_days`` (a pause, a recent gap) and random days (``profile.skip_rate``) are
    missing. On ``cat_days`` the patient also answers the CAT.
    """
    samples = []
    weight = profile.weight
    for day in range(first_day, days):
        # Draw for every day, answered or not, so a skipped day does not shift later values.
        skipped = rng.random() < profile.skip_rate
        sick = illness(profile, day, days)
        minute = rng.randrange(0, 60)
        spo2 = profile.spo2 - 7.5 * sick + rng.gauss(0.0, 0.7)
        pulse = profile.pulse + 38.0 * sick + rng.gauss(0.0, 4.0)
        temp = 36.7 + 1.9 * sick + rng.gauss(0.0, 0.2)
        if weight is not None:
            # A slow wander; fluid retention in an exacerbation of severe COPD.
            weight += rng.gauss(0.0, 0.08)
            today_weight = weight + 1.2 * sick + rng.gauss(0.0, 0.25)
        answers = _answers(rng, profile, sick)
        fever = temp >= 38.0 or (sick > 0.5 and rng.random() < 0.25)
        answers["fever"] = "yes" if fever else "no"
        crp_today = (sick > 0.35 and day % 2 == 0) or rng.random() < 0.02
        crp = profile.crp + 90.0 * sick**2 + rng.gauss(0.0, 2.0)
        fev1 = (profile.fev1 or 0.0) * (1.0 - 0.3 * sick) + rng.gauss(0.0, 0.05)
        other_roll = rng.random()
        other_pick = rng.randrange(12)
        cat_total = round(profile.cat + 12.0 * sick + rng.gauss(0.0, 1.5))
        items = cat_items(rng, cat_total) if day in cat_days else None
        if skipped or day in skip_days:
            continue
        other = ""
        if sick > 0.5 and other_roll < 0.2:
            other = OTHER_TEXTS_ILL[other_pick % len(OTHER_TEXTS_ILL)]
        elif other_roll < 0.02:
            other = OTHER_TEXTS_WELL[other_pick % len(OTHER_TEXTS_WELL)]
        samples.append(
            DaySample(
                day=day,
                at=time(profile.hour, minute),
                illness=sick,
                spo2=clamp_round(spo2, plausible["spo2"]),
                pulse=clamp_round(pulse, plausible["pulse"]),
                weight=(
                    clamp_round(today_weight, plausible["weight"]) if weight is not None else None
                ),
                temperature=clamp_round(temp, plausible["temperature"]) if fever else None,
                crp=clamp_round(crp, plausible["crp"]) if crp_today else None,
                fev1=(
                    clamp_round(fev1, plausible["fev1"])
                    if profile.fev1 is not None and items is not None
                    else None
                ),
                answers=answers,
                other_text=other,
                cat_items=items,
            )
        )
    return samples
