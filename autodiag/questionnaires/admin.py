from django.contrib import admin

from autodiag.questionnaires.models import QuestionnaireVersion


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "kind", "content_hash", "loaded_at"]
    readonly_fields = ["id", "title", "kind", "content_hash", "document", "loaded_at"]

    def has_add_permission(self, request):
        return False  # versions come from files, through `autodiag questionnaire load`

    def has_delete_permission(self, request, obj=None):
        return False
