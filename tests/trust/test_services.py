"""On PostgreSQL, Redis and a real Celery worker: run when DATABASE_URL and REDIS_URL are set
(CI sets them), and fail, not skip, when those services are down."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from trust.tasks import report_services

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


@pytest.fixture
def celery_worker(services, transactional_db):
    """A real worker process on the configured Redis broker, using the test database and a
    queue of its own (so no other worker can take its tasks)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "trust", "worker", "--pool", "solo", "-Q", queue,
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_the_services_are_the_real_ones(services):
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


def test_a_task_runs_on_a_real_celery_worker(celery_worker):
    result = report_services.apply_async(queue=celery_worker)
    report = result.get(timeout=60)
    assert report["worker"]["pid"] != os.getpid()  # another process did the work
    assert report["database"] == {"status": "ok", "engine": "postgresql"}
    assert report["redis"] == {"status": "ok"}


def test_healthz_reports_redis(services, client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == {"status": "ok"}
    assert response.json()["database"]["engine"] == "postgresql"
