"""Development plans, common priorities across the trust, and the export of objectives."""

from django.urls import path

from . import views_plans

urlpatterns = [
    path("priorities/", views_plans.common_priorities, name="priorities"),
    path("<str:urn>/plan/", views_plans.plan_page, name="plan"),
    path("<str:urn>/plan/priorities/", views_plans.priority_create, name="plan-priority-create"),
    path("<str:urn>/plan/priorities/<uuid:uuid>/edit/", views_plans.priority_edit, name="plan-priority-edit"),
    path("<str:urn>/plan/priorities/<uuid:uuid>/delete/", views_plans.priority_delete,
         name="plan-priority-delete"),
    path("<str:urn>/plan/priorities/<uuid:uuid>/actions/", views_plans.action_create,
         name="plan-action-create"),
    path("<str:urn>/plan/priorities/<uuid:uuid>/reviews/", views_plans.review_create,
         name="plan-review-create"),
    path("<str:urn>/plan/actions/<uuid:uuid>/edit/", views_plans.action_edit, name="plan-action-edit"),
    path("<str:urn>/objectives.csv", views_plans.objectives_export, {"fmt": "csv"}, name="objectives-csv"),
    path("<str:urn>/objectives.xlsx", views_plans.objectives_export, {"fmt": "xlsx"}, name="objectives-xlsx"),
    path("<str:urn>/objectives.pdf", views_plans.objectives_export, {"fmt": "pdf"}, name="objectives-pdf"),
]
