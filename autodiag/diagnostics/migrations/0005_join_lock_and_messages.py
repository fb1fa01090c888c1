"""Joins two lines of migrations written side by side (issues 12 and 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0003_french_constraint_messages"), ("diagnostics", "0004_complete_the_lock")]
    operations = []
