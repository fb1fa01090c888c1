"""Background work of consolidation (django-tasks; worker:
`autodiag db_worker`). A built export is kept in the shared file storage
(settings.STORAGES, `exports/`), so that the worker and the app servers
need not share a disk."""

from __future__ import annotations

import secrets
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from autodiag.consolidation import exports
from autodiag.consolidation.models import Export


@task()
def build_export(export_id: int) -> None:
    """Build a large export, recording its progress every few thousand
    rows. The filters are read again with the person's scope of today:
    someone who lost their scope meanwhile gets nothing."""
    from autodiag.consolidation.filters import read_filters

    export = Export.objects.select_related("user").get(pk=export_id)
    query = QueryDict(mutable=True)
    query.update(export.filters)
    form = read_filters(export.user, query, with_choices=False)
    if not form.is_valid:
        Export.objects.filter(pk=export_id).update(
            status=Export.FAILED, error=" ".join(form.errors.values()), finished_at=timezone.now()
        )
        return
    filters = form.filters
    total = exports.structure_lines(export.user, filters, export.every).count()
    Export.objects.filter(pk=export_id).update(status=Export.RUNNING, total=total)
    name = f"exports/{export.pk}-{secrets.token_urlsafe(12)}.{export.file_format}"

    def progress(done: int) -> None:
        Export.objects.filter(pk=export_id).update(done=done)

    try:
        with tempfile.TemporaryFile() as built:
            exports.build(
                export.kind,
                export.file_format,
                export.user,
                filters,
                export.every,
                built,
                progress,
                technical=export.technical,
            )
            built.seek(0)
            name = default_storage.save(name, File(built, name=name))
    except Exception as error:  # recorded for the person, then raised for the worker's log
        Export.objects.filter(pk=export_id).update(
            status=Export.FAILED, error=str(error), finished_at=timezone.now()
        )
        raise
    Export.objects.filter(pk=export_id).update(
        status=Export.DONE,
        done=total,
        path=name,
        file_name=exports.filename(export.kind, export.file_format, filters, export.technical),
        finished_at=timezone.now(),
    )
