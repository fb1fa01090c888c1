"""French alphabetical order in the database, the same on SQLite and
PostgreSQL: `by_name("structure__name")` in an `order_by`.

Both databases know a collation named `french`: PostgreSQL's is created
from ICU's `fr` by the migration `structures.0005_french_collation`;
SQLite's is registered on every new connection with `autodiag.french`'s
key, which follows ICU's order (tests/test_collation.py checks both give
the same order).
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from django.dispatch import receiver

from autodiag import french

COLLATION = "french"


def by_name(field: str, descending: bool = False):
    """An order_by term: `field` in French alphabetical order."""
    term = Collate(F(field), COLLATION)
    return term.desc() if descending else term.asc()


@receiver(connection_created)
def register_on_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, french.compare)
