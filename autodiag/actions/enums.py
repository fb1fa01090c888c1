from django.db import models


class ActionStatus(models.TextChoices):
    TO_START = "to_start", "À lancer"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


# An action is "open" until it is done or abandoned: open actions are the
# ones the monthly review goes through, and the only ones that can be late.
OPEN_STATUSES = (ActionStatus.TO_START, ActionStatus.IN_PROGRESS)
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.ABANDONED)
# What the poster and the public page show to users.
PUBLIC_STATUSES = (ActionStatus.IN_PROGRESS, ActionStatus.DONE)

# Where a review may take an action from each status (staying is allowed:
# a review may only record progress and a note).
TRANSITIONS = {
    ActionStatus.TO_START: {
        ActionStatus.TO_START,
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
        ActionStatus.ABANDONED,
    },
    ActionStatus.IN_PROGRESS: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.ABANDONED},
    ActionStatus.DONE: {ActionStatus.DONE, ActionStatus.IN_PROGRESS},
    ActionStatus.ABANDONED: {
        ActionStatus.ABANDONED,
        ActionStatus.TO_START,
        ActionStatus.IN_PROGRESS,
    },
}
