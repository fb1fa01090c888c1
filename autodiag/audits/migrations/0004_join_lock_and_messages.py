"""Joins two lines of migrations written side by side (issues 12 and 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_french_constraint_messages"), ("audits", "0003_lock_identity")]
    operations = []
