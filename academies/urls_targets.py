"""An academy's targets, each target and the steps of its year, and the Trust Board's list."""

from django.urls import path

from . import views_targets as views

urlpatterns = [
    path("targets/board/", views.targets_board, name="targets-board"),
    path("<str:urn>/targets/", views.academy_targets, name="targets"),
    path("<str:urn>/targets/new/", views.target_create, name="target-create"),
    path("<str:urn>/targets/<uuid:uuid>/", views.target_detail, name="target"),
    path("<str:urn>/targets/<uuid:uuid>/edit/", views.target_edit, name="target-edit"),
    path("<str:urn>/targets/<uuid:uuid>/propose/", views.target_propose, name="target-propose"),
    path("<str:urn>/targets/<uuid:uuid>/review/", views.target_review, name="target-review"),
    path("<str:urn>/targets/<uuid:uuid>/return/", views.target_return, name="target-return"),
    path("<str:urn>/targets/<uuid:uuid>/agree/", views.target_agree, name="target-agree"),
    path("<str:urn>/targets/<uuid:uuid>/amend/", views.target_amend, name="target-amend"),
]
