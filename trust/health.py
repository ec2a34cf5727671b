"""Service checks behind /healthz: the database always, Redis when it is configured."""

import redis
from django.conf import settings
from django.db import connection


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to talk to the database is "down"
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok", "engine": connection.vendor}


def check_redis():
    if not settings.REDIS_URL:
        return {"status": "not configured"}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok"}


def service_report():
    checks = {"database": check_database(), "redis": check_redis()}
    healthy = all(c["status"] != "down" for c in checks.values())
    return healthy, {"status": "ok" if healthy else "down", **checks}
