"""The admin shows health checks, risks and visits read-only: every change to them goes through
the screens or the API, which keep their history and send their alerts. Risk rules are the
trust's reference data and are edited here too."""

from django.contrib import admin

from .models import Action, GovernorVisit, HealthCheck, Risk, RiskEvent, RiskRule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthCheck)
class HealthCheckAdmin(ReadOnlyAdmin):
    list_display = ["academy", "kind", "visit_start", "status", "lead_reviewer"]
    list_filter = ["status", "kind"]
    search_fields = ["academy__name", "academy__urn"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["health_check", "number", "status", "due_on"]
    list_filter = ["status"]


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "academy", "category", "score", "rag", "visibility", "status"]
    list_filter = ["status", "rag", "category", "visibility"]
    search_fields = ["reference", "title", "academy__name"]


@admin.register(RiskEvent)
class RiskEventAdmin(ReadOnlyAdmin):
    list_display = ["risk", "kind", "by", "by_task", "at"]
    list_filter = ["kind"]


@admin.register(GovernorVisit)
class GovernorVisitAdmin(ReadOnlyAdmin):
    list_display = ["academy", "governor", "visited_on", "focus"]


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "category", "likelihood", "impact", "visibility"]
    list_filter = ["kind", "active"]
