"""Risk alerts delivered by a real Celery worker through a real Redis, each email exactly once,
including across a Redis outage: the change still commits promptly, its notifications wait in
the database, and the sweep sends them once Redis is back.

Runs when DATABASE_URL and REDIS_URL are set (PostgreSQL, Redis). The shared Redis is never
touched: the test starts a throwaway redis-server of its own on a free port, points this
process's Celery app at it, and starts a worker on it; the worker writes its emails to files
(EMAIL_URL=filemail://...), so that each message can be counted.
"""

import datetime
import email
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection
from django.db.models import F

from healthchecks.risks import risk_raise
from tests.factories import Role
from trust import tasks
from trust.celery import app
from trust.models import Membership, Notification
from trust.notifications import SWEEP_GRACE, send_emails, unsent_email_ids

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"
R = Role
pytestmark = pytest.mark.services


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, with nothing saved, that can be stopped and started
    again on the same port."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 15
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _forget_connections():
    """Drop the app's broker pool, producers and result backend, so that the next task sent
    connects afresh to what the configuration now names."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def private_redis(services):
    """A throwaway Redis, and this process's Celery app sending to it (as the web would)."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail(f"{REDIS_SERVER} is needed to run this test")
    server = RedisServer(free_port())
    server.start()
    saved = {name: app.conf[name] for name in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=server.url, result_backend=server.url, task_always_eager=False)
    _forget_connections()
    try:
        yield server
    finally:
        app.conf.update(saved)
        _forget_connections()
        server.stop()


@pytest.fixture
def mailbox(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker(private_redis, mailbox, transactional_db, tmp_path):
    """A real worker on the throwaway Redis and the test database, emailing into `mailbox`.
    The broker is the test's own, so the worker takes the default queue: the tasks the app
    enqueues on commit reach it as they would in production."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": private_redis.url,
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_RESULT_BACKEND": private_redis.url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_URL": f"filemail:///{mailbox}",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "trust", "worker", "--pool", "solo",
             "--hostname", f"delivery-{uuid.uuid4().hex[:8]}@%h", "--without-mingle", "--without-gossip",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        print(log.read_text())  # pytest shows it when the test fails


def sent(mailbox):
    """(recipient, subject) of every email the worker wrote."""
    messages = []
    for path in sorted(mailbox.iterdir()):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                messages.append((message["To"], message["Subject"]))
    return messages


def wait_until(condition, timeout=60, what="the worker"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout}s for {what}")
        time.sleep(0.2)


def raise_risk(world, title):
    return risk_raise(
        by=world[R.SIEL], academy=world.north_a, category="attendance", title=title,
        description="Two terms above national.", likelihood=4, impact=4, owner=world[R.HEADTEACHER],
    )


def alerts_for(risk):
    return Notification.objects.filter(dedupe_key=f"risk:{risk.uuid}:raised")


RECIPIENTS = ["chair@trust.test", "exec@trust.test", "head@trust.test", "hublead@trust.test",
              "siel@trust.test"]


def test_alerts_are_emailed_once_by_the_worker_even_across_a_redis_outage(
    world, private_redis, worker, mailbox
):
    chair = Membership.objects.get(user=world[R.GOVERNOR])
    chair.lgb_chair = True
    chair.save()
    type(world[R.GOVERNOR]).objects.filter(pk=world[R.GOVERNOR].pk).update(email="chair@trust.test")

    # 1. Redis is up: the email task enqueued on commit reaches the worker, which sends each
    # recipient's email once.
    first = raise_risk(world, "Persistent absence is rising")
    assert sorted(alerts_for(first).values_list("user__email", flat=True)) == RECIPIENTS
    wait_until(
        lambda: not alerts_for(first).filter(emailed_at__isnull=True).exists(), what="the first emails"
    )
    subject = f"{first.reference}: new red risk, North A"
    assert sorted(sent(mailbox)) == [(to, subject) for to in RECIPIENTS]
    assert send_emails(notification_ids=list(alerts_for(first).values_list("pk", flat=True))) == 0

    # 2. Redis stops: raising a risk still commits, promptly, with its notifications owed.
    private_redis.stop()
    started = time.monotonic()
    second = raise_risk(world, "Suspensions are rising")
    took = time.monotonic() - started
    assert took < 5, f"raising a risk took {took:.1f}s with the broker down"
    owed = alerts_for(second)
    assert sorted(owed.values_list("user__email", flat=True)) == RECIPIENTS
    assert owed.filter(email=True, emailed_at__isnull=True, email_claimed_at__isnull=True).count() == 5

    # 3. Redis is back on the same port: the sweep, through the worker, sends each owed email
    # once, the first alerts not again; a second sweep sends nothing.
    private_redis.start()
    _forget_connections()
    owed.update(created_at=F("created_at") - SWEEP_GRACE - datetime.timedelta(minutes=1))
    assert tasks.send_unsent_notification_emails.delay().get(timeout=90) == 5
    assert not owed.filter(emailed_at__isnull=True).exists()
    assert tasks.send_unsent_notification_emails.delay().get(timeout=60) == 0
    assert send_emails(notification_ids=unsent_email_ids()) == 0

    second_subject = f"{second.reference}: new red risk, North A"
    assert sorted(sent(mailbox)) == sorted(
        [(to, subject) for to in RECIPIENTS] + [(to, second_subject) for to in RECIPIENTS]
    )
