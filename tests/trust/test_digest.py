"""The daily digest: one email per person with every notification they chose to hear about
that way, oldest first, each carried once however often (or however concurrently) it runs."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.factories import Role, person
from trust import notifications, tasks
from trust.models import Notification, NotificationPreference
from trust.notifications import digest_user_ids, notify, send_digest

R = Role
Delivery = NotificationPreference.Delivery
NOW = datetime.datetime(2026, 10, 5, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _setting(eager, time_machine):
    time_machine.move_to(NOW, tick=False)


def prefer(user, kind, delivery=Delivery.DIGEST):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def tell(users, title, *, kind="risk.raised", key="", academy=None, body=""):
    return notify(users=users, kind=kind, title=title, body=body, url="/risks/", academy=academy,
                  dedupe_key=key)


def later(time_machine, minutes):
    time_machine.move_to(NOW + datetime.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def owed(world, time_machine):
    """The headteacher and the SIEL take risk alerts in their digest; three alerts an hour
    apart, the second with a body; an immediate one for another kind is not in the digest."""
    head, siel = world[R.HEADTEACHER], world[R.SIEL]
    for user in (head, siel):
        prefer(user, "risk.raised")
    tell([head, siel], "R-0001: new red risk, North A", academy=world.north_a, body="Safeguarding.")
    later(time_machine, 60)
    tell([head], "R-0002: new amber risk, North A", academy=world.north_a)
    later(time_machine, 120)
    tell([head, siel], "R-0003: new green risk, North A", academy=world.north_a)
    tell([head], "A report awaits your check", kind="healthcheck.submitted")  # straight away
    mail.outbox.clear()
    return head, siel


def digests():
    return [m for m in mail.outbox if m.subject.startswith("Your daily digest")]


def test_the_notifications_are_flagged_for_the_digest_not_for_email(owed):
    head, _ = owed
    flags = set(Notification.objects.filter(user=head, kind="risk.raised").values_list("email", "digest"))
    assert flags == {(False, True)}
    assert Notification.objects.get(user=head, kind="healthcheck.submitted").digest is False


def test_one_email_per_person_with_every_digest_notification_in_order(owed):
    head, siel = owed
    assert sorted(digest_user_ids()) == sorted([head.pk, siel.pk])

    assert send_digest(user_id=head.pk) == 3

    [message] = digests()
    assert message.to == ["head@trust.test"]
    assert message.subject == "Your daily digest: 3 notifications"
    body = message.body
    first, second, third = (body.index(f"R-000{n}") for n in (1, 2, 3))
    assert first < second < third  # oldest first
    assert "Safeguarding." in body and "(North A)" in body
    assert "http://127.0.0.1:8000/risks/" in body
    assert "A report awaits your check" not in body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "R-0003: new green risk, North A" in html
    assert not Notification.objects.filter(user=head, digest=True, digested_at__isnull=True).exists()
    assert digest_user_ids() == [siel.pk]


def test_the_daily_task_sends_one_digest_to_each_person_once(owed):
    head, _ = owed
    assert tasks.send_daily_digests() == 2
    assert sorted((m.to[0], m.subject) for m in digests()) == [
        ("head@trust.test", "Your daily digest: 3 notifications"),
        ("siel@trust.test", "Your daily digest: 2 notifications"),
    ]
    assert tasks.send_daily_digests() == 0
    assert send_digest(user_id=head.pk) == 0
    assert len(digests()) == 2
    assert set(Notification.objects.filter(digest=True).values_list("digested_at", flat=True)) == {
        NOW + datetime.timedelta(minutes=120)
    }


def test_a_notification_after_the_digest_goes_in_the_next_one(owed, world, time_machine):
    head, _ = owed
    send_digest(user_id=head.pk)
    later(time_machine, 24 * 60)
    tell([head], "R-0004: new red risk, North B")
    assert send_digest(user_id=head.pk) == 1
    assert digests()[-1].subject == "Your daily digest: 1 notification"
    assert "R-0004" in digests()[-1].body and "R-0001" not in digests()[-1].body


def test_a_run_while_another_holds_the_claim_sends_nothing(owed):
    head, _ = owed
    results = []
    real_message = notifications._digest_message

    def while_sending(user, items):
        # A second run starts while the first is sending: it finds everything claimed.
        results.append(send_digest(user_id=user.pk))
        return real_message(user, items)

    with mock.patch.object(notifications, "_digest_message", side_effect=while_sending):
        assert send_digest(user_id=head.pk) == 3
    assert results == [0]
    assert len(digests()) == 1


def test_notifications_claimed_by_another_run_are_left_to_it(owed, settings, time_machine):
    head, _ = owed
    claimed_at = NOW + datetime.timedelta(minutes=120)  # now: another run took the first two
    first_two = Notification.objects.filter(user=head, digest=True).order_by("created_at")[:2]
    Notification.objects.filter(pk__in=[n.pk for n in first_two]).update(digest_claimed_at=claimed_at)

    assert send_digest(user_id=head.pk) == 1
    [message] = digests()
    assert "R-0003" in message.body and "R-0001" not in message.body

    # That run died without sending; once its claim is older than any task may run, a run
    # takes them (the stale-claim rule), and only then.
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    time_machine.move_to(claimed_at + limit - datetime.timedelta(seconds=1), tick=False)
    assert send_digest(user_id=head.pk) == 0
    time_machine.move_to(claimed_at + limit + datetime.timedelta(seconds=1), tick=False)
    assert send_digest(user_id=head.pk) == 2
    assert "R-0001" in digests()[-1].body and "R-0002" in digests()[-1].body
    assert send_digest(user_id=head.pk) == 0
    assert len(digests()) == 2


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_failed_send_gives_the_claim_back_and_a_retry_sends_it(owed, settings):
    head, _ = owed
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_digest(user_id=head.pk)
    mine = Notification.objects.filter(user=head, digest=True)
    assert set(mine.values_list("digest_claimed_at", "digested_at")) == {(None, None)}
    assert head.pk in digest_user_ids()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.send_digest.run(head.pk) == 3
    assert [m.to for m in digests()] == [["head@trust.test"]]
    assert mine.filter(digested_at__isnull=True).count() == 0


def test_someone_no_longer_active_gets_no_digest(owed, world):
    head, _ = owed
    type(head).objects.filter(pk=head.pk).update(is_active=False)
    assert tasks.send_daily_digests() == 2
    assert [m.to for m in digests()] == [["siel@trust.test"]]
    assert head.pk not in digest_user_ids()  # not kept owed for ever


def test_app_only_and_immediate_notifications_are_never_digested(world):
    head = world[R.HEADTEACHER]
    prefer(head, "risk.raised", Delivery.APP)
    tell([head], "In the app only")
    tell([head], "By email", kind="risk.closed")
    mail.outbox.clear()
    assert digest_user_ids() == []
    assert tasks.send_daily_digests() == 0
    assert send_digest(user_id=head.pk) == 0
    assert digests() == []


def test_people_are_listed_once_however_much_they_are_owed(world):
    for n in range(3):
        person(R.GOVERNOR, academy=world.north_a, email=f"governor{n}@trust.test")
    governors = list(type(world[R.GOVERNOR]).objects.filter(email__startswith="governor"))
    for user in governors:
        prefer(user, "risk.raised")
    for n in range(4):
        tell(governors, f"Risk {n}")
    assert sorted(digest_user_ids()) == sorted(u.pk for u in governors)
