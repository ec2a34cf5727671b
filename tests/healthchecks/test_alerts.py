"""Who is told about risks, health checks and actions (healthchecks.alerts, through the
services): exactly the right people, each once, in the transaction of the change, and by email
or digest as each person chose for that kind."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from healthchecks import alerts, services
from healthchecks import risks as risk_service
from healthchecks.models import HealthCheck, Risk, Visibility
from tests.factories import Role, person
from tests.healthchecks.makers import make_action, make_health_check
from trust.models import Membership, Notification, NotificationPreference

R = Role
S = HealthCheck.Status
Delivery = NotificationPreference.Delivery
TODAY = datetime.date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _setting(world, eager, time_machine):
    """Tasks run here; the day is fixed; each academy has a chair of governors, and the south
    hub its own lead, who must never hear about the north."""
    time_machine.move_to(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
    chair(world.north_a, "chair.north@trust.test")
    chair(world.south_a, "chair.south@trust.test")
    person(R.HUB_LEAD, hub=world.south, email="southlead@trust.test")
    person(R.HEADTEACHER, academy=world.south_a, email="southhead@trust.test")


def chair(academy, email):
    user = person(R.GOVERNOR, academy=academy, email=email)
    Membership.objects.filter(user=user).update(lgb_chair=True)
    return user


def told(kind):
    """The people told about `kind`, having checked that none was told twice."""
    emails = list(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))
    assert len(emails) == len(set(emails)), emails
    return set(emails)


def raise_risk(world, academy="north_a", **fields):
    fields.setdefault("category", "attendance")
    fields.setdefault("title", "Persistent absence is rising")
    fields.setdefault("description", "Two terms above national.")
    fields.setdefault("likelihood", 3)
    fields.setdefault("impact", 4)
    return risk_service.risk_raise(
        by=world[R.SIEL], academy=getattr(world, academy) if academy else None, **fields
    )


NORTH_STAFF = {"exec@trust.test", "siel@trust.test", "hublead@trust.test"}
SOUTH_STAFF = {"exec@trust.test", "siel@trust.test", "southlead@trust.test"}


# Risks


@pytest.mark.parametrize(
    ("academy", "visibility", "owner", "expected"),
    [
        ("north_a", Visibility.SHARED, R.HEADTEACHER,
         NORTH_STAFF | {"head@trust.test", "chair.north@trust.test"}),
        ("north_a", Visibility.TRUST_ONLY, R.HUB_LEAD, NORTH_STAFF),
        ("north_a", Visibility.TRUST_ONLY, None, NORTH_STAFF),
        ("south_a", Visibility.SHARED, None, SOUTH_STAFF | {"chair.south@trust.test"}),
        (None, Visibility.TRUST_ONLY, R.EXECUTIVE, {"exec@trust.test", "siel@trust.test"}),
    ],
)
def test_who_is_told_of_a_risk_raised(world, academy, visibility, owner, expected):
    risk = raise_risk(world, academy=academy, visibility=visibility, owner=world[owner] if owner else None)
    assert told("risk.raised") == expected
    alerts.risk_raised(risk)  # the alert again: nobody is told twice
    assert told("risk.raised") == expected
    assert Notification.objects.filter(kind="risk.raised").count() == len(expected)


def test_a_risk_alert_names_the_risk_and_links_to_it(world):
    risk = raise_risk(world)
    note = Notification.objects.get(kind="risk.raised", user=world[R.EXECUTIVE])
    assert note.title == f"{risk.reference}: new amber risk, North A"
    assert note.body == ("A new risk was raised for North A: Persistent absence is rising (Attendance). "
                         "Score 12 (possible x major).")
    assert note.url == f"/risks/{risk.uuid}/"
    assert note.academy == world.north_a


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (Visibility.SHARED, NORTH_STAFF | {"head@trust.test", "chair.north@trust.test"}),
        (Visibility.TRUST_ONLY, NORTH_STAFF),
    ],
)
def test_who_is_told_when_a_risk_changes_is_closed_or_its_review_is_overdue(world, visibility, expected):
    owner = world[R.HEADTEACHER] if visibility == Visibility.SHARED else world[R.HUB_LEAD]
    risk = raise_risk(world, visibility=visibility, owner=owner, next_review_on=datetime.date(2026, 1, 10))

    risk_service.risk_change(risk=risk, by=world[R.SIEL], reason="Worse in spring.", likelihood=4)
    assert risk_service.notify_overdue_reviews() == 1
    assert risk_service.notify_overdue_reviews() == 0
    risk_service.risk_close(risk=risk, by=world[R.SIEL], reason="Back in line.")

    for kind in ("risk.changed", "risk.review_overdue", "risk.closed"):
        assert told(kind) == expected, kind

    # Each alert run again tells nobody twice.
    risk.refresh_from_db()
    changed, closed = risk.events.get(kind="changed"), risk.events.get(kind="closed")
    alerts.risk_changed(
        risk, before_score=12, before_rag="amber", reason="Worse in spring.", event_id=changed.pk
    )
    alerts.risk_closed(risk, reason="Back in line.", event_id=closed.pk)
    Risk.objects.filter(pk=risk.pk).update(status="open")
    alerts.risk_review_overdue(Risk.objects.get(pk=risk.pk))
    for kind in ("risk.changed", "risk.review_overdue", "risk.closed"):
        assert told(kind) == expected, kind


def test_each_change_of_score_is_its_own_event(world):
    risk = raise_risk(world)
    risk_service.risk_change(risk=risk, by=world[R.SIEL], reason="Worse.", likelihood=4)
    risk_service.risk_change(risk=risk, by=world[R.SIEL], reason="Better.", likelihood=3)
    assert Notification.objects.filter(kind="risk.changed", user=world[R.EXECUTIVE]).count() == 2


def test_a_governor_who_is_not_the_chair_and_other_roles_are_not_told(world):
    raise_risk(world, owner=world[R.HEADTEACHER])
    for role in (R.GOVERNOR, R.TRUSTEE, R.DATA_MANAGER, R.ADMINISTRATOR, R.ACADEMY_DATA_MANAGER):
        assert not Notification.objects.filter(user=world[role]).exists(), role


def test_a_chair_who_has_left_is_not_told(world):
    User = type(world[R.EXECUTIVE])
    User.objects.filter(email="chair.north@trust.test").update(is_active=False)
    raise_risk(world)
    assert "chair.north@trust.test" not in told("risk.raised")


def test_a_risk_raised_by_a_rule_tells_the_same_people(world):
    from tests.healthchecks.makers import make_rule

    rule = make_rule(visibility=Visibility.SHARED)
    risk = risk_service.raise_from_rule(rule=rule, academy=world.north_a, key="inspection:x",
                                        title="Safeguarding", description="Not effective.", evidence=[])
    assert told("risk.raised") == NORTH_STAFF | {"chair.north@trust.test"}
    assert Notification.objects.get(kind="risk.raised", user=world[R.SIEL]).body.startswith(
        "A rule over the data raised North A"
    )
    assert risk.events.get().by_task == "Rule: Safeguarding judged ineffective"


def test_a_trust_only_rule_risk_never_tells_the_chair(world):
    from tests.healthchecks.makers import make_rule

    rule = make_rule(visibility=Visibility.TRUST_ONLY)
    risk_service.raise_from_rule(rule=rule, academy=world.north_a, key="inspection:y",
                                 title="Safeguarding", description="Not effective.", evidence=[])
    assert told("risk.raised") == NORTH_STAFF


# Health checks and actions


def test_who_is_told_as_a_health_check_moves(world):
    check = services.health_check_create(
        academy=world.north_a, by=world[R.HUB_LEAD], visit_start=datetime.date(2026, 1, 12),
        key_findings="Strong reading.", judgements=[],
        recommendations=[{"recommendation": "Plan science.", "due_on": datetime.date(2026, 6, 30),
                          "owner": world[R.ACADEMY_DATA_MANAGER]}],
    )
    assert Notification.objects.count() == 0  # a draft tells nobody

    services.health_check_submit(health_check=check, by=world[R.HUB_LEAD])
    assert told("healthcheck.submitted") == {"head@trust.test"}

    services.health_check_respond(health_check=check, by=world[R.HEADTEACHER], response="No inaccuracies.")
    # The SIEL and the lead reviewer.
    assert told("healthcheck.responded") == {"siel@trust.test", "hublead@trust.test"}

    services.health_check_publish(health_check=check, by=world[R.SIEL])
    assert told("healthcheck.published") == NORTH_STAFF | {
        "head@trust.test", "chair.north@trust.test", "acdata@trust.test",
    }

    # Each alert again: nobody told twice.
    check.refresh_from_db()
    alerts.health_check_published(check, list(check.actions.all()))
    assert Notification.objects.filter(kind="healthcheck.published").count() == 6


def test_a_report_returned_and_submitted_again_asks_the_headteacher_again(world):
    check = make_health_check(world.north_a, status=S.DRAFT)
    services.health_check_submit(health_check=check, by=world[R.SIEL])
    alerts.health_check_submitted(check)  # the same submission: once
    assert Notification.objects.filter(kind="healthcheck.submitted").count() == 1
    services.health_check_return(health_check=check, by=world[R.SIEL], reason="More evidence.")
    # Back to draft, the headteacher cannot open it: the notice asking them to is taken back.
    assert not Notification.objects.filter(kind="healthcheck.submitted", user=world[R.HEADTEACHER]).exists()
    services.health_check_submit(health_check=check, by=world[R.SIEL])
    assert Notification.objects.filter(kind="healthcheck.submitted", user=world[R.HEADTEACHER]).count() == 1


def test_a_south_report_tells_the_south(world):
    check = make_health_check(world.south_a, status=S.RESPONDED)
    services.health_check_publish(health_check=check, by=world[R.SIEL])
    assert told("healthcheck.published") == SOUTH_STAFF | {"southhead@trust.test", "chair.south@trust.test"}


def test_who_is_told_of_an_overdue_action_once_per_due_date(world):
    check = make_health_check(world.north_a, actions=0)
    overdue = make_action(check, number=1, due_on=datetime.date(2026, 1, 10), owner=world[R.GOVERNOR],
                          owner_name="")
    make_action(check, number=2, due_on=datetime.date(2026, 1, 20))  # not yet due
    make_action(check, number=3, due_on=datetime.date(2026, 1, 1), status="done")
    draft = make_health_check(world.north_b, status=S.DRAFT, actions=0)
    make_action(draft, due_on=datetime.date(2026, 1, 1))  # not live until published

    assert services.notify_overdue_actions(TODAY) == 1
    services.notify_overdue_actions(TODAY)
    assert told("action.overdue") == {"exec@trust.test", "siel@trust.test", "hublead@trust.test",
                                      "head@trust.test", "governor@trust.test"}
    note = Notification.objects.get(kind="action.overdue", user=world[R.SIEL])
    assert note.title == "Health-check action overdue at North A"
    assert "due 10 January 2026" in note.body

    # A new due date, passed again: told again.
    overdue.due_on = datetime.date(2026, 1, 12)
    overdue.save()
    services.notify_overdue_actions(TODAY)
    assert Notification.objects.filter(kind="action.overdue", user=world[R.SIEL]).count() == 2


def test_the_daily_sweep_tells_of_overdue_reviews_and_actions_once(world):
    from healthchecks.tasks import daily_sweep

    raise_risk(world, next_review_on=datetime.date(2026, 1, 10))
    make_action(make_health_check(world.north_a, actions=0), due_on=datetime.date(2026, 1, 10))

    assert daily_sweep.delay().get() == {"risk_reviews_overdue": 1, "actions_overdue": 1}
    daily_sweep.delay().get()
    assert told("risk.review_overdue") == NORTH_STAFF | {"chair.north@trust.test"}
    assert told("action.overdue") == {"exec@trust.test", "siel@trust.test", "hublead@trust.test",
                                      "head@trust.test"}


# The same transaction


def test_a_rolled_back_change_leaves_no_notification(world):
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        raise_risk(world)
        assert Notification.objects.filter(kind="risk.raised").exists()
        raise Abandoned
    assert not Risk.objects.exists()
    assert not Notification.objects.exists()

    check = make_health_check(world.north_a, status=S.RESPONDED)
    with pytest.raises(Abandoned), transaction.atomic():
        services.health_check_publish(health_check=check, by=world[R.SIEL])
        raise Abandoned
    assert not Notification.objects.exists()
    check.refresh_from_db()
    assert check.status == S.RESPONDED


def test_a_refused_change_tells_nobody(world):
    risk = raise_risk(world)
    Notification.objects.all().delete()
    with pytest.raises(risk_service.StaleEdit):
        risk_service.risk_change(risk=risk, by=world[R.SIEL], reason="Stale.", likelihood=5, version=7)
    assert not Notification.objects.exists()


# Email or digest, as each person chose


def test_each_person_is_told_as_they_chose_for_the_kind(world, django_capture_on_commit_callbacks):
    prefer = NotificationPreference.objects.create
    prefer(user=world[R.HEADTEACHER], kind="risk.raised", delivery=Delivery.IMMEDIATE)
    prefer(user=world[R.SIEL], kind="risk.raised", delivery=Delivery.DIGEST)
    prefer(user=world[R.EXECUTIVE], kind="risk.raised", delivery=Delivery.APP)
    prefer(user=world[R.EXECUTIVE], kind="risk.closed", delivery=Delivery.DIGEST)  # another kind

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        risk = raise_risk(world, owner=world[R.HEADTEACHER])
    assert mail.outbox == []  # nothing before commit

    flags = {
        n.user.email: (n.email, n.digest)
        for n in Notification.objects.filter(kind="risk.raised").select_related("user")
    }
    assert flags == {
        "head@trust.test": (True, False),
        "siel@trust.test": (False, True),
        "exec@trust.test": (False, False),
        "hublead@trust.test": (True, False),  # no choice made: straight away
        "chair.north@trust.test": (True, False),
    }
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["chair.north@trust.test", "head@trust.test",
                                                    "hublead@trust.test"]
    assert {m.subject for m in mail.outbox} == {f"{risk.reference}: new amber risk, North A"}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        risk_service.risk_close(risk=risk, by=world[R.SIEL], reason="Resolved.")
    closed = {n.user.email: (n.email, n.digest) for n in Notification.objects.filter(kind="risk.closed")}
    assert closed["exec@trust.test"] == (False, True)
    assert closed["siel@trust.test"] == (True, False)
    assert sorted(m.to[0] for m in mail.outbox) == ["chair.north@trust.test", "head@trust.test",
                                                    "hublead@trust.test", "siel@trust.test"]


def test_a_health_check_alert_is_emailed_after_commit_once(world, django_capture_on_commit_callbacks):
    check = make_health_check(world.north_a, status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.health_check_submit(health_check=check, by=world[R.SIEL])
    [message] = mail.outbox
    assert message.to == ["head@trust.test"]
    assert message.subject == "Health-check report for North A: please check its facts"
    assert f"/health-checks/{check.uuid}/" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        alerts.health_check_submitted(check)
    assert len(mail.outbox) == 1
