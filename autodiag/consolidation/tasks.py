"""Background work of consolidation (django-tasks; worker:
`autodiag db_worker`)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from autodiag.consolidation import exports
from autodiag.consolidation.models import Export


def exports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    path = exports_dir() / f"{export.pk}-{secrets.token_urlsafe(12)}.{export.file_format}"

    def progress(done: int) -> None:
        Export.objects.filter(pk=export_id).update(done=done)

    try:
        exports.build(
            export.kind,
            export.file_format,
            export.user,
            filters,
            export.every,
            path,
            progress,
            technical=export.technical,
        )
    except Exception as error:  # recorded for the person, then raised for the worker's log
        path.unlink(missing_ok=True)
        Export.objects.filter(pk=export_id).update(
            status=Export.FAILED, error=str(error), finished_at=timezone.now()
        )
        raise
    Export.objects.filter(pk=export_id).update(
        status=Export.DONE,
        done=total,
        path=str(path),
        file_name=exports.filename(export.kind, export.file_format, filters, export.technical),
        finished_at=timezone.now(),
    )
