"""The scoring engine: pure Python, no Django. From a questionnaire version and
an answer sheet to a report; and the aggregates of the consolidated view."""
