"""The benchmark's URLconf: the project's own, plus the trivial view pages are measured against."""

from django.urls import include, path

from .pages import trivial

urlpatterns = [
    path("__bench__/trivial/", trivial, name="bench-trivial"),
    path("", include("trust.urls")),
]
