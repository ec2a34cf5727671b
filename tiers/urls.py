"""The tiers app's pages: decisions and definitions, and the support owed and given."""

from django.urls import include, path

app_name = "tiers"
urlpatterns = [
    path("", include("tiers.urls_decisions")),
    path("", include("tiers.urls_support")),
]
