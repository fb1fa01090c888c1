from django.contrib import admin

from autodiag.structures.models import Invitation, Membership, Network, Scope, Structure


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "network", "department_code", "is_active"]
    list_filter = ["network", "typology", "is_active"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "network", "regions", "departments"]
    list_filter = ["kind", "network"]
    autocomplete_fields = ["user", "network"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "structure", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "structure__name"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]
