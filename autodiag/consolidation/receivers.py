"""Keeping consolidation's rows true as results are frozen."""

from django.dispatch import receiver

from autodiag.consolidation.models import ResultLine
from autodiag.diagnostics.signals import result_frozen


@receiver(result_frozen, dispatch_uid="consolidation-record-line")
def record_line(sender, result, scores, **kwargs):
    """In the validation's transaction: a validated diagnostic is in the
    consolidated views at once, or not validated at all."""
    ResultLine.objects.record_result(result.diagnostic, scores, result.report)
