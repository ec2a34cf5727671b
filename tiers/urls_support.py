urlpatterns: list = [
    # Owned by the support pages: schedule and log, calendar and feed, capacity, baselines.
]
