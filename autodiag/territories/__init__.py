"""French territories: the 101 departments and 18 regions with their
official INSEE codes (overseas included), shipped as data
(`departments.csv`, `regions.csv`, read once).

Pure Python: no Django, no database. Unknown codes give `None`, never an
exception, so callers word their own message.

    >>> department("69").name, department("69").region.name
    ('Rhône', 'Auvergne-Rhône-Alpes')
    >>> department_from_postal_code("20167").code
    '2A'
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "Department",
    "Region",
    "department",
    "department_by_name",
    "department_from_postal_code",
    "departments",
    "departments_of_region",
    "normalize_department_code",
    "region",
    "regions",
]

DATA = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # INSEE code, two characters: "84"
    name: str

    def __str__(self):
        return self.name


@dataclass(frozen=True, slots=True)
class Department:
    code: str  # INSEE code: "01"…"95", "2A", "2B", "971"…"976"
    name: str
    region_code: str

    @property
    def region(self) -> Region:
        return _data().regions[self.region_code]

    def __str__(self):
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class _Data:
    regions: dict[str, Region]
    departments: dict[str, Department]
    by_region: dict[str, tuple[Department, ...]]
    by_name: dict[str, Department]


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def name_key(text: str) -> str:
    """A name compared without case, accents, apostrophe or hyphen style:
    "cote d'or", "Côte-d’Or" and "COTE D OR" are one key."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


@cache
def _data() -> _Data:
    regions = {row["code"]: Region(row["code"], row["nom"]) for row in _read("regions.csv")}
    departments = {
        row["code"]: Department(row["code"], row["nom"], row["region"])
        for row in _read("departments.csv")
    }
    by_region = {
        code: tuple(d for d in departments.values() if d.region_code == code) for code in regions
    }
    return _Data(
        regions=regions,
        departments=departments,
        by_region=by_region,
        by_name={name_key(d.name): d for d in departments.values()},
    )


def normalize_department_code(value: object) -> str:
    """The INSEE form of a department code as people write it: " 1 " and 1
    → "01", "2a" → "2A", "069" stays "069" (unknown). Never fails; check
    the result with `department()`."""
    text = str(value).strip().upper()
    if text.isdigit() and len(text) == 1:
        return "0" + text
    return text


def departments() -> tuple[Department, ...]:
    """The 101 departments, in INSEE code order (2A and 2B after 19)."""
    return tuple(_data().departments.values())


def regions() -> tuple[Region, ...]:
    """The 18 regions, in INSEE code order."""
    return tuple(_data().regions.values())


def department(code: object) -> Department | None:
    """The department of an INSEE code ("69", "2A", "971"; "1" is read "01"),
    or None."""
    return _data().departments.get(normalize_department_code(code))


def department_by_name(name: str) -> Department | None:
    """The department of a name, whatever its case, accents and hyphens
    ("cotes d'armor" → 22), or None."""
    return _data().by_name.get(name_key(name))


def region(code: object) -> Region | None:
    """The region of an INSEE code ("84"; "1" is read "01"), or None."""
    return _data().regions.get(normalize_department_code(code))


def departments_of_region(code: object) -> tuple[Department, ...]:
    """The departments of a region (empty for an unknown code)."""
    return _data().by_region.get(normalize_department_code(code), ())


def department_from_postal_code(postal_code: object) -> Department | None:
    """The department a postal code usually belongs to, or None.

    The first two digits, except in Corsica (200xx and 201xx → 2A, 202xx and
    206xx → 2B) and overseas (97xyy → 97x). Some communes near a border and
    some CEDEX codes have the code of a neighbouring department: a hint,
    not a proof."""
    text = str(postal_code).strip()
    if len(text) != 5 or not text.isdigit():
        return None
    if text.startswith("20"):
        corsica = {"0": "2A", "1": "2A", "2": "2B", "6": "2B"}.get(text[2])
        return department(corsica) if corsica else None
    if text.startswith("97"):
        return department(text[:3])
    return department(text[:2])
