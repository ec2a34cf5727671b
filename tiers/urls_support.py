"""The support pages: schedule and log, the trust's overview, calendar and feed, capacity, baselines."""

from django.urls import path

from . import views_baselines, views_capacity, views_support

urlpatterns = [
    path("academies/<str:urn>/support/", views_support.academy_support, name="support"),
    path("academies/<str:urn>/support/log/", views_support.support_log, name="support-log"),
    path("tiers/support/entries/<uuid:uuid>/delete/", views_support.support_delete, name="support-delete"),
    path("tiers/support/", views_support.support_overview, name="support-overview"),
    path("tiers/support/calendar/", views_support.calendar_month, name="calendar"),
    path("tiers/support/calendar/feed/", views_support.calendar_feed_settings, name="calendar-feed-settings"),
    path("tiers/support/calendar/<str:token>.ics", views_support.calendar_feed, name="calendar-feed"),
    path("tiers/capacity/", views_capacity.capacity, name="capacity"),
    path("tiers/capacity/new/", views_capacity.capacity_create, name="capacity-create"),
    path("tiers/capacity/<uuid:uuid>/edit/", views_capacity.capacity_edit, name="capacity-edit"),
    path("tiers/capacity/<uuid:uuid>/delete/", views_capacity.capacity_delete, name="capacity-delete"),
    path("academies/<str:urn>/capacity/", views_capacity.academy_capacity, name="academy-capacity"),
    path("tiers/baselines/", views_baselines.baseline_list, name="baselines"),
    path("academies/<str:urn>/baseline/new/", views_baselines.baseline_create, name="baseline-create"),
    path("tiers/baselines/<uuid:uuid>/", views_baselines.baseline_detail, name="baseline"),
    path("tiers/baselines/<uuid:uuid>/edit/", views_baselines.baseline_edit, name="baseline-edit"),
    path(
        "tiers/baselines/<uuid:uuid>/complete/", views_baselines.baseline_complete, name="baseline-complete"
    ),
]
