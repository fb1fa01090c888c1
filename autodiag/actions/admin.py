"""Django's admin for national administrators: read the plans, fix a
sheet if asked; reviews are the record of what the team said."""

from django.contrib import admin

from autodiag.actions.models import ActionPlan, ActionReview, ActionSheet


class ReviewInline(admin.TabularInline):
    model = ActionReview
    extra = 0
    fields = ["reviewed_on", "status_before", "status", "progress", "note", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActionSheet)
class ActionSheetAdmin(admin.ModelAdmin):
    list_display = ["structure", "number", "title", "commitment", "status", "planned_end_date"]
    list_filter = ["status", "commitment", "users_asked"]
    search_fields = ["title", "structure__name", "structure__code"]
    readonly_fields = ["structure", "number", "questionnaire", "status", "progress", "closed_on",
                       "source_diagnostic", "created_by", "created_at", "updated_by", "updated_at"]  # fmt: skip
    inlines = [ReviewInline]


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["structure", "last_number", "is_public", "public_changed_at"]
    list_filter = ["is_public"]
    search_fields = ["structure__name", "structure__code"]
    readonly_fields = ["structure", "last_number", "public_changed_at", "public_changed_by"]
