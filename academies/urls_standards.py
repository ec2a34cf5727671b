"""The trust's aims and performance standards. Before the academy patterns, so "standards" is
never read as a URN."""

from django.urls import path

from . import views_standards

urlpatterns = [
    path("standards/", views_standards.standard_list, name="standards"),
    path("standards/aims/<int:number>/edit/", views_standards.aim_edit, name="aim-edit"),
    path("standards/<slug:code>/", views_standards.standard_detail, name="standard"),
    path("standards/<slug:code>/edit/", views_standards.standard_edit, name="standard-edit"),
]
