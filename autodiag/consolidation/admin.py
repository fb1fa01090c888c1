from django.contrib import admin

from autodiag.consolidation.models import Export, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["structure", "sent_by", "sent_at"]
    readonly_fields = ["structure", "sent_by", "sent_at", "recipients"]
    search_fields = ["structure__name", "structure__code"]

    def has_add_permission(self, request):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "kind", "file_format", "status", "done", "total", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False
