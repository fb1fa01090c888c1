"""Lines of figures for the diagnostics validated before consolidation."""

import datetime

from django.db import migrations


def backfill(apps, schema_editor):
    from autodiag.consolidation.rebuild import rebuild

    names = ["Diagnostic", "Result", "Score"]
    models = {name: apps.get_model("diagnostics", name) for name in names}
    models["QuestionnaireVersion"] = apps.get_model("questionnaires", "QuestionnaireVersion")
    models["ResultLine"] = apps.get_model("consolidation", "ResultLine")
    models["SiteText"] = apps.get_model("consolidation", "SiteText")
    rebuild(models, datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC))


class Migration(migrations.Migration):
    dependencies = [
        ("consolidation", "0001_initial"),
        ("diagnostics", "0002_lock_validated_answers"),
        ("questionnaires", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
