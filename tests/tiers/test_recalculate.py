"""Recalculating recommendations: idempotent, kept as history when the evidence changes, told
once when they differ from the agreed tier (which they never change), triggered after commit by
new evidence, and the same handful of queries for 3 academies as for 12."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academies.models import Academy
from academies.signals import data_changed
from healthchecks.models import HealthCheck, Risk
from healthchecks.services import health_check_publish
from healthchecks.signals import risk_changed
from tests.factories import AcademyFactory, Role
from tests.tiers.makers import (
    make_health_check,
    make_inspection,
    make_result,
    make_risk,
    make_tier,
    only_rules,
    tier_rule,
)
from tests.utils import TRANSACTION_CONTROL
from tiers.models import RuleKind, TierAssignment, TierRecommendation
from tiers.services import recalculate
from tiers.tasks import recalculate_tiers
from trust.models import AcademicYear, Notification

R = Role
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def evidence(world):
    """Two rules; North A's inspection (good) and published health check (expected) say tier 2."""
    only_rules(
        tier_rule(RuleKind.INSPECTION, name="Latest Ofsted inspection", order=1),
        tier_rule(RuleKind.HEALTH_CHECK, name="Latest health check", order=2),
    )
    make_inspection(world.north_a, start_date=datetime.date(2023, 3, 15), overall="2")
    make_health_check(
        world.north_a, visit_start=datetime.date(2026, 10, 6), judgements=[("achievement", "expected")]
    )
    return world


def rows(academy):
    return list(
        TierRecommendation.objects.filter(academy=academy).order_by("pk").values_list("tier", "current")
    )


def test_recalculating_without_change_writes_nothing_new(evidence):
    world = evidence
    first = recalculate()
    recalculate()
    assert TierRecommendation.objects.count() == 4  # one per academy
    assert rows(world.north_a) == [(2, True)]
    assert rows(world.south_a) == [(None, True)]  # no evidence: no tier, and it says so
    assert TierRecommendation.objects.get(academy=world.south_a).missing == [
        "Latest Ofsted inspection",
        "Latest health check",
    ]
    assert first[world.north_a].tier == 2
    recommendation = TierRecommendation.objects.get(academy=world.north_a)
    assert recommendation.academic_year == AcademicYear.objects.get(start_year=2026)
    assert [line["tier"] for line in recommendation.trace] == [2, 2]


def test_changed_evidence_makes_a_new_current_recommendation_and_keeps_the_old(evidence):
    world = evidence
    recalculate()
    make_health_check(
        world.north_a,
        visit_start=datetime.date(2026, 11, 10),
        judgements=[("achievement", "urgent_improvement")],
    )
    recalculate()
    assert rows(world.north_a) == [(2, False), (3, True)]  # (2 + 4) / 2
    assert rows(world.north_b) == [(None, True)]


def test_a_recommendation_differing_from_the_agreed_tier_is_told_once_and_changes_nothing(evidence):
    world = evidence
    agreed = make_tier(world.north_a, AcademicYear.objects.get_or_create(start_year=2026)[0], 1)
    recalculate()
    recalculate()
    notes = Notification.objects.filter(kind="tier.recommendation_differs")
    assert sorted(notes.values_list("user__email", flat=True)) == ["exec@trust.test", "siel@trust.test"]
    note = notes.get(user=world[R.EXECUTIVE])
    assert note.title == "North A: the evidence points to tier 2, not the agreed tier 1"
    assert "only the Trust Board can" in note.body
    assert "- Latest Ofsted inspection: Ofsted's inspection of 15 March 2023" in note.body
    assert "- Latest health check: The health check of 6 October 2026 judged 1 areas" in note.body
    assert note.url == "/academies/100001/tier/"
    after = TierAssignment.objects.get(pk=agreed.pk)
    assert (after.tier, after.status, after.version) == (1, TierAssignment.Status.AGREED, agreed.version)


def test_academies_that_left_the_trust_are_skipped(evidence):
    world = evidence
    Academy.objects.filter(pk=world.south_b.pk).update(
        status=Academy.Status.LEFT, date_left=datetime.date(2026, 8, 31)
    )
    outcomes = recalculate()
    assert world.south_b not in outcomes
    assert not TierRecommendation.objects.filter(academy=world.south_b).exists()
    assert len(outcomes) == 3


def test_new_figures_recalculate_the_academies_they_touch_after_commit(
    evidence, eager, django_capture_on_commit_callbacks
):
    world = evidence
    with django_capture_on_commit_callbacks(execute=True):
        data_changed.send(sender=None, academy_ids=[world.north_a.pk])
        assert not TierRecommendation.objects.exists()  # nothing before commit
    assert list(TierRecommendation.objects.values_list("academy__urn", "tier")) == [("100001", 2)]


def test_publishing_a_health_check_recalculates_its_academy(
    evidence, eager, django_capture_on_commit_callbacks
):
    world = evidence
    check = make_health_check(
        world.north_b, status=HealthCheck.Status.RESPONDED, judgements=[("achievement", "needs_attention")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        health_check_publish(health_check=check, by=world[R.SIEL])
    recommendation = TierRecommendation.objects.get(academy=world.north_b)
    assert recommendation.trace[1]["tier"] == 3
    assert recommendation.tier is None  # one indication is not enough
    assert recommendation.missing == ["Latest Ofsted inspection"]


def test_a_changed_risk_recalculates_its_academy_but_a_trust_risk_none(
    evidence, eager, django_capture_on_commit_callbacks
):
    world = evidence
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        risk_changed.send(sender=Risk, risk=make_risk(None, category="finance"))
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        risk_changed.send(sender=Risk, risk=make_risk(world.south_a))
    assert list(TierRecommendation.objects.values_list("academy__urn", flat=True)) == ["100003"]


def test_the_task_returns_each_academys_tier(evidence, eager):
    world = evidence
    result = recalculate_tiers.delay([world.north_a.pk, world.north_b.pk]).get()
    assert result == {"100001": 2, "100002": None}


def test_the_command_prints_the_academy_its_tier_and_its_reasons(evidence):
    out = io.StringIO()
    call_command("recalculate_tiers", "--academy", "100001", stdout=out)
    text = out.getvalue()
    assert "Tier recommendations for 2026/27:" in text
    assert "100001 North A: tier 2 (weighted mean 2.00); no agreed tier" in text
    assert "[ T2] Latest Ofsted inspection: Ofsted's inspection of 15 March 2023" in text
    assert "[ T2] Latest health check: The health check of 6 October 2026" in text
    assert "North B" not in text
    assert "1 academies recalculated." in text


def test_the_command_names_an_unknown_urn(evidence):
    with pytest.raises(CommandError) as excinfo:
        call_command("recalculate_tiers", "--academy", "100001", "--academy", "999999", stdout=io.StringIO())
    assert "999999" in str(excinfo.value)
    assert "100001" not in str(excinfo.value)
    assert not TierRecommendation.objects.exists()


def _with_evidence(world, count, first_urn):
    academies = []
    for n in range(count):
        academy = AcademyFactory(
            trust=world.trust, hub=world.north, urn=str(first_urn + n), name=f"School {first_urn + n}"
        )
        make_inspection(
            academy, start_date=datetime.date(2024, 10, 8), judgements=[("quality_of_education", "2")]
        )
        make_health_check(academy, visit_start=datetime.date(2026, 10, 6))
        make_risk(academy)
        make_result(academy, "attendance", 2025, "93.0", national="94.0")
        make_result(academy, "persistent_absence", 2025, "19.0", national="18.0")
        academies.append(academy)
    return [a.pk for a in academies]


def _queries(ids):
    with CaptureQueriesContext(connection) as captured:
        recalculate(ids)
    return [
        q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]


def test_recalculating_costs_the_same_queries_for_3_academies_as_for_12(world):
    # The trust's default rules: every kind of evidence is read.
    few, many = _with_evidence(world, 3, 200001), _with_evidence(world, 12, 200101)
    AcademicYear.for_date(NOW.date())  # the year and its terms exist before either run
    first_few, first_many = _queries(few), _queries(many)
    assert len(first_few) == len(first_many)
    assert TierRecommendation.objects.filter(academy__in=many, current=True).count() == 12
    assert len(_queries(few)) == len(_queries(many))  # and again, writing nothing
