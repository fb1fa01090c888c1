"""The django-dsfr site configuration row its context processor reads."""

from django.db import migrations


def create(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    DsfrConfig.objects.update_or_create(
        pk=1,
        defaults={
            "header_brand": "République française",
            "header_brand_html": "République<br>française",
            "footer_brand": "République française",
            "footer_brand_html": "République<br>française",
            "site_title": "Autodiagnostic Services Publics+",
            "site_tagline": "Mesurer, comprendre et améliorer la qualité de service au plus près des usagers",
            "footer_description": "Plateforme ouverte de l’autodiagnostic du programme Services Publics+.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("dsfr", "0012_dsfrconfig_notice_description_and_more")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
