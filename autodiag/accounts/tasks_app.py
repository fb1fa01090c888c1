"""django-tasks-db under a French name in the admin (its own,
« Tasks Database Backend », is not translatable). In its own module so
that `autodiag.accounts.apps` keeps a single AppConfig."""

from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "Tâches en arrière-plan"
