"""Notifications: who is told, that each person is told once, that each email goes out once
(even when the broker or the mail server is down for a while), and the pages."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError as BrokerDown

from tests.factories import Role, UserFactory, person
from tests.trust import test_services
from tests.utils import queries_for
from trust import notifications, tasks
from trust.models import Notification
from trust.notifications import notify, people_with_roles

R = Role
LIST = reverse("notifications:list")
NOW = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
celery_worker = test_services.celery_worker  # the real worker of the service tests


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """The emails are sent by a task: run it here, except where a test sends it to a worker."""
    if "celery_worker" not in request.fixturenames:
        request.getfixturevalue("eager")


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what notify leaves for after commit (the email task), as a real commit would."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run


def tell(users, *, title="Targets of North A await your review", key="", academy=None, **extra):
    return notify(
        users=users, kind="target.review_needed", title=title,
        body="The headteacher proposed 6 targets for 2026/27.\nThe LGB meets on 14 October.",
        url="/academies/100001/", academy=academy, dedupe_key=key, **extra,
    )


def read_url(notification):
    return reverse("notifications:read", kwargs={"uuid": notification.uuid})


# Who is told


def test_notify_tells_each_person_once_per_event(world, commits):
    head, governor, executive = world[R.HEADTEACHER], world[R.GOVERNOR], world[R.EXECUTIVE]
    first = commits(tell, [head, governor, head], key="target:abc:review")
    again = commits(tell, [head, governor, executive], key="target:abc:review")

    assert sorted(n.user.email for n in first) == ["governor@trust.test", "head@trust.test"]
    assert [n.user for n in again] == [executive]
    assert Notification.objects.filter(user=head).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "exec@trust.test", "governor@trust.test", "head@trust.test",
    ]


def test_events_without_a_key_are_all_told(world, commits):
    commits(tell, [world[R.HEADTEACHER]])
    commits(tell, [world[R.HEADTEACHER]])
    assert Notification.objects.filter(user=world[R.HEADTEACHER]).count() == 2


def test_inactive_people_are_not_told(world, commits):
    left = person(R.GOVERNOR, academy=world.north_a, email="left@trust.test", is_active=False)
    created = commits(tell, [left, world[R.GOVERNOR]])
    assert [n.user for n in created] == [world[R.GOVERNOR]]
    assert [m.to for m in mail.outbox] == [["governor@trust.test"]]


def test_a_notification_links_only_inside_the_app(world):
    with pytest.raises(ValueError, match="inside the app"):
        notify(users=[world[R.HEADTEACHER]], kind="x", title="x", body="", url="https://evil.example/")
    with pytest.raises(ValueError, match="inside the app"):
        notify(users=[world[R.HEADTEACHER]], kind="x", title="x", body="", url="//evil.example/")
    assert not Notification.objects.exists()


def test_people_with_roles_for_an_academy(world):
    south_lead = person(R.HUB_LEAD, hub=world.south, email="southlead@trust.test")
    south_governor = person(R.GOVERNOR, academy=world.south_a, email="southgov@trust.test")
    person(R.EXECUTIVE, email="gone@trust.test", is_active=False)
    roles = {R.EXECUTIVE, R.HUB_LEAD, R.GOVERNOR}

    north = people_with_roles(roles, academy=world.north_a)
    south = people_with_roles(roles, academy=world.south_a)

    assert {u.email for u in north} == {"exec@trust.test", "hublead@trust.test", "governor@trust.test"}
    assert set(south) == {world[R.EXECUTIVE], south_lead, south_governor}
    # Only trust-wide roles count for trust-level things.
    assert list(people_with_roles(roles)) == [world[R.EXECUTIVE]]
    # Roles not asked for are not told, wherever they are held.
    assert list(people_with_roles({R.HEADTEACHER}, academy=world.north_b)) == []


def test_people_with_roles_is_one_query(world, django_assert_num_queries):
    person(R.GOVERNOR, academy=world.north_a, email="second.governor@trust.test")
    with django_assert_num_queries(1):
        people = list(people_with_roles({R.GOVERNOR, R.HEADTEACHER, R.SIEL}, academy=world.north_a))
    assert len(people) == 4


def test_a_person_with_two_roles_is_told_once(world, commits):
    both = person(R.GOVERNOR, academy=world.north_a, email="both@trust.test")
    person(R.EXECUTIVE, email="both@trust.test")  # the same person, also an executive
    people = people_with_roles({R.EXECUTIVE, R.GOVERNOR}, academy=world.north_a)
    commits(tell, people, key="target:abc:review")
    assert Notification.objects.filter(user=both).count() == 1
    assert [m.to for m in mail.outbox].count(["both@trust.test"]) == 1


# Emails


def test_the_email_has_a_subject_text_and_html_with_the_link(world, commits, settings):
    settings.SITE_URL = "https://improve.example.org/"
    commits(tell, [world[R.HEADTEACHER]], academy=world.north_a)

    [message] = mail.outbox
    assert message.to == ["head@trust.test"]
    assert message.subject == "Targets of North A await your review"
    assert "https://improve.example.org/academies/100001/" in message.body
    assert "The LGB meets on 14 October." in message.body
    assert "North A" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert 'href="https://improve.example.org/academies/100001/"' in html
    assert 'href="https://improve.example.org/notifications/"' in html


def test_the_site_url_has_a_default_for_development(world, commits, settings):
    del settings.SITE_URL
    commits(tell, [world[R.HEADTEACHER]])
    assert "http://127.0.0.1:8000/academies/100001/" in mail.outbox[0].body


def test_each_email_is_sent_once_even_if_the_task_runs_twice(world, commits):
    [notification] = commits(tell, [world[R.HEADTEACHER]])
    assert len(mail.outbox) == 1

    assert tasks.send_notification_emails(notification_ids=[notification.pk]) == 0
    assert tasks.send_unsent_notification_emails() == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_nothing_is_emailed_before_the_change_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([world[R.HEADTEACHER]])
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_in_app_only_notifications_are_not_emailed(world, commits, time_machine):
    time_machine.move_to(NOW, tick=False)
    commits(tell, [world[R.HEADTEACHER]], email=False)
    time_machine.move_to(NOW + datetime.timedelta(hours=1), tick=False)
    assert tasks.send_unsent_notification_emails() == 0
    assert mail.outbox == []
    assert Notification.objects.filter(user=world[R.HEADTEACHER]).count() == 1


def test_a_broker_outage_loses_no_email_and_fails_no_request(world, commits, time_machine):
    time_machine.move_to(NOW, tick=False)
    with mock.patch.object(tasks.send_notification_emails, "delay", side_effect=BrokerDown("down")):
        [notification] = commits(tell, [world[R.HEADTEACHER]])
    assert mail.outbox == []

    # The sweep leaves a fresh notification to its own task...
    assert tasks.send_unsent_notification_emails() == 0
    # ...and sends it once it is clearly owed; once only.
    time_machine.move_to(NOW + datetime.timedelta(minutes=6), tick=False)
    assert tasks.send_unsent_notification_emails() == 1
    assert tasks.send_unsent_notification_emails() == 0
    assert [m.to for m in mail.outbox] == [["head@trust.test"]]
    notification.refresh_from_db()
    assert notification.emailed_at == NOW + datetime.timedelta(minutes=6)


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_email_that_fails_is_sent_when_the_mail_server_is_back(world, settings):
    notification = Notification.objects.create(
        user=world[R.HEADTEACHER], kind="target.off_track", title="A target is off track", url="/",
    )
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        tasks.send_notification_emails.run([notification.pk])
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.email_claimed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.send_notification_emails.run([notification.pk]) == 1
    assert [m.subject for m in mail.outbox] == ["A target is off track"]


class RefusesGovernors(BaseEmailBackend):
    """Refuses one address for good, and (when `flaky`) drops the line for another, once."""

    flaky = set()

    def send_messages(self, messages):
        for message in messages:
            if message.to == ["governor@trust.test"]:
                raise smtplib.SMTPRecipientsRefused({"governor@trust.test": (550, b"No such user")})
            if message.to[0] in self.flaky:
                self.flaky.discard(message.to[0])
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            mail.outbox.append(message)
        return len(messages)


def test_an_address_refused_for_good_never_blocks_the_emails_behind_it(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesGovernors"
    mail.outbox = []
    owed = [
        Notification.objects.create(user=world[role], kind="risk.raised", title=f"For {role}", url="/")
        for role in (R.GOVERNOR, R.HEADTEACHER, R.EXECUTIVE)
    ]
    assert notifications.send_emails(notification_ids=[n.pk for n in owed]) == 2
    refused = Notification.objects.get(pk=owed[0].pk)
    assert refused.email is False and refused.emailed_at is None  # logged, and no longer owed
    assert notifications.send_emails(notification_ids=[n.pk for n in owed]) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["exec@trust.test", "head@trust.test"]


def test_a_passing_failure_still_sends_the_others_then_raises_for_a_retry(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesGovernors"
    RefusesGovernors.flaky = {"head@trust.test"}
    mail.outbox = []
    owed = [
        Notification.objects.create(user=world[role], kind="risk.raised", title=f"For {role}", url="/")
        for role in (R.HEADTEACHER, R.EXECUTIVE)
    ]
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.send_emails(notification_ids=[n.pk for n in owed])
    assert [m.to[0] for m in mail.outbox] == ["exec@trust.test"]
    assert notifications.send_emails(notification_ids=[n.pk for n in owed]) == 1  # the retry
    assert sorted(m.to[0] for m in mail.outbox) == ["exec@trust.test", "head@trust.test"]


def test_a_claim_lost_with_its_worker_is_taken_again(world, settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    notification = Notification.objects.create(
        user=world[R.HEADTEACHER], kind="target.off_track", title="A target is off track", url="/",
        email_claimed_at=NOW,  # a worker took it, then died before sending
    )
    assert tasks.send_notification_emails.run([notification.pk]) == 0  # it may still be working
    later = NOW + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    time_machine.move_to(later, tick=False)
    assert tasks.send_notification_emails.run([notification.pk]) == 1
    assert len(mail.outbox) == 1


# Pages


def make(user, title, *, minutes_ago=0, read=False, url="/academies/100001/", academy=None):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        user=user, kind="target.off_track", title=title, body="", url=url, academy=academy,
        created_at=created, read_at=created if read else None,
    )


def test_the_page_lists_only_the_persons_own_newest_first(client, world):
    head = world[R.HEADTEACHER]
    make(head, "Older and read", minutes_ago=60, read=True)
    make(head, "Newest and unread", minutes_ago=1, academy=world.north_a)
    make(world[R.GOVERNOR], "For the governor")
    client.force_login(head)

    body = client.get(LIST).content.decode()

    assert "For the governor" not in body
    assert body.index("Newest and unread") < body.index("Older and read")
    assert "2 notifications, 1 unread" in body
    assert body.count("data-unread") == 1  # highlighted, with the word "New"
    assert ">New</span>" in body
    assert "North A" in body


def test_the_page_is_paginated_in_constant_queries(client, world):
    head = world[R.HEADTEACHER]
    client.force_login(head)
    for n in range(3):
        make(head, f"Notification {n}", minutes_ago=n, academy=world.north_a)
    _, few = queries_for(client, LIST)
    for n in range(3, 30):
        make(head, f"Notification {n}", minutes_ago=n, academy=world.north_a)
    response, many = queries_for(client, LIST)

    # session, user, memberships (the menu), unread count (the bell), count, one page of
    # notifications with their academies, session save
    assert len(few) == len(many) == 7, many
    body = response.content.decode()
    assert "Page 1 of 2" in body
    assert "Notification 0" in body and "Notification 29" not in body
    assert "Notification 29" in client.get(LIST, {"page": 2}).content.decode()


def test_someone_with_nothing_is_told_what_will_appear(client, world):
    client.force_login(world[R.TRUSTEE])
    body = client.get(LIST).content.decode()
    assert "Nothing yet" in body
    assert "Mark all as read" not in body


def test_reading_a_notification_marks_it_and_goes_where_it_points(client, world):
    notification = make(world[R.HEADTEACHER], "Targets await you", url="/academies/100001/")
    client.force_login(world[R.HEADTEACHER])

    response = client.post(read_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/academies/100001/"
    notification.refresh_from_db()
    assert notification.is_read
    assert "data-unread" not in client.get(LIST).content.decode()


def test_reading_again_keeps_the_first_reading_time(client, world, time_machine):
    time_machine.move_to(NOW, tick=False)
    notification = make(world[R.HEADTEACHER], "Targets await you")
    client.force_login(world[R.HEADTEACHER])
    client.post(read_url(notification))
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)
    assert client.post(read_url(notification)).status_code == 302
    notification.refresh_from_db()
    assert notification.read_at == NOW


def test_someone_elses_notification_is_not_found_and_stays_unread(client, world):
    notification = make(world[R.HEADTEACHER], "Targets await you")
    client.force_login(world[R.EXECUTIVE])
    assert client.post(read_url(notification)).status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_a_stored_link_off_site_is_never_followed(client, world):
    notification = make(world[R.HEADTEACHER], "Odd link", url="//evil.example/")
    client.force_login(world[R.HEADTEACHER])
    response = client.post(read_url(notification))
    assert response["Location"] == LIST


def test_mark_all_as_read_marks_only_the_persons_own(client, world):
    make(world[R.HEADTEACHER], "One")
    make(world[R.HEADTEACHER], "Two")
    theirs = make(world[R.GOVERNOR], "The governor's")
    client.force_login(world[R.HEADTEACHER])

    response = client.post(reverse("notifications:read-all"), follow=True)

    body = response.content.decode()
    assert "2 notifications marked as read." in body
    assert "2 notifications, 0 unread" in body
    assert Notification.objects.unread().get() == theirs


def test_the_navbar_shows_the_unread_count_on_every_page(client, world):
    make(world[R.GOVERNOR], "One")
    make(world[R.GOVERNOR], "Two")
    make(world[R.GOVERNOR], "Read", read=True)
    make(world[R.HEADTEACHER], "Someone else's")
    client.force_login(world[R.GOVERNOR])

    body = client.get(world.north_a.get_absolute_url()).content.decode()
    assert 'data-testid="unread-count">2<span class="visually-hidden"> unread</span>' in body

    client.post(reverse("notifications:read-all"))
    body = client.get(world.north_a.get_absolute_url()).content.decode()
    assert 'data-nav="notifications">' in body
    assert 'data-testid="unread-count"' not in body


def test_visitors_are_sent_to_sign_in(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# With a real worker (PostgreSQL and Redis)


@pytest.mark.services
def test_a_real_worker_emails_a_notification_once(celery_worker):
    notification = Notification.objects.create(
        user=UserFactory(email="worker.test@trust.test"), kind="target.off_track",
        title="A target is off track", url="/",
    )
    first = tasks.send_notification_emails.apply_async(args=[[notification.pk]], queue=celery_worker)
    assert first.get(timeout=60) == 1
    again = tasks.send_notification_emails.apply_async(args=[[notification.pk]], queue=celery_worker)
    assert again.get(timeout=60) == 0
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_someone_who_leaves_a_role_no_longer_sees_that_academys_alerts(client, world):
    governor = world[R.GOVERNOR]
    notify(users=[governor], kind="target.review_needed", title="North A targets to review",
           body="", url="/academies/100001/targets/", academy=world.north_a, email=False)
    notify(users=[governor], kind="general", title="A note for everyone", body="", url="/", email=False)
    client.force_login(governor)
    page = client.get(LIST).content.decode()
    assert "North A targets to review" in page

    governor.memberships.all().delete()
    client.force_login(governor)
    response = client.get(LIST)
    page = response.content.decode()
    assert "North A targets to review" not in page
    assert "A note for everyone" in page
    assert response.context["unread_notifications"] == 1


def test_a_trust_wide_role_sees_alerts_about_any_academy(client, world):
    trustee = world[R.TRUSTEE]
    notify(users=[trustee], kind="target.decision_needed", title="South B targets for the board",
           body="", url="/academies/100004/targets/", academy=world.south_b, email=False)
    client.force_login(trustee)
    response = client.get(LIST)
    assert "South B targets for the board" in response.content.decode()
    assert response.context["unread_notifications"] == 1


def test_each_person_chooses_how_they_hear_about_each_kind(client, world, commits):
    from trust.models import NotificationPreference
    from trust.notifications import KINDS, notify

    head = world[Role.HEADTEACHER]
    client.force_login(head)
    page = client.get(reverse("notifications:settings"))
    assert page.status_code == 200
    assert all(escape(label) in page.content.decode() for label in KINDS.values())
    choices = {f"delivery-{kind}": "immediate" for kind in KINDS}
    choices["delivery-risk.raised"] = "digest"
    choices["delivery-risk.closed"] = "app"
    assert client.post(reverse("notifications:settings"), choices).status_code == 302
    assert dict(NotificationPreference.objects.filter(user=head).values_list("kind", "delivery"))[
        "risk.raised"] == "digest"

    made = {}
    for kind in ("risk.raised", "risk.closed", "target.off_track"):
        made[kind] = notify(users=[head], kind=kind, title=kind, body="", url="/")[0]
    assert (made["risk.raised"].email, made["risk.raised"].digest) == (False, True)
    assert (made["risk.closed"].email, made["risk.closed"].digest) == (False, False)
    assert (made["target.off_track"].email, made["target.off_track"].digest) == (True, False)


def test_an_unknown_choice_saves_nothing_and_says_what_to_fix(client, world):
    from trust.models import NotificationPreference
    from trust.notifications import KINDS

    client.force_login(world[Role.GOVERNOR])
    choices = {f"delivery-{kind}": "digest" for kind in KINDS}
    choices["delivery-risk.raised"] = "carrier-pigeon"
    response = client.post(reverse("notifications:settings"), choices)
    assert response.status_code == 400
    assert "Choose how to hear about: A risk is raised." in response.content.decode()
    assert not NotificationPreference.objects.exists()
