"""Answers saved cell by cell (revision, who, when: diagnostics.cells),
where a carried-over answer comes from and who confirmed it, the cursor of
the live refresh (changed_at), who has a section open (Presence), and the
PostgreSQL function that merges cells inside the upsert statement.

On SQLite, adding these columns rebuilds the answers table, which drops
its triggers: the ones present before (whatever migration made them) are
read first and made again after."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from autodiag.diagnostics.cells import POSTGRES_FUNCTION, POSTGRES_FUNCTION_REVERSE

_kept_triggers: list[str] = []


def keep_answer_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'diagnostics_answer'"
        )
        _kept_triggers[:] = [row[0] for row in cursor.fetchall()]


def restore_answer_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'diagnostics_answer'"
        )
        present = {row[0] for row in cursor.fetchall()}
    for statement in _kept_triggers:
        name = statement.split()[2]
        if name not in present:
            schema_editor.execute(statement)


def create_merge_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)


def drop_merge_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION_REVERSE)


def record_carried_answers(apps, schema_editor):
    """The drafts' answers still to confirm come from the diagnostic their
    draft started from, not from whoever clicked « Commencer »."""
    Answer = apps.get_model("diagnostics", "Answer")
    Diagnostic = apps.get_model("diagnostics", "Diagnostic")
    drafts = Diagnostic.objects.filter(status="draft", prefilled_from__isnull=False)
    for draft in drafts:
        Answer.objects.filter(diagnostic=draft, to_confirm=True).update(
            carried_from_id=draft.prefilled_from_id, updated_by=None
        )


class Migration(migrations.Migration):

    dependencies = [
        ('diagnostics', '0002_lock_validated_answers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_answer_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name='answer',
            name='carried_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='diagnostics.diagnostic', verbose_name='reprise du diagnostic'),
        ),
        migrations.AddField(
            model_name='answer',
            name='cells',
            field=models.JSONField(blank=True, default=dict, verbose_name='cellules'),
        ),
        migrations.AddField(
            model_name='answer',
            name='changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='changée le'),
        ),
        migrations.AddField(
            model_name='answer',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='confirmée le'),
        ),
        migrations.AddField(
            model_name='answer',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmée par'),
        ),
        migrations.CreateModel(
            name='Presence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('section_id', models.CharField(max_length=100)),
                ('seen_at', models.DateTimeField()),
                ('diagnostic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='diagnostics.diagnostic')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'présence',
                'constraints': [models.UniqueConstraint(fields=('diagnostic', 'user'), name='one_presence_per_member')],
            },
        ),
        migrations.RunPython(restore_answer_triggers, migrations.RunPython.noop),
        migrations.RunPython(create_merge_function, drop_merge_function),
        migrations.RunPython(record_carried_answers, migrations.RunPython.noop),
    ]
