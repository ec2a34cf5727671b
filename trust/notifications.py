"""Notifications: telling the people who must act, in the app and by email.

A caller creates notifications with `notify` inside the transaction of the change that caused
them, so an alert exists exactly when its cause does. Emails go out after commit through a
Celery task; if the broker cannot take the task at that moment, the user's request still
succeeds and `send_unsent_emails` (run periodically) sends what is still owed. Each email is
claimed before it is sent, so a notification is emailed once however often the task runs.
"""

import datetime
import logging
import smtplib
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .access import scope_for
from .models import (
    ACADEMY_ROLES,
    HUB_ROLES,
    TRUST_ROLES,
    Membership,
    Notification,
    NotificationPreference,
    User,
)

log = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
# The task enqueued on commit normally sends within seconds; the periodic sweep leaves younger
# notifications to it rather than racing it.
SWEEP_GRACE = datetime.timedelta(minutes=5)
SWEEP_BATCH = 200

# Every kind of notification the product sends: code -> what a person reads on the settings
# page. Each person chooses, per kind, an email straight away, the daily digest, or the app only.
KINDS = {
    "target.review_needed": "Targets await the LGB's review",
    "target.decision_needed": "Targets await the Trust Board's decision",
    "target.returned": "Targets returned to draft",
    "target.off_track": "A target has gone off track",
    "target.deadline": "The deadline for agreeing targets",
    "risk.raised": "A risk is raised",
    "risk.changed": "A risk's score or rating changes",
    "risk.closed": "A risk is closed",
    "risk.review_overdue": "A risk's review is overdue",
    "healthcheck.submitted": "A health-check report awaits the headteacher's factual-accuracy check",
    "healthcheck.responded": "A headteacher has responded to a health-check report",
    "healthcheck.published": "A health-check report is published",
    "action.overdue": "A health-check action is overdue",
    "tier.recommendation_differs": "A tier recommendation differs from the agreed tier",
    "tier.decision_needed": "A tier proposal awaits the Trust Board's decision",
    "tier.decided": "The Trust Board decides a tier",
    "support.overdue": "Support owed to an academy is overdue",
}
Delivery = NotificationPreference.Delivery


def delivery_for(users, kind):
    """How each of `users` wants `kind` delivered: {user id: Delivery}. One query."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind)
        .values_list("user_id", "delivery")
    )
    return {user.pk: chosen.get(user.pk, Delivery.IMMEDIATE) for user in users}


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
    inside the transaction of the change; with `email`, each person gets it as they chose for
    its kind: an email sent after commit, a line in their daily digest, or the app only.
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
        delivery = delivery_for(list(recipients.values()), kind) if email else {}
        candidates = [
            Notification(
                uuid=uuid.uuid4(), user=user, kind=kind, title=title, body=body, url=url,
                academy=academy, created_at=now, dedupe_key=dedupe_key,
                email=delivery.get(user.pk) == Delivery.IMMEDIATE,
                digest=delivery.get(user.pk) == Delivery.DIGEST,
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


def withdraw(*, dedupe_prefix, still_sees):
    """Take back the notifications about one object (their keys start with `dedupe_prefix`)
    from the people who can no longer see it, e.g. when a shared risk becomes trust-only or a
    report goes back to draft: what they were told must not stay readable in their list.
    Returns how many were removed."""
    told = Notification.objects.filter(dedupe_key__startswith=dedupe_prefix).select_related("user")
    gone = [n.pk for n in told if not still_sees(n.user)]
    if gone:
        Notification.objects.filter(pk__in=gone).delete()
    return len(gone)


def _enqueue_emails(notification_ids):
    from .queue import send_now
    from .tasks import send_notification_emails

    # The change that caused the notifications is committed and must not fail now; if the
    # broker cannot take the task, the emails are still owed in the database and the periodic
    # sweep sends them.
    send_now(send_notification_emails, notification_ids)


def _stale_claim_before(now):
    return now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _claim(notification_id, now):
    """Take one notification's email, unless it was sent or another sender holds it."""
    return Notification.objects.email_unsent().filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=_stale_claim_before(now)),
        pk=notification_id,
    ).update(email_claimed_at=now)


def permanent_failure(exc):
    """A refusal the mail server will repeat however often we try (a recipient it refuses, a
    5xx answer): retrying would block the emails owed behind it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def send_emails(*, notification_ids):
    """Email each notification not yet emailed, one message each. Returns how many were sent.

    Safe to run twice and concurrently: a notification is sent only by the run that claims it.
    Each is tried on its own: an address the server refuses for good is logged and no longer
    owed, so it never blocks the others; after a passing failure the claim is given back, the
    others are still tried, and the error is raised at the end so that a retry sends the rest.
    """
    sent = 0
    connection = None
    failure = None
    try:
        for notification_id in notification_ids:
            now = timezone.now()
            if not _claim(notification_id, now):
                continue
            notification = Notification.objects.select_related("user", "academy").get(pk=notification_id)
            connection = connection or get_connection()
            try:
                _message(notification, connection).send()
            except Exception as exc:
                if permanent_failure(exc):
                    log.error("notification %s: the mail server refused %s for good (%s); not retried",
                              notification.pk, notification.user.email, exc)
                    Notification.objects.filter(pk=notification_id).update(email=False, email_claimed_at=None)
                    continue
                Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
                    email_claimed_at=None
                )
                failure = failure or exc
                connection.close()
                connection = None  # a fresh connection for the next one
                continue
            Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    if failure is not None:
        raise failure
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


# ---------------------------------------------------------------------------------------------
# The daily digest: one email per person with everything they chose to hear about that way.


def digest_user_ids():
    """People with notifications owed to their digest."""
    return list(
        Notification.objects.digest_unsent().order_by("user_id").values_list("user_id", flat=True).distinct()
    )


def send_digest(*, user_id):
    """Email one person their digest: every notification owed to it, once. Returns how many
    notifications it carried (0 when another run holds them or there are none).

    The notifications are claimed first, so two runs at once send one email; if sending fails,
    the claim is given back and the error raised, so a retry sends them."""
    now = timezone.now()
    owed = Notification.objects.digest_unsent().filter(user_id=user_id).filter(
        Q(digest_claimed_at__isnull=True) | Q(digest_claimed_at__lt=_stale_claim_before(now))
    )
    ids = list(owed.values_list("pk", flat=True))
    if not ids:
        return 0
    claimed = owed.filter(pk__in=ids).update(digest_claimed_at=now)
    if not claimed:
        return 0
    notifications = list(
        Notification.objects.filter(pk__in=ids, digest_claimed_at=now, digested_at__isnull=True)
        .select_related("user", "academy").order_by("created_at", "pk")
    )
    if not notifications:
        return 0
    user = notifications[0].user
    try:
        if user.is_active:
            _digest_message(user, notifications).send()
    except Exception:
        Notification.objects.filter(pk__in=[n.pk for n in notifications], digested_at__isnull=True).update(
            digest_claimed_at=None
        )
        raise
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(digested_at=timezone.now())
    return len(notifications)


def _digest_message(user, notifications):
    base = site_url()
    for notification in notifications:
        notification.link = f"{base}{notification.url}" if notification.url else ""
    context = {
        "user": user,
        "notifications": notifications,
        "all_link": f"{base}{reverse('notifications:list')}",
        "settings_link": f"{base}{reverse('notifications:settings')}",
    }
    message = EmailMultiAlternatives(
        subject=f"Your daily digest: {len(notifications)} notification{pluralize(len(notifications))}",
        body=render_to_string("emails/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message
