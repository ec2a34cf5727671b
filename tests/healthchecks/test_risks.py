"""The risk register's services: score and RAG, references, changes with reasons and history,
which changes alert, closing, reopening and reviewing, owners who can see the risk, trust-level
risks, and the daily check of overdue reviews."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from healthchecks import risks as service
from healthchecks.models import Risk, RiskEvent, Visibility, rag_for
from healthchecks.models.risks import FREQUENCY_DAYS, Frequency
from healthchecks.services import StaleEdit, WorkflowError
from tests.factories import Role, person
from trust.models import Notification

R = Role
E = RiskEvent.Kind
TODAY = datetime.date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC), tick=False)


def raise_risk(world, by=None, academy="north_a", **fields):
    fields.setdefault("category", "attendance")
    fields.setdefault("title", "Persistent absence of disadvantaged pupils is rising")
    fields.setdefault("description", "Two terms above national.")
    fields.setdefault("likelihood", 3)
    fields.setdefault("impact", 4)
    return service.risk_raise(
        by=by or world[R.SIEL], academy=getattr(world, academy) if academy else None, **fields
    )


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


# Score, RAG and reference


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "rag"),
    [
        (1, 1, 1, "green"),
        (1, 5, 5, "green"),
        (2, 3, 6, "amber"),
        (3, 2, 6, "amber"),
        (3, 4, 12, "amber"),
        (3, 5, 15, "red"),
        (4, 4, 16, "red"),
        (5, 5, 25, "red"),
    ],
)
def test_score_and_rag_follow_from_likelihood_and_impact(world, likelihood, impact, score, rag):
    risk = raise_risk(world, likelihood=likelihood, impact=impact)
    risk.refresh_from_db()
    assert (risk.score, risk.rag) == (score, rag)


@pytest.mark.parametrize(("score", "rag"), [(5, "green"), (6, "amber"), (12, "amber"), (14, "amber"),
                                            (15, "red")])
def test_rag_boundaries(score, rag):
    assert rag_for(score) == rag


def test_the_score_and_rag_are_derived_whatever_was_set(world):
    risk = raise_risk(world, likelihood=2, impact=2)
    risk.score, risk.rag = 25, "red"
    risk.save()
    risk.refresh_from_db()
    assert (risk.score, risk.rag) == (4, "green")


def test_the_database_refuses_a_score_that_is_not_likelihood_times_impact(world):
    risk = raise_risk(world, likelihood=3, impact=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(score=13)
    risk.refresh_from_db()
    assert risk.score == 12


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_likelihood_and_impact_are_from_1_to_5(world, field, value):
    with pytest.raises(ValidationError) as excinfo:
        raise_risk(world, **{field: value})
    assert field in excinfo.value.message_dict
    assert not Risk.objects.exists()


def test_risks_are_numbered_in_order(world):
    made = [raise_risk(world, title=f"Risk {n}") for n in range(3)]
    references = [risk.reference for risk in made]
    assert references == [f"R-{risk.pk:04d}" for risk in made]
    assert all(re.fullmatch(r"R-\d{4,}", ref) for ref in references)
    assert references == sorted(references)
    assert list(Risk.objects.order_by("pk").values_list("reference", flat=True)) == references


def test_raising_records_who_why_and_the_first_review(world):
    risk = raise_risk(world, reason="Seen at the autumn visit.", review_frequency=Frequency.FORTNIGHTLY)
    assert risk.next_review_on == TODAY + datetime.timedelta(days=14)
    assert risk.raised_by == world[R.SIEL]
    [event] = risk.events.all()
    assert (event.kind, event.by, event.reason) == (E.RAISED, world[R.SIEL], "Seen at the autumn visit.")


@pytest.mark.parametrize("role", list(Role))
def test_who_may_raise_a_risk(world, role):
    allowed = role in {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
    if allowed:
        assert raise_risk(world, by=world[role]).academy == world.north_a
    else:
        with pytest.raises(PermissionDenied):
            raise_risk(world, by=world[role])
        assert not Risk.objects.exists()


def test_a_hub_lead_raises_risks_only_in_their_hub_and_none_for_the_trust(world):
    with pytest.raises(PermissionDenied):
        raise_risk(world, by=world[R.HUB_LEAD], academy="south_a")
    with pytest.raises(PermissionDenied):
        raise_risk(world, by=world[R.HUB_LEAD], academy=None)
    assert not Risk.objects.exists()


# Changes


def test_a_change_needs_a_reason(world):
    risk = raise_risk(world)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as excinfo:
            service.risk_change(risk=risk, by=world[R.SIEL], reason=reason, likelihood=5)
        assert "reason" in excinfo.value.message_dict
    risk.refresh_from_db()
    assert (risk.likelihood, risk.version) == (3, 1)
    assert not risk.events.filter(kind=E.CHANGED).exists()


def test_a_change_keeps_before_and_after_in_the_history(world):
    risk = raise_risk(world)
    service.risk_change(
        risk=risk, by=world[R.HUB_LEAD], reason="Spring figures are worse.", likelihood=5,
        mitigations="First-day calls.", owner=world[R.HEADTEACHER], next_review_on=datetime.date(2026, 2, 1),
    )
    event = risk.events.get(kind=E.CHANGED)
    assert (event.by, event.reason) == (world[R.HUB_LEAD], "Spring figures are worse.")
    assert event.changes == {
        "likelihood": ["3", "5"],
        "mitigations": ["", "First-day calls."],
        "owner": ["", world[R.HEADTEACHER].full_name],
        "next_review_on": ["2026-02-14", "2026-02-01"],
        "score": ["12", "20"],
        "rag": ["amber", "red"],
    }
    risk.refresh_from_db()
    assert (risk.score, risk.rag, risk.version) == (20, "red", 2)


def test_a_change_that_moves_the_score_or_rag_alerts(world):
    risk = raise_risk(world)
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Worse.", likelihood=4)  # 12 -> 16, red
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Better.", impact=3)  # 16 -> 12, amber
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Slightly better.", impact=2)  # 12 -> 8, amber
    titles = list(
        Notification.objects.filter(kind="risk.changed", user=world[R.EXECUTIVE]).order_by("pk")
        .values_list("title", flat=True)
    )
    ref = risk.reference
    assert titles == [
        f"{ref}: score up from 12 to 16, amber to red",
        f"{ref}: score down from 16 to 12, red to amber",
        f"{ref}: score down from 12 to 8",
    ]


def test_a_change_that_moves_neither_score_nor_rag_does_not_alert(world):
    risk = raise_risk(world, likelihood=3, impact=4)
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Plan agreed.", mitigations="Weekly meetings.")
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Re-rated.", likelihood=4, impact=3)  # still 12
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Clearer title.", title="Absence is rising")
    assert told("risk.changed") == []
    assert risk.events.filter(kind=E.CHANGED).count() == 3


def test_a_change_that_changes_nothing_is_not_recorded(world):
    risk = raise_risk(world)
    service.risk_change(risk=risk, by=world[R.SIEL], reason="No change.", likelihood=3)
    risk.refresh_from_db()
    assert risk.version == 1
    assert not risk.events.filter(kind=E.CHANGED).exists()


def test_a_change_from_a_stale_version_is_refused_and_saves_nothing(world):
    risk = raise_risk(world)
    service.risk_change(risk=risk, by=world[R.SIEL], reason="Mine.", mitigations="Mine.", version=1)
    with pytest.raises(StaleEdit, match="Someone else changed this risk"):
        service.risk_change(risk=risk, by=world[R.HUB_LEAD], reason="Theirs.", likelihood=5, version=1)
    risk.refresh_from_db()
    assert (risk.likelihood, risk.mitigations, risk.version) == (3, "Mine.", 2)
    assert risk.events.filter(kind=E.CHANGED).count() == 1
    assert told("risk.changed") == []


def test_a_change_by_someone_who_may_not_is_refused(world):
    risk = raise_risk(world)
    for role in (R.HEADTEACHER, R.GOVERNOR, R.TRUSTEE):
        with pytest.raises(PermissionDenied):
            service.risk_change(risk=risk, by=world[role], reason="Mine.", likelihood=5)
    south = raise_risk(world, academy="south_a")
    with pytest.raises(PermissionDenied):
        service.risk_change(risk=south, by=world[R.HUB_LEAD], reason="Mine.", likelihood=5)
    assert set(Risk.objects.values_list("likelihood", flat=True)) == {3}


# Close, reopen and review


def test_close_and_reopen(world, time_machine):
    risk = raise_risk(world)
    with pytest.raises(ValidationError):
        service.risk_close(risk=risk, by=world[R.SIEL], reason="")
    service.risk_close(risk=risk, by=world[R.SIEL], reason="Attendance back in line.")
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == (Risk.Status.CLOSED, TODAY)
    with pytest.raises(WorkflowError, match="already closed"):
        service.risk_close(risk=risk, by=world[R.SIEL], reason="Again.")
    with pytest.raises(WorkflowError, match="closed risk is not reviewed"):
        service.risk_review(risk=risk, by=world[R.SIEL], commentary="Looked at it.")

    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    with pytest.raises(ValidationError):
        service.risk_reopen(risk=risk, by=world[R.SIEL], reason=" ")
    service.risk_reopen(risk=risk, by=world[R.SIEL], reason="It has risen again.")
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == (Risk.Status.OPEN, None)
    assert risk.next_review_on == datetime.date(2026, 3, 2) + datetime.timedelta(days=30)
    with pytest.raises(WorkflowError, match="already open"):
        service.risk_reopen(risk=risk, by=world[R.SIEL], reason="Again.")

    assert list(risk.events.values_list("kind", "reason", "changes")) == [
        (E.RAISED, "", {}),
        (E.CLOSED, "Attendance back in line.", {"status": ["open", "closed"]}),
        (E.REOPENED, "It has risen again.", {"status": ["closed", "open"]}),
    ]
    assert len(told("risk.closed")) == len(told("risk.raised")) > 0


@pytest.mark.parametrize("frequency", list(Frequency))
def test_a_review_sets_the_next_review_from_the_frequency(world, frequency):
    risk = raise_risk(world, review_frequency=frequency)
    reviewed = datetime.date(2026, 1, 12)
    service.risk_review(risk=risk, by=world[R.HUB_LEAD], commentary="Still high.", reviewed_on=reviewed)
    risk.refresh_from_db()
    assert risk.last_reviewed_on == reviewed
    assert risk.next_review_on == reviewed + datetime.timedelta(days=FREQUENCY_DAYS[frequency])
    event = risk.events.get(kind=E.REVIEWED)
    assert (event.by, event.reason) == (world[R.HUB_LEAD], "Still high.")
    first_due = TODAY + datetime.timedelta(days=FREQUENCY_DAYS[frequency])
    assert event.changes == {"next_review_on": [first_due.isoformat(), risk.next_review_on.isoformat()]}


def test_a_review_without_a_date_is_today_and_needs_commentary(world):
    risk = raise_risk(world, review_frequency=Frequency.WEEKLY)
    with pytest.raises(ValidationError):
        service.risk_review(risk=risk, by=world[R.SIEL], commentary="")
    service.risk_review(risk=risk, by=world[R.SIEL], commentary="Checked.")
    risk.refresh_from_db()
    assert (risk.last_reviewed_on, risk.next_review_on) == (TODAY, TODAY + datetime.timedelta(days=7))


def test_a_review_in_the_future_is_refused(world):
    risk = raise_risk(world)
    with pytest.raises(ValidationError) as excinfo:
        service.risk_review(
            risk=risk, by=world[R.SIEL], commentary="Planned.", reviewed_on=TODAY + datetime.timedelta(days=1)
        )
    assert "reviewed_on" in excinfo.value.message_dict
    risk.refresh_from_db()
    assert risk.last_reviewed_on is None and risk.version == 1


# Owners and trust-level risks


def test_an_owner_must_be_able_to_see_the_risk(world):
    head = world[R.HEADTEACHER]
    with pytest.raises(ValidationError) as excinfo:
        raise_risk(world, visibility=Visibility.TRUST_ONLY, owner=head)
    assert "owner" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        raise_risk(world, academy=None, owner=world[R.HUB_LEAD])  # a hub lead does not see trust-level risks
    with pytest.raises(ValidationError):
        raise_risk(world, academy="south_a", owner=head)
    gone = person(R.SIEL, email="gone.siel@trust.test", is_active=False)
    with pytest.raises(ValidationError):
        raise_risk(world, owner=gone)
    assert not Risk.objects.exists()

    shared = raise_risk(world, owner=head)
    trust_only = raise_risk(world, visibility=Visibility.TRUST_ONLY, owner=world[R.HUB_LEAD])
    assert trust_only.owner == world[R.HUB_LEAD]
    with pytest.raises(ValidationError):
        service.risk_change(risk=shared, by=world[R.SIEL], reason="Keep it to the trust.",
                            visibility=Visibility.TRUST_ONLY)
    shared.refresh_from_db()
    assert shared.visibility == Visibility.SHARED and shared.version == 1


def test_a_trust_level_risk_is_always_trust_only(world):
    risk = raise_risk(world, academy=None, visibility=Visibility.SHARED, owner=world[R.EXECUTIVE])
    assert risk.visibility == Visibility.TRUST_ONLY and risk.academy is None

    service.risk_change(risk=risk, by=world[R.SIEL], reason="Share it.", visibility=Visibility.SHARED)
    risk.refresh_from_db()
    assert risk.visibility == Visibility.TRUST_ONLY
    # The history never says it was shared.
    assert not any("visibility" in event.changes for event in risk.events.all())
    assert risk.version == 1


# Overdue reviews


def test_an_overdue_review_is_told_once_per_review_date(world, time_machine):
    risk = raise_risk(world, owner=world[R.HEADTEACHER], next_review_on=datetime.date(2026, 1, 10))
    raise_risk(world, title="Not yet due", next_review_on=datetime.date(2026, 3, 1))
    closed = raise_risk(world, title="Closed", next_review_on=datetime.date(2026, 1, 1))
    service.risk_close(risk=closed, by=world[R.SIEL], reason="Done.")

    assert service.notify_overdue_reviews() == 1
    assert service.notify_overdue_reviews() == 0
    assert service.notify_overdue_reviews(TODAY + datetime.timedelta(days=1)) == 0

    [event] = RiskEvent.objects.filter(kind=E.REVIEW_OVERDUE)
    assert event.risk == risk and event.by is None and event.by_task == "Daily review check"
    assert event.changes == {"review_due_on": ["2026-01-10", "not recorded"]}
    assert event.reason == "The review due on 10 January 2026 has not been recorded."
    people = told("risk.review_overdue")
    assert people == sorted({"exec@trust.test", "siel@trust.test", "hublead@trust.test", "head@trust.test"})
    about = Notification.objects.filter(kind="risk.review_overdue", title__contains=risk.reference)
    assert about.count() == 4

    # Reviewed late; the next review date passes too: told again, once, about that date.
    service.risk_review(risk=risk, by=world[R.SIEL], commentary="Reviewed late.", reviewed_on=TODAY)
    time_machine.move_to(datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    assert service.notify_overdue_reviews() == 1
    assert service.notify_overdue_reviews() == 0
    assert list(
        RiskEvent.objects.filter(kind=E.REVIEW_OVERDUE).values_list("changes__review_due_on", flat=True)
    ) == [["2026-01-10", "not recorded"], ["2026-02-14", "not recorded"]]
    assert len(told("risk.review_overdue")) == 8
