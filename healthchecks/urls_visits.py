from django.urls import path

from . import views_visits as views

urlpatterns = [
    path("academies/<str:urn>/visits/", views.visit_list, name="visits"),
    path("academies/<str:urn>/visits/new/", views.visit_create, name="visit-create"),
    path("visits/<uuid:uuid>/edit/", views.visit_edit, name="visit-edit"),
]
