from django.contrib import admin

from autodiag.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created on the consolidated pages (shown once there);
    the admin lists them and may revoke them, never reveals them."""

    list_display = [
        "name",
        "network",
        "hint",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["network"]
    readonly_fields = [
        "network",
        "name",
        "created_by",
        "key_hash",
        "hint",
        "created_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Révoquer les jetons choisis")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
