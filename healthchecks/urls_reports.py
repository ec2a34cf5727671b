from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("health-checks/", views.health_check_list, name="list"),
    path("academies/<str:urn>/health-checks/", views.academy_health_checks, name="academy-list"),
    path("academies/<str:urn>/health-checks/new/", views.health_check_create, name="create"),
    path("health-checks/<uuid:uuid>/", views.health_check_detail, name="detail"),
    path("health-checks/<uuid:uuid>/edit/", views.health_check_edit, name="edit"),
    path("health-checks/<uuid:uuid>/submit/", views.health_check_submit, name="submit"),
    path("health-checks/<uuid:uuid>/respond/", views.health_check_respond, name="respond"),
    path("health-checks/<uuid:uuid>/return/", views.health_check_return, name="return"),
    path("health-checks/<uuid:uuid>/publish/", views.health_check_publish, name="publish"),
    path("health-checks/<uuid:uuid>/report.pdf", views.health_check_pdf, name="pdf"),
    path("health-check-actions/<uuid:uuid>/update/", views.action_update, name="action-update"),
]
