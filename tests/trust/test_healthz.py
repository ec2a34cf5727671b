from unittest import mock

from django.db.utils import OperationalError


def test_healthy_with_the_embedded_defaults(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["redis"] == {"status": "not configured"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_configured_redis_that_is_down_is_503(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["status"] == "down"
    assert response.json()["database"]["status"] == "ok"


def test_a_database_that_is_down_is_503(client, db, settings):
    settings.REDIS_URL = ""
    with mock.patch("trust.health.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"status": "down", "error": "OperationalError"}
