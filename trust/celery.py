"""The Celery app. With a broker configured it talks to Redis; without one, tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trust.settings")

app = Celery("trust")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
