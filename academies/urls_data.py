"""An academy's results, inspections and self-evaluation; the measures catalogue."""

from django.urls import path

from . import views_data

urlpatterns = [
    path("measures/", views_data.measure_list, name="measures"),
    path("<str:urn>/data/", views_data.academy_data, name="data"),
    path("<str:urn>/ofsted/", views_data.academy_ofsted, name="ofsted"),
    path("<str:urn>/ofsted/<uuid:uuid>/next-due/", views_data.inspection_next_due,
         name="inspection-next-due"),
    path("<str:urn>/sef/", views_data.sef_create, name="sef"),
]
