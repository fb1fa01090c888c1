"""Signals other domains listen to, so that diagnostics import none of them.

`result_frozen(sender=Result, result, scores)`: a validated diagnostic's
report was just frozen, with its `Score` rows (sent inside the validation's
transaction: a receiver's failure undoes the validation)."""

from django.dispatch import Signal

result_frozen = Signal()
