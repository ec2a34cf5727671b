"""The admin shows tier decisions, recommendations and support read-only: every change to them
goes through the screens or the API, which keep their history and send their alerts. Definitions
and engine rules are edited on the trust's own screens (tiers/definitions/, tiers/rules/), which
check them and bring schedules and recommendations up to date."""

from django.contrib import admin

from healthchecks.admin import ReadOnlyAdmin

from .models import (
    BaselineAssessment,
    CapacityOffer,
    SupportItem,
    SupportLogEntry,
    TierAssignment,
    TierDefinition,
    TierEvent,
    TierRecommendation,
    TierRule,
)


@admin.register(TierDefinition)
class TierDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["academic_year", "number", "name", "led_by"]
    list_filter = ["academic_year"]


@admin.register(TierAssignment)
class TierAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["academy", "academic_year", "tier", "kind", "status", "board_meeting", "board_minute"]
    list_filter = ["academic_year", "status", "kind", "tier"]
    search_fields = ["academy__name", "academy__urn", "board_minute"]


@admin.register(TierEvent)
class TierEventAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "action", "by", "at"]
    list_filter = ["action"]


@admin.register(TierRecommendation)
class TierRecommendationAdmin(ReadOnlyAdmin):
    list_display = ["academy", "academic_year", "tier", "agreed_tier", "current", "computed_at"]
    list_filter = ["academic_year", "current", "tier"]
    search_fields = ["academy__name", "academy__urn"]


@admin.register(TierRule)
class TierRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "active", "weight", "decisive"]
    list_filter = ["kind", "active"]


@admin.register(SupportItem)
class SupportItemAdmin(ReadOnlyAdmin):
    list_display = ["academy", "kind", "due_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["academy__name", "academy__urn"]


@admin.register(SupportLogEntry)
class SupportLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["academy", "kind", "held_on", "source", "recorded_by"]
    list_filter = ["kind", "source"]


@admin.register(CapacityOffer)
class CapacityOfferAdmin(ReadOnlyAdmin):
    list_display = ["provider_name", "theme", "expertise", "days_available", "academic_year"]
    list_filter = ["academic_year", "theme"]


@admin.register(BaselineAssessment)
class BaselineAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["academy", "assessed_on", "capacity", "proposed_tier", "status"]
    list_filter = ["status", "capacity"]
