"""The territories shipped as data: 101 departments, 18 regions, INSEE codes."""

import subprocess
import sys

import pytest

from autodiag import territories
from autodiag.territories import (
    department,
    department_by_name,
    department_from_postal_code,
    departments,
    departments_of_region,
    normalize_department_code,
    region,
    regions,
)


def test_101_departments_and_18_regions():
    assert len(departments()) == 101
    assert len(regions()) == 18
    assert len({d.code for d in departments()}) == 101
    assert len({r.code for r in regions()}) == 18


def test_official_codes():
    codes = {d.code for d in departments()}
    mainland = {f"{n:02d}" for n in range(1, 96) if n != 20}
    assert codes == mainland | {"2A", "2B", "971", "972", "973", "974", "976"}
    assert {r.code for r in regions()} == {
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }


def test_every_department_has_a_known_region_and_every_region_departments():
    for dep in departments():
        assert region(dep.region_code) is dep.region
    for reg in regions():
        assert departments_of_region(reg.code), reg
    assert sum(len(departments_of_region(r.code)) for r in regions()) == 101


@pytest.mark.parametrize(
    ("code", "name", "region_code", "region_name"),
    [
        ("69", "Rhône", "84", "Auvergne-Rhône-Alpes"),
        ("2A", "Corse-du-Sud", "94", "Corse"),
        ("2B", "Haute-Corse", "94", "Corse"),
        ("976", "Mayotte", "06", "Mayotte"),
        ("974", "La Réunion", "04", "La Réunion"),
        ("973", "Guyane", "03", "Guyane"),
        ("22", "Côtes-d’Armor", "53", "Bretagne"),
        ("21", "Côte-d’Or", "27", "Bourgogne-Franche-Comté"),
        ("90", "Territoire de Belfort", "27", "Bourgogne-Franche-Comté"),
        ("95", "Val-d’Oise", "11", "Île-de-France"),
        ("75", "Paris", "11", "Île-de-France"),
        ("13", "Bouches-du-Rhône", "93", "Provence-Alpes-Côte d’Azur"),
        ("01", "Ain", "84", "Auvergne-Rhône-Alpes"),
        ("59", "Nord", "32", "Hauts-de-France"),
    ],
)
def test_spot_checks(code, name, region_code, region_name):
    dep = department(code)
    assert (dep.code, dep.name, dep.region_code, dep.region.name) == (
        code,
        name,
        region_code,
        region_name,
    )


def test_regions_departments_counts():
    assert len(departments_of_region("94")) == 2
    assert len(departments_of_region("11")) == 8
    assert len(departments_of_region("84")) == 12
    assert [d.code for d in departments_of_region("06")] == ["976"]
    assert departments_of_region("99") == ()


def test_codes_as_people_write_them():
    assert normalize_department_code(" 1 ") == "01"
    assert normalize_department_code(1) == "01"
    assert normalize_department_code("2a") == "2A"
    assert department("1").code == "01"
    assert department("2b").code == "2B"
    assert department("20") is None
    assert department("975") is None
    assert department("999") is None
    assert department("") is None
    assert region("1").name == "Guadeloupe"
    assert region("05") is None


def test_department_by_name():
    assert department_by_name("cotes d'armor").code == "22"
    assert department_by_name("RHÔNE").code == "69"
    assert department_by_name("Val d Oise").code == "95"
    assert department_by_name("Atlantide") is None


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        ("69003", "69"),
        ("01000", "01"),
        ("75015", "75"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("97500", None),  # Saint-Pierre-et-Miquelon is not a department
        ("98000", None),
        ("20300", None),
        ("00100", None),
        ("6900", None),
        ("69 003", None),
        ("", None),
    ],
)
def test_department_from_postal_code(postal_code, expected):
    dep = department_from_postal_code(postal_code)
    assert (dep.code if dep else None) == expected


def test_str():
    assert str(department("2A")) == "Corse-du-Sud (2A)"
    assert str(region("94")) == "Corse"


def test_pure_python():
    code = (
        "import sys, autodiag.territories as t\n"
        "t.departments()\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert territories.__all__
