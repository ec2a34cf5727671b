"""Tier decisions through the services: proposed, agreed by the Trust Board, declined or
withdrawn; a mid-year reclassification superseding the agreed tier; who may act and who is told."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import Role
from tests.tiers.makers import year_with_terms
from tiers import services
from tiers.models import SupportItem, SupportKind, TierAssignment, TierEvent
from tiers.services import StaleEdit, WorkflowError
from trust.models import Membership, Notification

R = Role
S = TierAssignment.Status
E = TierEvent.Action
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=datetime.UTC)
MEETING = datetime.date(2025, 11, 18)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def year(db):
    return year_with_terms(2025)


@pytest.fixture
def chair(world):
    Membership.objects.filter(user=world[R.GOVERNOR]).update(lgb_chair=True)
    return world[R.GOVERNOR]


def propose(world, year, tier=3, by=R.SIEL, academy=None, **extra):
    return services.propose(
        academy=academy or world.north_a,
        year=year,
        tier=tier,
        by=world[by],
        rationale=extra.pop("rationale", "Attendance well below national; behaviour improving."),
        **extra,
    )


def agree(world, assignment, by=R.TRUSTEE, **extra):
    extra.setdefault("board_meeting", MEETING)
    return services.agree(assignment, by=world[by], board_minute="TB/25/031", **extra)


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


def test_proposal_agreed_by_the_board_keeps_its_history_and_schedules_support(world, year, chair):
    proposal = propose(world, year, tier=3)
    assert (proposal.status, proposal.kind) == (S.PROPOSED, TierAssignment.Kind.ANNUAL)

    agreed = agree(world, proposal)

    assert agreed.status == S.AGREED
    assert (agreed.board_meeting, agreed.board_minute) == (MEETING, "TB/25/031")
    assert agreed.effective_from == datetime.date(2025, 9, 1)  # an annual tier covers the year
    assert agreed.decided_by == world[R.TRUSTEE]
    events = list(agreed.events.values_list("action", "by__email", "to_status"))
    assert events == [
        (E.PROPOSED, "siel@trust.test", S.PROPOSED),
        (E.AGREED, "trustee@trust.test", S.AGREED),
    ]
    assert agreed.events.get(action=E.AGREED).changes["board_minute"] == ["", "TB/25/031"]
    # Tier 3's support falls due from the year's start: termly board reviews among it.
    reviews = SupportItem.objects.filter(assignment=agreed, kind=SupportKind.BOARD_REVIEW)
    assert [i.due_on for i in reviews] == [
        datetime.date(2025, 12, 19),
        datetime.date(2026, 3, 27),
        datetime.date(2026, 7, 22),
    ]


def test_trustees_and_executives_are_asked_to_decide_once(world, year):
    proposal = propose(world, year)
    services.edit_proposal(
        proposal, by=world[R.SIEL], version=proposal.version, tier=4, rationale="Safeguarding concerns too."
    )
    assert told("tier.decision_needed") == ["exec@trust.test", "trustee@trust.test"]
    note = Notification.objects.filter(kind="tier.decision_needed").first()
    assert note.url == "/academies/100001/tier/"
    assert "tier 3" in note.title


def test_the_decision_is_told_to_the_headteacher_and_the_chair_of_governors(world, year, chair):
    agree(world, propose(world, year, tier=2))
    people = told("tier.decided")
    assert {"head@trust.test", "governor@trust.test", "siel@trust.test", "hublead@trust.test"} <= set(people)
    assert len(people) == len(set(people))  # each person once
    assert "acdata@trust.test" not in people
    note = Notification.objects.get(kind="tier.decided", user=world[R.HEADTEACHER])
    assert "agreed tier 2 for North A in 2025/26 at its meeting of 18 November 2025" in note.body


def test_a_second_proposal_while_one_is_open_is_refused(world, year):
    propose(world, year)
    with pytest.raises(WorkflowError) as excinfo:
        propose(world, year, tier=2, by=R.EXECUTIVE)
    assert "already waiting for the board" in excinfo.value.messages[0]
    assert TierAssignment.objects.filter(academy=world.north_a).count() == 1


def test_a_reclassification_needs_an_exceptional_reason_and_a_different_tier(world, year):
    agree(world, propose(world, year, tier=2))
    with pytest.raises(ValidationError) as excinfo:
        propose(world, year, tier=4)
    assert "exceptional circumstances" in excinfo.value.message_dict["exceptional_reason"][0]
    with pytest.raises(ValidationError) as excinfo:
        propose(world, year, tier=2, exceptional_reason="Ofsted found safeguarding ineffective.")
    assert excinfo.value.message_dict["tier"] == ["Tier 2 is already the agreed tier for 2025/26."]
    proposal = propose(world, year, tier=4, exceptional_reason="Ofsted found safeguarding ineffective.")
    assert proposal.kind == TierAssignment.Kind.RECLASSIFICATION
    # Nor can an edit turn it into the tier already agreed.
    with pytest.raises(ValidationError) as excinfo:
        services.edit_proposal(
            proposal, by=world[R.SIEL], version=proposal.version, tier=2, rationale="Second thoughts.",
            exceptional_reason="Ofsted found safeguarding ineffective.",
        )  # fmt: skip
    assert "tier" in excinfo.value.message_dict


def test_agreeing_a_reclassification_supersedes_the_tier_and_moves_the_schedule(world, year):
    annual = agree(world, propose(world, year, tier=2), board_meeting=datetime.date(2025, 9, 10))
    owed_before = {(i.kind, i.due_on) for i in annual.support_items.all()}
    assert (SupportKind.CEO_ONE_TO_ONE, datetime.date(2026, 3, 27)) in owed_before  # four-weekly, tier 2

    with time_machine.travel(datetime.datetime(2026, 2, 12, 9, 0, tzinfo=datetime.UTC), tick=False):
        proposal = propose(world, year, tier=4, exceptional_reason="Safeguarding judged ineffective.")
        new = agree(world, proposal, board_meeting=datetime.date(2026, 2, 11))

    annual.refresh_from_db()
    assert annual.status == S.SUPERSEDED
    superseded = annual.events.get(action=E.SUPERSEDED)
    assert superseded.reason == "Reclassified to tier 4 from 11 February 2026."
    assert (new.status, new.effective_from) == (S.AGREED, datetime.date(2026, 2, 11))

    old = annual.support_items.all()
    assert {i.status for i in old if i.due_on >= new.effective_from} == {SupportItem.Status.CANCELLED}
    assert {i.status for i in old if i.due_on < new.effective_from} == {SupportItem.Status.OWED}
    ceo = [i.due_on for i in new.support_items.filter(kind=SupportKind.CEO_ONE_TO_ONE)]
    assert ceo[:2] == [datetime.date(2026, 2, 13), datetime.date(2026, 2, 20)]  # weekly now
    statement = new.support_items.get(kind=SupportKind.STATEMENT_OF_ACTION)
    assert (statement.window_start, statement.due_on) == (
        datetime.date(2026, 2, 11),
        datetime.date(2026, 3, 11),
    )
    assert TierAssignment.objects.agreed().get(academy=world.north_a) == new


def test_decline_needs_a_reason_and_tells_the_proposer_why(world, year, chair):
    proposal = propose(world, year)
    with pytest.raises(ValidationError) as excinfo:
        services.decline(proposal, by=world[R.TRUSTEE], board_meeting=MEETING, reason="  ")
    assert "reason" in excinfo.value.message_dict
    declined = services.decline(
        proposal, by=world[R.TRUSTEE], board_meeting=MEETING, reason="Wait for the spring data."
    )
    assert declined.status == S.DECLINED
    assert declined.events.get(action=E.DECLINED).reason == "Wait for the spring data."
    note = Notification.objects.get(kind="tier.decided", user=world[R.SIEL])
    assert note.body.endswith("Reason: Wait for the spring data.")
    assert not declined.support_items.exists()


def test_withdrawn_proposal_leaves_room_for_another(world, year):
    proposal = propose(world, year)
    with pytest.raises(ValidationError):
        services.withdraw(proposal, by=world[R.SIEL], reason="")
    withdrawn = services.withdraw(proposal, by=world[R.SIEL], reason="Proposed for the wrong year.")
    assert withdrawn.status == S.WITHDRAWN
    assert withdrawn.events.get(action=E.WITHDRAWN).reason == "Proposed for the wrong year."
    assert propose(world, year, tier=2).status == S.PROPOSED


def test_a_board_meeting_in_the_future_is_refused(world, year):
    proposal = propose(world, year)
    with pytest.raises(ValidationError) as excinfo:
        agree(world, proposal, board_meeting=datetime.date(2025, 11, 21))
    assert "in the future" in excinfo.value.message_dict["board_meeting"][0]
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


@pytest.mark.parametrize("role", [R.GOVERNOR, R.HEADTEACHER, R.TRUSTEE, R.DATA_MANAGER])
def test_roles_that_may_not_propose_are_refused(world, year, role):
    with pytest.raises(PermissionDenied):
        propose(world, year, by=role)


def test_a_hub_lead_proposes_only_for_their_hub(world, year):
    assert propose(world, year, by=R.HUB_LEAD).academy == world.north_a
    with pytest.raises(PermissionDenied):
        propose(world, year, by=R.HUB_LEAD, academy=world.south_a)


@pytest.mark.parametrize("role", [R.SIEL, R.HUB_LEAD, R.HEADTEACHER])
def test_only_trustees_and_executives_record_the_board_decision(world, year, role):
    proposal = propose(world, year)
    with pytest.raises(PermissionDenied):
        agree(world, proposal, by=role)
    assert agree(world, proposal, by=R.EXECUTIVE).status == S.AGREED


def test_a_stale_edit_is_refused(world, year):
    proposal = propose(world, year, tier=3)
    opened = proposal.version
    services.edit_proposal(
        proposal, by=world[R.EXECUTIVE], version=opened, tier=4, rationale="Worse than we thought."
    )
    with pytest.raises(StaleEdit):
        services.edit_proposal(proposal, by=world[R.SIEL], version=opened, tier=2, rationale="Better.")
    proposal.refresh_from_db()
    assert (proposal.tier, proposal.rationale) == (4, "Worse than we thought.")
    edited = proposal.events.get(action=E.EDITED)
    assert edited.changes["tier"] == ["3", "4"]


def test_agreeing_a_proposal_no_longer_open_is_refused(world, year):
    proposal = propose(world, year)
    services.decline(proposal, by=world[R.TRUSTEE], board_meeting=MEETING, reason="Not yet.")
    with pytest.raises(WorkflowError) as excinfo:
        agree(world, proposal, by=R.EXECUTIVE)
    assert excinfo.value.messages == ["This proposal is no longer open: it was declined by the trust board."]


def test_agreeing_from_a_stale_version_is_refused(world, year):
    proposal = propose(world, year)
    opened = proposal.version
    services.edit_proposal(proposal, by=world[R.SIEL], version=opened, tier=2, rationale="Reconsidered.")
    with pytest.raises(StaleEdit):
        agree(world, proposal, version=opened)
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED
