from django.contrib import admin

from autodiag.structures.models import Membership, Network, Structure


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
