from django.urls import include, path

from . import views

app_name = "academies"
urlpatterns = [
    path("", views.academy_list, name="list"),
    path("new/", views.academy_create, name="create"),
    # Performance data: imports, measures, and an academy's results, inspections and
    # self-evaluation. Before the academy patterns, so "imports" is never read as a URN.
    path("", include("academies.urls_imports")),
    path("", include("academies.urls_data")),
    path("", include("academies.urls_targets")),
    path("", include("academies.urls_plans")),
    path("", include("academies.urls_standards")),
    path("<str:urn>/", views.academy_detail, name="detail"),
    path("<str:urn>/edit/", views.academy_edit, name="edit"),
]
