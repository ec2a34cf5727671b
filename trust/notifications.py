"""Notifications: telling the people who must act, in the app and by email.

A caller creates notifications with `notify` inside the transaction of the change that caused
them, so an alert exists exactly when its cause does. Emails go out after commit through a
Celery task; if the broker cannot take the task at that moment, the user's request still
succeeds and `send_unsent_emails` (run periodically) sends what is still owed. Each email is
claimed before it is sent, so a notification is emailed once however often the task runs.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .access import scope_for
from .models import ACADEMY_ROLES, HUB_ROLES, TRUST_ROLES, Membership, Notification, User

log = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
# The task enqueued on commit normally sends within seconds; the periodic sweep leaves younger
# notifications to it rather than racing it.
SWEEP_GRACE = datetime.timedelta(minutes=5)
SWEEP_BATCH = 200


def people_with_roles(roles, academy=None):
    """Active people who hold any of `roles` for `academy`: trust-wide roles always, a hub
    lead for the academies of their hub, academy roles at that academy. With no academy,
    only trust-wide roles count. One query when evaluated."""
    roles = set(roles)
    held = Q(role__in=sorted(roles & TRUST_ROLES), hub=None, academy=None)
    if academy is not None:
        if academy.hub_id is not None:
            held |= Q(role__in=sorted(roles & HUB_ROLES), hub_id=academy.hub_id)
        held |= Q(role__in=sorted(roles & ACADEMY_ROLES), academy_id=academy.pk)
    memberships = Membership.objects.filter(held, user=OuterRef("pk"))
    return User.objects.filter(Exists(memberships), is_active=True)


def notify(*, users, kind, title, body, url, academy=None, dedupe_key="", email=True):
    """Tell each of `users` about one event. Returns the notifications created.

    Inactive people are skipped, and so is anyone already told about the event `dedupe_key`
    names (e.g. "target:<uuid>:off_track:2026-11-22"), even by a concurrent call. Call it
    inside the transaction of the change; with `email`, the emails are sent after commit.
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"A notification links to a path inside the app, not {url!r}.")
    recipients = {user.pk: user for user in users if user.is_active}
    if not recipients:
        return []
    with transaction.atomic():
        if dedupe_key:
            told = Notification.objects.filter(dedupe_key=dedupe_key, user_id__in=recipients)
            for user_id in told.values_list("user_id", flat=True):
                del recipients[user_id]
        now = timezone.now()
        candidates = [
            Notification(
                uuid=uuid.uuid4(), user=user, kind=kind, title=title, body=body, url=url,
                academy=academy, created_at=now, email=email, dedupe_key=dedupe_key,
            )
            for user in recipients.values()
        ]
        # A concurrent call for the same event may insert between the check above and here:
        # its rows win and ours are dropped, so find which of ours went in by their uuids.
        Notification.objects.bulk_create(candidates, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(uuid__in=[n.uuid for n in candidates]).order_by("pk")
        )
        ids = [n.pk for n in created if n.email]
        if ids:
            transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def _enqueue_emails(notification_ids):
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(notification_ids)
    except Exception:
        # The change that caused the notifications is committed and must not fail now; the
        # emails are still owed in the database and the periodic sweep sends them.
        log.exception("notifications %s: could not send the emails now; they will be retried",
                      notification_ids)


def _stale_claim_before(now):
    return now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _claim(notification_id, now):
    """Take one notification's email, unless it was sent or another sender holds it."""
    return Notification.objects.email_unsent().filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=_stale_claim_before(now)),
        pk=notification_id,
    ).update(email_claimed_at=now)


def send_emails(*, notification_ids):
    """Email each notification not yet emailed, one message each. Returns how many were sent.

    Safe to run twice and concurrently: a notification is sent only by the run that claims it.
    If sending fails, the claim is given back and the error raised, so that a retry sends it.
    """
    sent = 0
    connection = None
    try:
        for notification_id in notification_ids:
            now = timezone.now()
            if not _claim(notification_id, now):
                continue
            notification = Notification.objects.select_related("user", "academy").get(pk=notification_id)
            connection = connection or get_connection()
            try:
                _message(notification, connection).send()
            except Exception:
                Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
                    email_claimed_at=None
                )
                raise
            Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def unsent_email_ids(*, limit=SWEEP_BATCH):
    """Notifications whose email is still owed, old enough that their own task has had its
    chance (the broker was down, or the task failed for good)."""
    now = timezone.now()
    return list(
        Notification.objects.email_unsent()
        .filter(created_at__lt=now - SWEEP_GRACE)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=_stale_claim_before(now)))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def site_url():
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/")


def _message(notification, connection):
    base = site_url()
    context = {
        "notification": notification,
        "user": notification.user,
        "link": f"{base}{notification.url}",
        "all_link": f"{base}{reverse('notifications:list')}",
    }
    subject = " ".join(render_to_string("emails/notification_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/notification.txt", context),
        to=[notification.user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    return message


def notifications_for(user):
    """The person's notifications, less those about academies they no longer see: someone who
    has left a role is not shown that academy's alerts any more."""
    mine = Notification.objects.filter(user=user)
    covered = scope_for(user).academy_q(prefix="academy__")
    if not covered:  # an empty filter: a trust-wide role sees every academy
        return mine
    return mine.filter(Q(academy__isnull=True) | covered)
