"""What a review of the tiers found, each now held by a test: academy roles never read the
engine's evidence or a baseline's findings through a decision; a baseline is for a joining
school and never slips a tier change past the exceptional-reason rule; editing a tier or the
term dates moves only the support still to come; the engine says when the latest inspection's
grades are missing rather than reading an older one; and input the product cannot use is
refused with a message, not a 500."""

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from academies.models import Academy
from tests.factories import Role
from tests.tiers.makers import make_inspection, make_tier, only_rules, tier_rule, year_with_terms
from tiers import engine, services
from tiers.engine import Status
from tiers.models import BaselineAssessment, RuleKind, SupportItem, SupportKind, TierAssignment, TierRule

R = Role
TODAY = datetime.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 11, 20, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def year(db):
    return year_with_terms(2025)


def _proposal_with_evidence(world, year):
    only_rules(tier_rule(RuleKind.INSPECTION, name="Latest Ofsted inspection"),
               tier_rule(RuleKind.MEASURE, name="Attendance", measure="attendance", lead_from=1,
                         grow_from=-1, reinvent_from=-3))
    make_inspection(world.north_a, start_date=datetime.date(2023, 3, 15), overall="3")
    services.recalculate([world.north_a.pk], today=TODAY, year=year)
    return services.propose(academy=world.north_a, year=year, tier=3, rationale="Below national.",
                            by=world[R.EXECUTIVE])


@pytest.mark.parametrize("role", [R.GOVERNOR, R.HEADTEACHER, R.ACADEMY_DATA_MANAGER])
def test_academy_roles_read_a_decision_without_the_engines_evidence(client, world, year, role):
    proposal = _proposal_with_evidence(world, year)
    assert proposal.evidence, "the proposal carries the engine's evidence links"
    client.force_login(world[role])
    body = client.get(reverse("api:tier-assignment-detail", kwargs={"uuid": proposal.uuid})).json()
    assert "evidence" not in body and "recommendation" not in body
    client.force_login(world[R.EXECUTIVE])
    body = client.get(reverse("api:tier-assignment-detail", kwargs={"uuid": proposal.uuid})).json()
    assert body["evidence"] and "recommendation" in body


def _joining(academy):
    academy.status = Academy.Status.JOINING
    academy.save(update_fields=["status"])
    return academy


def _baseline(world, academy, **fields):
    values = {"assessed_on": TODAY, "curriculum": "developing", "capacity": "taker", "proposed_tier": 3,
              "rationale": "Safeguarding records were incomplete at the visit; the plan is thin."}
    values.update(fields)
    return services.baseline_create(academy=academy, by=world[R.SIEL], **values)


def test_a_baselines_findings_stay_with_the_trust_and_the_proposal_only_points_to_them(world, year):
    baseline = _baseline(world, _joining(world.north_a))
    _, proposal = services.baseline_complete(baseline, by=world[R.SIEL], version=baseline.version)
    assert proposal.kind == TierAssignment.Kind.JOINING
    assert "Safeguarding records" not in proposal.rationale
    assert "due-diligence baseline of 20 November 2025" in proposal.rationale


def test_a_baseline_is_only_for_a_school_joining_the_trust(world, year):
    with pytest.raises(ValidationError, match="is not joining the trust"):
        _baseline(world, world.north_a)
    assert not BaselineAssessment.objects.exists()


def test_a_baseline_for_a_school_with_an_agreed_tier_is_a_reclassification_and_needs_its_reason(world, year):
    academy = _joining(world.north_a)
    make_tier(academy, year, 1)
    baseline = _baseline(world, academy, proposed_tier=4)
    with pytest.raises(ValidationError, match="exceptional circumstances"):
        services.baseline_complete(baseline, by=world[R.SIEL], version=baseline.version)
    assert TierAssignment.objects.filter(academy=academy).count() == 1  # the agreed one, untouched
    assert BaselineAssessment.objects.get().status == BaselineAssessment.Status.DRAFT  # all or nothing


def _agreed(world, year, tier):
    proposal = services.propose(academy=world.north_a, year=year, tier=tier,
                                rationale="As the evidence shows.", by=world[R.EXECUTIVE])
    return services.agree(proposal, by=world[R.TRUSTEE], board_meeting=datetime.date(2025, 10, 14),
                          board_minute="TB/25/1")


def test_a_cadence_changed_today_leaves_the_past_as_it_was_and_moves_what_is_to_come(world, year):
    assignment = _agreed(world, year, 2)
    ceo = SupportItem.objects.filter(assignment=assignment, kind=SupportKind.CEO_ONE_TO_ONE)
    before = set(ceo.filter(due_on__lt=TODAY).values_list("due_on", "status"))
    definition = next(d for d in services.definitions_for(year) if d.number == 2)
    entitlements = [(e.kind, "weekly" if e.kind == SupportKind.CEO_ONE_TO_ONE else e.cadence, e.description)
                    for e in definition.entitlements.all()]
    services.definition_update(
        definition, by=world[R.EXECUTIVE], version=definition.version, name=definition.name,
        led_by=definition.led_by, summary=definition.summary,
        descriptors=[(d.area, d.text) for d in definition.descriptors.all()], entitlements=entitlements,
    )
    items = SupportItem.objects.filter(assignment=assignment, kind=SupportKind.CEO_ONE_TO_ONE)
    assert set(items.filter(due_on__lt=TODAY).values_list("due_on", "status")) == before
    upcoming = items.filter(due_on__gte=TODAY, status=SupportItem.Status.OWED).order_by("due_on")
    gaps = {(b.due_on - a.due_on).days for a, b in itertools.pairwise(upcoming)}
    assert 7 in gaps  # weekly from now on


def test_new_term_dates_move_the_support_still_to_come(world, year, django_capture_on_commit_callbacks):
    assignment = _agreed(world, year, 2)
    summer = year.terms.get(number=3)
    old_end = summer.ends_on
    with django_capture_on_commit_callbacks(execute=True):
        summer.ends_on = old_end - datetime.timedelta(days=7)
        summer.save()
    owed = SupportItem.objects.filter(assignment=assignment).exclude(status=SupportItem.Status.CANCELLED)
    assert not owed.filter(due_on__gt=summer.ends_on).exists()
    assert owed.filter(kind=SupportKind.HEALTH_CHECK, due_on=summer.ends_on).exists()


def test_the_latest_inspection_without_grades_is_missing_not_replaced_by_an_older_one(world, year):
    rule = tier_rule(RuleKind.INSPECTION, name="Latest Ofsted inspection")
    make_inspection(world.north_a, start_date=datetime.date(2019, 3, 15), overall="1")
    make_inspection(world.north_a, start_date=datetime.date(2024, 5, 1), overall="")
    academy = world.north_a
    line = engine.recommend(academy, [rule], engine.Evidence([academy], [rule], TODAY)).lines[0]
    assert line.status == Status.MISSING
    assert "1 May 2024 has no grades recorded" in line.explanation


def test_a_trend_margin_of_zero_is_refused(db):
    rule = TierRule(name="Attendance", kind=RuleKind.MEASURE, use_trend=True, trend_margin=0,
                    lead_from=1, grow_from=0, reinvent_from=-2)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "trend_margin" in error.value.message_dict


def test_support_from_before_last_year_is_refused(world, year):
    with pytest.raises(ValidationError, match="this academic year and last"):
        services.log_support(academy=world.north_a, kind=SupportKind.CEO_ONE_TO_ONE,
                             held_on=datetime.date(2001, 1, 1), by=world[R.EXECUTIVE])


def test_a_month_the_calendar_cannot_show_is_this_month_with_a_message(client, world):
    client.force_login(world[R.EXECUTIVE])
    for month in ("9999-12", "1-01", "2026-13", "soon"):
        response = client.get(reverse("tiers:calendar"), {"month": month})
        assert response.status_code == 200, month


def test_the_api_refuses_a_long_minute_and_a_far_year(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Close to national.",
                                by=world[R.EXECUTIVE])
    client.force_login(world[R.TRUSTEE])
    url = reverse("api:tier-assignment-agree", kwargs={"uuid": proposal.uuid})
    response = client.post(url, {"board_meeting": "2025-10-14", "board_minute": "M" * 51},
                           content_type="application/json")
    assert response.status_code == 400
    assert "board_minute" in response.json()
    assert TierAssignment.objects.get(pk=proposal.pk).status == TierAssignment.Status.PROPOSED
    client.force_login(world[R.EXECUTIVE])
    response = client.post(reverse("api:tier-assignment-list"),
                           {"academy": world.south_a.urn, "year": 2001, "tier": 2, "rationale": "Old."},
                           content_type="application/json")
    assert response.status_code == 400
    assert not TierAssignment.objects.filter(academy=world.south_a).exists()
    response = client.get(reverse("api:tier-definition-list"), {"year": 2100})
    assert response.status_code == 400
    assert not year.__class__.objects.filter(start_year=2100).exists()
