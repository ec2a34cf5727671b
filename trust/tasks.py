import os
import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import notifications
from .health import service_report

# Database hiccups and network or SMTP failures (smtplib's errors are OSErrors) pass with time,
# so they are retried with backoff; anything else is a bug and fails loudly.
TRANSIENT = (OperationalError, InterfaceError, OSError)


@shared_task(acks_late=True)
def report_services():
    """Check the services from inside a worker: proof that the worker reaches what the web does."""
    _healthy, report = service_report()
    return {**report, "worker": {"host": socket.gethostname(), "pid": os.getpid()}}


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600,
             max_retries=8)
def send_notification_emails(notification_ids):
    """Email these notifications, each once: a second delivery finds them sent and sends
    nothing. Returns how many were sent."""
    return notifications.send_emails(notification_ids=notification_ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def send_unsent_notification_emails():
    """Periodically: send the emails still owed because the broker was down when their
    notifications were made, or their task gave up. Returns how many were sent."""
    return notifications.send_emails(notification_ids=notifications.unsent_email_ids())


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600,
             max_retries=8)
def send_digest(user_id):
    """One person's daily digest, once however often it runs."""
    return notifications.send_digest(user_id=user_id)


@shared_task(acks_late=True)
def send_daily_digests():
    """Daily: a digest task per person with notifications owed to their digest."""
    user_ids = notifications.digest_user_ids()
    for user_id in user_ids:
        send_digest.delay(user_id)
    return len(user_ids)
