"""The collation `french` (ICU's `fr`) on PostgreSQL, so that names sort
as a French reader expects (autodiag/collation.py); SQLite registers its
own on each connection."""

from django.db import migrations, models
from django.db.models.functions import Collate


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS french (provider = icu, locale = 'fr')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS french")


class Migration(migrations.Migration):
    dependencies = [("structures", "0004_french_constraint_messages")]
    operations = [
        migrations.RunPython(create, drop),
        migrations.AlterModelOptions(
            name="network",
            options={
                "ordering": [Collate(models.F("name"), "french")],
                "verbose_name": "réseau ou opérateur",
                "verbose_name_plural": "réseaux et opérateurs",
            },
        ),
        migrations.AlterModelOptions(
            name="structure",
            options={
                "ordering": [Collate(models.F("name"), "french")],
                "verbose_name": "structure",
            },
        ),
    ]
