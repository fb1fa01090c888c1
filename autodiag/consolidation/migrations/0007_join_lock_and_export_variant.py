"""Joins two lines of migrations written side by side (issues 12 and 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consolidation", "0005_lock_lines"), ("consolidation", "0006_export_variant")]
    operations = []
