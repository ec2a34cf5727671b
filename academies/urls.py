from django.urls import path

from . import views

app_name = "academies"
urlpatterns = [
    path("", views.academy_list, name="list"),
    path("new/", views.academy_create, name="create"),
    path("<str:urn>/", views.academy_detail, name="detail"),
    path("<str:urn>/edit/", views.academy_edit, name="edit"),
]
