from django.contrib import admin

from .models import Academy


@admin.register(Academy)
class AcademyAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "academy_type", "hub", "status", "date_joined"]
    list_filter = ["status", "phase", "hub"]
    search_fields = ["name", "urn", "local_authority"]
