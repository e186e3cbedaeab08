"""Danish names, addresses and CPR numbers for demo people. Pure: no Django imports."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from patients import cpr

MALE_NAMES = [
    "Jens", "Peter", "Lars", "Michael", "Henrik", "Søren", "Thomas", "Jan", "Niels", "Anders",
    "Ole", "Hans", "Erik", "Poul", "Bent", "Kurt", "Finn", "Flemming", "Leif", "Per",
    "Jørgen", "Carsten", "Torben", "Preben", "Knud", "Arne", "Bjarne", "Svend", "John", "Kim",
]  # fmt: skip
FEMALE_NAMES = [
    "Anne", "Kirsten", "Hanne", "Mette", "Helle", "Susanne", "Lene", "Inge", "Karen", "Marianne",
    "Bente", "Birgit", "Jette", "Grethe", "Lis", "Ruth", "Else", "Inger", "Gitte", "Lone",
    "Pia", "Tove", "Merete", "Annette", "Winnie", "Dorthe", "Connie", "Jytte", "Birthe", "Vibeke",
]  # fmt: skip
SURNAMES = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Mikkelsen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt", "Eriksen", "Holm",
    "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen", "Jeppesen",
    "Vestergaard", "Mogensen", "Nissen",
]  # fmt: skip
STREETS = [
    "Vestergade", "Nørrebrogade", "Randersvej", "Silkeborgvej", "Grenåvej", "Skanderborgvej",
    "Tranbjerg Hovedgade", "Frederiks Allé", "Trøjborgvej", "Viborgvej", "Søndervangen",
    "Hasle Ringvej", "Marselis Boulevard", "Jyllands Allé", "Åbyhøjgade",
]  # fmt: skip
POSTCODES = [
    "8000 Aarhus C", "8200 Aarhus N", "8210 Aarhus V", "8220 Brabrand", "8230 Åbyhøj",
    "8240 Risskov", "8260 Viby J", "8270 Højbjerg", "8310 Tranbjerg J",
]  # fmt: skip


@dataclass(frozen=True)
class Person:
    cpr: str
    first_name: str
    last_name: str
    female: bool
    address: str
    phone: str


def make_cpr(born: date, serial: int, *, female: bool) -> str:
    """A valid CPR number for someone born in 1900-1999: serial 0-999 gives the middle digits.

    The first serial digit 0-3 means the 1900s for every two-digit year (patients.cpr.century);
    the last digit is even for women. No modulus-11 check digit: it is not required (2007).
    """
    if not 1900 <= born.year <= 1999:
        raise ValueError("demo CPR numbers are for people born in the 1900s")
    first = serial // 250  # 0-3
    middle = serial % 100
    last = (serial // 100) % 5 * 2 + (0 if female else 1)
    number = f"{born:%d%m}{born.year % 100:02d}{first}{middle:02d}{last}"
    if cpr.birth_date(number) != born:  # the century rule must give the birth date back
        raise AssertionError(number)
    return number


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def make_person(rng: random.Random, *, today: date, min_age: int, max_age: int) -> Person:
    """One person aged ``min_age``-``max_age`` on ``today``, drawn from ``rng``."""
    female = rng.random() < 0.5
    oldest = _years_before(today, max_age + 1) + timedelta(days=1)
    youngest = _years_before(today, min_age)
    born = oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))
    number = make_cpr(born, rng.randrange(1000), female=female)
    phone = f"+45 {rng.randrange(20, 100)} {rng.randrange(100):02d} {rng.randrange(100):02d} " + (
        f"{rng.randrange(100):02d}"
    )
    return Person(
        cpr=number,
        first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
        last_name=rng.choice(SURNAMES),
        female=female,
        address=f"{rng.choice(STREETS)} {rng.randrange(1, 160)}, {rng.choice(POSTCODES)}",
        phone=phone,
    )
