"""The health-checks app's pages: reports, risks and link-governor visits, one module each."""

from django.urls import include, path

app_name = "healthchecks"
urlpatterns = [
    path("", include("healthchecks.urls_reports")),
    path("", include("healthchecks.urls_risks")),
    path("", include("healthchecks.urls_visits")),
]
