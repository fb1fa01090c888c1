"""Django's admin for national administrators. A validated diagnostic's
answers are read-only here too (and the database refuses changes anyway)."""

from django.contrib import admin

from autodiag.diagnostics.models import Answer, Diagnostic, Result


class AnswerInline(admin.TabularInline):
    model = Answer
    fk_name = "diagnostic"
    extra = 0
    fields = ["question_id", "value", "to_confirm", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.is_draft

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.is_draft


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    list_display = ["pk", "structure", "questionnaire", "status", "created_at", "validated_at"]
    list_filter = ["status", "questionnaire"]
    search_fields = ["structure__name", "structure__code"]
    readonly_fields = [
        "structure",
        "questionnaire",
        "status",
        "created_by",
        "created_at",
        "validated_by",
        "validated_at",
        "prefilled_from",
    ]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False  # diagnostics start from a structure's page

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.is_draft


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["diagnostic", "question_id", "value", "updated_by", "updated_at"]
    search_fields = ["question_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.diagnostic.is_draft

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.diagnostic.is_draft


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["diagnostic", "global_score", "computed_at"]
    readonly_fields = ["diagnostic", "questionnaire_hash", "global_score", "report", "computed_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
