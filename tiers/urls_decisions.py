"""The tier decision pages: the board, an academy's tier, proposals, definitions and rules."""

from django.urls import path

from . import views_decisions as views

urlpatterns = [
    path("tiers/", views.board, name="board"),
    path("tiers/board/agree/", views.agree_many, name="agree-many"),
    path("academies/<str:urn>/tier/", views.academy_tier, name="academy"),
    path("academies/<str:urn>/tier/propose/", views.propose, name="propose"),
    path("tiers/assignments/<uuid:uuid>/edit/", views.assignment_edit, name="assignment-edit"),
    path("tiers/assignments/<uuid:uuid>/agree/", views.assignment_agree, name="assignment-agree"),
    path("tiers/assignments/<uuid:uuid>/decline/", views.assignment_decline, name="assignment-decline"),
    path("tiers/assignments/<uuid:uuid>/withdraw/", views.assignment_withdraw, name="assignment-withdraw"),
    path("tiers/definitions/", views.definitions, name="definitions"),
    path(
        "tiers/definitions/<int:start_year>/<int:number>/edit/",
        views.definition_edit,
        name="definition-edit",
    ),
    path("tiers/rules/", views.rules, name="rules"),
    path("tiers/rules/new/", views.rule_create, name="rule-create"),
    path("tiers/rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
]
