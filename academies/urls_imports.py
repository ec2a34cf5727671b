"""Imports in the browser, under /academies/imports/ (names start with "import")."""

from django.urls import path, re_path

from . import views_imports as views

urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import-new"),
    re_path(r"^imports/template\.(?P<fmt>csv|xlsx)$", views.import_template, name="import-template"),
    path("imports/<uuid:uuid>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:uuid>/progress/", views.import_progress, name="import-progress"),
    path("imports/<uuid:uuid>/errors.csv", views.import_errors_csv, name="import-errors"),
]
