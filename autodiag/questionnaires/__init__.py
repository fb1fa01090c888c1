"""Questionnaire versions: the format (schema), reading and validating files
(loader), readable renderings (outline), and their record in the database
(models, the only Django part)."""
