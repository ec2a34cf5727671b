from django.contrib import admin
from django.db import models

from .models import (
    Academy,
    Comparator,
    DevelopmentPlan,
    ImportBatch,
    Inspection,
    InspectionJudgement,
    Measure,
    PerformanceStandard,
    Result,
    SEFJudgement,
    StrategicAim,
    Target,
    TargetEvent,
    TargetPolicy,
)


@admin.register(Academy)
class AcademyAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "academy_type", "hub", "status", "date_joined"]
    list_filter = ["status", "phase", "hub"]
    search_fields = ["name", "urn", "local_authority"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "category", "unit", "higher_is_better", "trust_defined"]
    list_filter = ["category", "trust_defined"]
    search_fields = ["label", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Seeded measures are rewritten from the catalogue after every migrate: an edit here
        # would be lost, so they are shown, not edited.
        if obj is not None and not obj.trust_defined:
            return [f.name for f in obj._meta.fields]
        return ["trust_defined"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.trust_defined


class FigureAdmin(admin.ModelAdmin):
    """Results and comparators: searchable, and cheap to list however many there are."""

    list_filter = ["measure__category", "academic_year", "pupil_group"]
    autocomplete_fields = ["measure"]
    raw_id_fields = ["batch"]
    readonly_fields = ["updated_at"]


@admin.register(Result)
class ResultAdmin(FigureAdmin):
    list_display = ["academy", "measure", "academic_year", "term", "pupil_group", "year_group", "subject",
                    "value", "state", "cohort", "source"]
    list_select_related = ["academy", "measure", "academic_year"]
    list_filter = [*FigureAdmin.list_filter, "source"]
    search_fields = ["academy__name", "academy__urn", "measure__code", "measure__label"]
    autocomplete_fields = ["academy", "measure"]


@admin.register(Comparator)
class ComparatorAdmin(FigureAdmin):
    list_display = ["area", "area_code", "area_name", "measure", "academic_year", "pupil_group",
                    "year_group", "subject", "value", "state"]
    list_select_related = ["measure", "academic_year"]
    list_filter = ["area", *FigureAdmin.list_filter]
    search_fields = ["area_code", "area_name", "measure__code", "measure__label"]


class JudgementInline(admin.TabularInline):
    model = InspectionJudgement
    extra = 0
    fields = ["area", "grade", "grade_date"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["academy", "start_date", "framework", "overall_effectiveness", "category_of_concern",
                    "urn_at_inspection"]
    list_select_related = ["academy"]
    list_filter = ["framework", "category_of_concern"]
    search_fields = ["academy__name", "academy__urn", "urn_at_inspection", "inspection_number"]
    autocomplete_fields = ["academy"]
    raw_id_fields = ["batch"]
    date_hierarchy = "start_date"
    inlines = [JudgementInline]
    # Ofsted's report links are https; a link typed without a scheme is taken to be so too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SEFJudgement)
class SEFJudgementAdmin(admin.ModelAdmin):
    list_display = ["academy", "area", "scale", "grade", "judged_on", "entered_by"]
    list_select_related = ["academy", "entered_by"]
    list_filter = ["scale", "area"]
    search_fields = ["academy__name", "academy__urn"]
    autocomplete_fields = ["academy"]
    raw_id_fields = ["entered_by"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """A record of what was imported: kept as it happened, so nothing here is editable."""

    list_display = ["file_name", "kind", "status", "dry_run", "uploaded_by", "created_at", "created",
                    "updated", "unchanged"]
    list_select_related = ["uploaded_by"]
    list_filter = ["status", "kind", "dry_run"]
    search_fields = ["file_name", "checksum"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TargetPolicy)
class TargetPolicyAdmin(admin.ModelAdmin):
    """The trust's thresholds for target progress, suggestions and the board's deadline."""

    list_display = ["trust", "at_risk_margin", "default_challenge", "deadline_month", "deadline_day"]


@admin.register(StrategicAim)
class StrategicAimAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]


@admin.register(PerformanceStandard)
class PerformanceStandardAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "rule", "aim", "order"]


class TargetEventInline(admin.TabularInline):
    model = TargetEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "by", "at", "from_status", "to_status", "reason", "changes"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Read-only: targets move only through their workflow, so that every step has its history."""

    list_display = ["academy", "academic_year", "measure", "pupil_group", "value", "status", "progress"]
    list_filter = ["status", "progress", "academic_year"]
    search_fields = ["academy__name", "academy__urn"]
    inlines = [TargetEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(admin.ModelAdmin):
    list_display = ["academy", "academic_year", "updated_at"]
    list_filter = ["academic_year"]
