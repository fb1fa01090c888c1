from django.contrib import admin

from autodiag.testimonies.models import AnswerTemplate, Listening, Testimony


@admin.register(Listening)
class ListeningAdmin(admin.ModelAdmin):
    list_display = ["structure", "short_code", "is_open", "signature"]
    search_fields = ["structure__name", "structure__code", "short_code"]
    readonly_fields = ["short_code"]


@admin.register(Testimony)
class TestimonyAdmin(admin.ModelAdmin):
    """Read-only: moderation and answers are the structure's team's, in its pages."""

    list_display = [
        "received_at",
        "structure",
        "pseudonym",
        "sentiment",
        "channel",
        "status",
        "answered_at",
    ]
    list_filter = ["status", "sentiment", "channel"]
    search_fields = ["structure__name", "structure__code", "pseudonym"]
    list_select_related = ["structure"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "structure", "updated_at"]
    search_fields = ["title", "structure__name"]
