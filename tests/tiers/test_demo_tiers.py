"""The demo trust's tiers: decisions in every state, recommendations that agree and differ,
support given and overdue, and a joining school's baseline, all with their history."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tiers.models import BaselineAssessment, SupportItem, TierAssignment, TierRecommendation
from trust.models import AcademicYear, Notification

TODAY = datetime.date(2026, 11, 20)  # a Friday, half-way through the autumn term


@pytest.mark.django_db
def test_the_demo_trust_has_tiers_in_every_state_with_their_history():
    out = StringIO()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)):
        call_command("demo", "--password", "tiers-demo-1", stdout=out)
    year = AcademicYear.objects.get(start_year=2026)
    last_year = AcademicYear.objects.get(start_year=2025)
    this_year = TierAssignment.objects.filter(academic_year=year)

    # Every tier is in use this year and last, each agreed by the board at a meeting with a minute.
    agreed = this_year.agreed()
    assert set(agreed.values_list("tier", flat=True)) == {1, 2, 3, 4}
    assert set(TierAssignment.objects.agreed().filter(academic_year=last_year)
               .values_list("tier", flat=True)) == {1, 2, 3, 4}
    assert not agreed.filter(board_minute="").exists()
    assert "Tiers for 2026/27:" in out.getvalue()

    # The engine agrees with some agreed tiers and differs from a few, and the difference is told.
    current = TierRecommendation.objects.current().filter(academic_year=year, agreed_tier__isnull=False)
    differing = [r for r in current if r.tier and r.tier != r.agreed_tier]
    assert 3 <= len(differing) <= 5
    assert any(r.tier == r.agreed_tier for r in current)
    assert Notification.objects.filter(kind="tier.recommendation_differs").exists()

    # Proposals wait for the board, one of them the joining school's, proposed by its baseline.
    pending = this_year.pending()
    assert pending.filter(kind=TierAssignment.Kind.ANNUAL).count() == 2
    joining = pending.get(kind=TierAssignment.Kind.JOINING)
    assert joining.academy.status == "joining"
    assert joining.baseline.status == BaselineAssessment.Status.COMPLETE

    # One mid-year reclassification, agreed with its exceptional reason, superseding the annual tier.
    superseded = this_year.get(status=TierAssignment.Status.SUPERSEDED)
    reclassified = agreed.get(kind=TierAssignment.Kind.RECLASSIFICATION)
    assert reclassified.academy_id == superseded.academy_id
    assert "safeguarding" in reclassified.exceptional_reason
    assert list(superseded.events.values_list("action", flat=True)) == ["proposed", "agreed", "superseded"]

    # Support: overdue at three academies or more, told to the trust; some given late; health
    # checks published this year settle what they were owed.
    overdue = SupportItem.objects.overdue(TODAY).filter(academic_year=year)
    assert overdue.values("academy").distinct().count() >= 3
    assert Notification.objects.filter(kind="support.overdue").count() >= overdue.count()
    delivered = SupportItem.objects.filter(academic_year=year, status="delivered").select_related(
        "delivered_by_entry")
    assert any(item.delivered_late for item in delivered)
    assert delivered.filter(delivered_by_entry__source="health_check").exists()

    # Every agreed tier has its history; nobody was emailed about the demo's past.
    for assignment in TierAssignment.objects.agreed():
        actions = set(assignment.events.values_list("action", flat=True))
        assert {"proposed", "agreed"} <= actions, assignment
    assert not Notification.objects.filter(kind__regex=r"^(tier|support)\.", email=True).exists()
