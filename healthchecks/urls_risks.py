from django.urls import path

from . import views_risks as views

urlpatterns = [
    path("risks/", views.risk_register, name="risks"),
    path("risks/board/", views.risk_board, name="risks-board"),
    path("risks/export.<str:fmt>", views.risk_export, name="risks-export"),
    path("risks/new/", views.risk_create, name="risk-create"),
    path("risks/rules/", views.rule_list, name="rules"),
    path("risks/rules/new/", views.rule_create, name="rule-create"),
    path("risks/rules/<uuid:uuid>/edit/", views.rule_edit, name="rule-edit"),
    path("risks/<uuid:uuid>/", views.risk_detail, name="risk"),
    path("risks/<uuid:uuid>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<uuid:uuid>/review/", views.risk_review, name="risk-review"),
    path("risks/<uuid:uuid>/close/", views.risk_close, name="risk-close"),
    path("risks/<uuid:uuid>/reopen/", views.risk_reopen, name="risk-reopen"),
    path("academies/<str:urn>/risks/", views.academy_risks, name="academy-risks"),
]
