"""French alphabetical order, the same on SQLite and PostgreSQL, in the
pages and in Python (autodiag/collation.py, autodiag.french.sort_key)."""

from __future__ import annotations

import random

from django.urls import reverse

from autodiag import french
from autodiag.collation import by_name
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network, Structure

from .conftest import client_for
from .consolidation_helpers import head

# The order PostgreSQL's ICU `fr` collation gives (checked with psql).
FRENCH_ORDER = [
    "caf d’Ain",
    "CAF de la Gironde",
    "CAF de Loire-Atlantique",
    "CAF de Paris",
    "eau",
    "Ecole",
    "école",
    "Élan",
    "Œuvre",
    "Zoé",
]


def shuffled(names):
    names = list(names)
    random.Random(14).shuffle(names)
    return names


def test_the_python_key_orders_as_a_french_reader():
    assert sorted(shuffled(FRENCH_ORDER), key=french.sort_key) == FRENCH_ORDER


def test_the_database_orders_names_in_french(db):
    network = Network.objects.create(name="CNAF")
    for number, name in enumerate(shuffled(FRENCH_ORDER)):
        Structure.objects.create(
            code=f"S{number}",
            name=name,
            network=network,
            typology="operateur",
            department_code="44",
        )
    ordered = list(Structure.objects.order_by(by_name("name")).values_list("name", flat=True))
    assert ordered == FRENCH_ORDER
    descending = Structure.objects.order_by(by_name("name", descending=True))
    assert list(descending.values_list("name", flat=True)) == FRENCH_ORDER[::-1]
    # The models' default order is French too.
    assert list(Structure.objects.values_list("name", flat=True)) == FRENCH_ORDER


def test_the_scope_page_lists_structures_in_french_order(db):
    network = Network.objects.create(name="CNAF")
    for number, name in enumerate(["CAF de Paris", "CAF de la Gironde", "CAF de Loire-Atlantique"]):
        Structure.objects.create(
            code=f"CAF{number}",
            name=name,
            network=network,
            typology="operateur",
            department_code="44",
        )
    client = client_for(head("tete@cnaf.test", ScopeKind.NETWORK, network))
    page = client.get(reverse("structures:scope")).content.decode()
    positions = [page.index(name) for name in ("la Gironde", "Loire-Atlantique", "de Paris")]
    assert positions == sorted(positions)
