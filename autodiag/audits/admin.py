"""Django's admin for national administrators: they give an auditor access
to a structure for a period. Scores are the auditor's: read-only here, and
a validated audit cannot change (the database refuses it anyway)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError

from autodiag.audits.models import Audit, AuditAnswer, AuditError, check_grant
from autodiag.questionnaires.models import QuestionnaireVersion


class AuditForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = ["structure", "auditor", "grid", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grid = self.fields.get("grid")
        if grid is not None and not self.instance.pk:
            current = QuestionnaireVersion.objects.filter(pk=settings.CURRENT_AUDIT_GRID).first()
            grid.initial = current.pk if current else None

    def clean(self):
        data = super().clean()
        existing = self.instance if self.instance.pk else None
        structure = data.get("structure") or (existing and existing.structure)
        auditor = data.get("auditor") or (existing and existing.auditor)
        if structure and auditor:
            try:
                check_grant(
                    structure, auditor, data.get("starts_on"), data.get("ends_on"), self.instance
                )
            except AuditError as exc:
                raise ValidationError(str(exc)) from exc
        return data


class AuditAnswerInline(admin.TabularInline):
    model = AuditAnswer
    extra = 0
    fields = ["question_id", "value", "evidence", "comment", "updated_by", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    form = AuditForm
    list_display = ["pk", "structure", "auditor", "starts_on", "ends_on", "status", "validated_at"]
    list_filter = ["status", "grid"]
    search_fields = ["structure__name", "structure__code", "auditor__email"]
    autocomplete_fields = ["structure", "auditor"]
    inlines = [AuditAnswerInline]

    def get_readonly_fields(self, request, obj=None):
        frozen = ["status", "granted_by", "created_at", "validated_at", "report"]
        if obj is None:
            return []
        if obj.is_draft:
            return ["structure", "grid", *frozen]
        # Validated: only the period stays open (the auditor's access to the report).
        return ["structure", "auditor", "grid", *frozen]

    def get_fields(self, request, obj=None):
        fields = ["structure", "auditor", "grid", "starts_on", "ends_on"]
        return (
            fields
            if obj is None
            else [*fields, "status", "granted_by", "created_at", "validated_at"]
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        audit = Audit.objects.grant(
            data["structure"],
            data["auditor"],
            data["starts_on"],
            data["ends_on"],
            by=request.user,
            grid=data["grid"],
        )
        obj.pk = audit.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.is_draft
