"""The targets workflow: every step by every role from every status, and the history it keeps.

The rules are written out here, from the issue, rather than read from trust.access: a change to
who may do what has to change this table too.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from academies import services
from academies.models import Measure, Target, TargetEvent
from academies.services import WorkflowError
from tests.factories import Role, person
from trust.models import AcademicYear, Notification

R, S, A = Role, Target.Status, TargetEvent.Action
NOW = datetime.datetime(2025, 10, 20, 9, 30, tzinfo=datetime.UTC)
MEETING = datetime.date(2025, 10, 16)  # the Trust Board that agreed, the Thursday before
COMMENTS = "The LGB discussed the target on 6 October and supports it."
WHY_BACK = "Too modest for this cohort: look again at the Year 5 assessments."
RATIONALE = "Last year's 69% plus the trust's challenge."
REASON = "Twelve pupils with EHC plans joined Year 6 in January."

EDITORS = {R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}  # the academy's head, its hub lead, the executive
BOARD = {R.TRUSTEE, R.EXECUTIVE}
# step -> (the status it leads to, {role: the statuses that role may take it from})
RULES = {
    "edit": (S.DRAFT, {role: {S.DRAFT} for role in EDITORS}),
    "propose": (S.PROPOSED, {role: {S.DRAFT} for role in EDITORS}),
    "review": (S.REVIEWED, {R.GOVERNOR: {S.PROPOSED}}),
    # Back to draft: by the LGB or the proposer while proposed, by the board once reviewed.
    "return": (S.DRAFT, {R.GOVERNOR: {S.PROPOSED}, R.HEADTEACHER: {S.PROPOSED}, R.HUB_LEAD: {S.PROPOSED},
                         R.EXECUTIVE: {S.PROPOSED, S.REVIEWED}, R.TRUSTEE: {S.REVIEWED}}),
    "agree": (S.AGREED, {role: {S.REVIEWED} for role in BOARD}),
    "amend": (S.AGREED, {role: {S.AGREED} for role in BOARD}),
}
STEPS = {
    "edit": lambda target, by: services.target_edit(target=target, by=by, value=Decimal("73"),
                                                    rationale=RATIONALE),
    "propose": lambda target, by: services.target_propose(target=target, by=by),
    "review": lambda target, by: services.target_review(target=target, by=by, comments=COMMENTS),
    "return": lambda target, by: services.target_return(target=target, by=by, comments=WHY_BACK),
    "agree": lambda target, by: services.target_agree(target=target, by=by, meeting=MEETING,
                                                      minute="TB/25/14"),
    "amend": lambda target, by: services.target_amend(target=target, by=by, reason=REASON,
                                                      value=Decimal("68")),
}
# step -> what its event records: (action, reason, changes)
EVENTS = {
    "edit": (A.EDITED, "", {"value": ["71", "73"], "rationale": ["", RATIONALE]}),
    "propose": (A.PROPOSED, "", {}),
    "review": (A.REVIEWED, COMMENTS, {}),
    "return": (A.RETURNED, WHY_BACK, {}),
    "agree": (A.AGREED, "", {}),
    "amend": (A.AMENDED, REASON, {"value": ["71", "68"]}),
}


def at(*moment):
    return datetime.datetime(*moment, tzinfo=datetime.UTC)


def expected(step, role, status):
    """The status the step leads to, or the error it must raise."""
    to_status, allowed = RULES[step]
    if role not in allowed:
        return PermissionDenied
    if status not in allowed[role]:
        return WorkflowError
    return to_status


CASES = [
    pytest.param(step, role, status, id=f"{step}-{role}-from-{status}")
    for step in RULES for role in Role for status in (S.DRAFT, S.PROPOSED, S.REVIEWED, S.AGREED)
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def year(db):
    return AcademicYear.for_date(datetime.date(2025, 9, 1))


def ks2(**fields):
    return {"measure": Measure.objects.get(code="ks2_expected"), "pupil_group": "all", "year_group": "KS2",
            "subject": "rwm", "value": Decimal("71"), **fields}


def target_in(world, year, status, academy=None):
    """A target brought to `status` the way people would: created by the executive, proposed,
    reviewed by a governor of its academy and agreed by the trustee."""
    academy = academy or world.north_a
    target = services.target_create(academy=academy, academic_year=year, by=world[R.EXECUTIVE], **ks2())
    if status != S.DRAFT:
        services.target_propose(target=target, by=world[R.EXECUTIVE])
    if status in (S.REVIEWED, S.AGREED):
        governor = world[R.GOVERNOR] if academy == world.north_a else person(R.GOVERNOR, academy=academy)
        services.target_review(target=target, by=governor, comments="Supported by the LGB.")
    if status == S.AGREED:
        services.target_agree(target=target, by=world[R.TRUSTEE], meeting=MEETING)
    return Target.objects.get(pk=target.pk)


def snapshot(target):
    return Target.objects.filter(pk=target.pk).values().get(), target.events.count()


@pytest.mark.parametrize(("step", "role", "status"), CASES)
def test_each_step_by_each_role_from_each_status(world, year, step, role, status):
    target = target_in(world, year, status)
    before, events_before = snapshot(target)
    by = world[role]
    outcome = expected(step, role, status)

    if outcome in (PermissionDenied, WorkflowError):
        with pytest.raises(outcome):
            STEPS[step](target, by)
        assert snapshot(target) == (before, events_before), "a refused step changed the target"
        return

    STEPS[step](target, by)

    target.refresh_from_db()
    assert target.status == outcome
    event = target.events.order_by("pk").last()
    assert target.events.count() == events_before + 1
    action, reason, changes = EVENTS[step]
    assert (event.action, event.by, event.at, event.from_status, event.to_status) == (
        action, by, NOW, status, outcome)
    assert (event.reason, event.changes) == (reason, changes)
    if step == "propose":
        assert (target.proposed_by, target.proposed_at) == (by, NOW)
    if step == "review":
        assert (target.reviewed_by, target.reviewed_at, target.lgb_comments) == (by, NOW, COMMENTS)
    if step == "agree":
        assert (target.agreed_by, target.agreed_at, target.board_meeting, target.board_minute) == (
            by, NOW, MEETING, "TB/25/14")
    if step == "amend":
        assert target.value == Decimal("68") and target.agreed_by == world[R.TRUSTEE]


@pytest.mark.parametrize("role", list(Role))
def test_who_may_create_a_target(world, year, role):
    if role not in EDITORS:
        with pytest.raises(PermissionDenied):
            services.target_create(academy=world.north_a, academic_year=year, by=world[role], **ks2())
        assert not Target.objects.exists()
        return

    target = services.target_create(academy=world.north_a, academic_year=year, by=world[role],
                                    rationale=RATIONALE, **ks2())

    assert (target.status, target.created_by, target.created_at) == (S.DRAFT, world[role], NOW)
    event = target.events.get()
    assert (event.action, event.by, event.at, event.to_status) == (A.CREATED, world[role], NOW, S.DRAFT)


@pytest.mark.parametrize(("role", "step", "status"), [
    (R.HEADTEACHER, "propose", S.DRAFT),
    (R.HUB_LEAD, "edit", S.DRAFT),
    (R.GOVERNOR, "review", S.PROPOSED),
    (R.GOVERNOR, "return", S.PROPOSED),
])
def test_academy_and_hub_roles_act_only_for_their_own_academies(world, year, role, step, status):
    elsewhere = target_in(world, year, status, academy=world.south_a)  # another hub's academy
    before = snapshot(elsewhere)

    with pytest.raises(PermissionDenied):
        STEPS[step](elsewhere, world[role])

    assert snapshot(elsewhere) == before
    with pytest.raises(PermissionDenied):
        services.target_create(academy=world.south_a, academic_year=year, by=world[role], **ks2(
            measure=Measure.objects.get(code="phonics_y1"), year_group="Y1", subject=""))


@pytest.mark.parametrize(("status", "step", "call"), [
    (S.PROPOSED, "review", lambda t, w: services.target_review(target=t, by=w[R.GOVERNOR], comments="  ")),
    (S.PROPOSED, "return", lambda t, w: services.target_return(target=t, by=w[R.GOVERNOR], comments="")),
    (S.REVIEWED, "agree", lambda t, w: services.target_agree(target=t, by=w[R.TRUSTEE], meeting=None)),
    (S.REVIEWED, "agree in the future", lambda t, w: services.target_agree(
        target=t, by=w[R.TRUSTEE], meeting=datetime.date(2025, 10, 21))),
    (S.AGREED, "amend", lambda t, w: services.target_amend(target=t, by=w[R.EXECUTIVE], reason=" ",
                                                           value=Decimal("68"))),
    (S.AGREED, "amend nothing", lambda t, w: services.target_amend(target=t, by=w[R.EXECUTIVE],
                                                                   reason=REASON, value=Decimal("71"))),
])
def test_a_step_without_what_it_must_record_is_refused_and_changes_nothing(world, year, status, step, call):
    target = target_in(world, year, status)
    before = snapshot(target)

    with pytest.raises(WorkflowError) as refused:
        call(target, world)

    assert refused.value.messages and refused.value.messages[0]
    assert snapshot(target) == before


def test_the_board_may_record_a_meeting_held_today(world, year):
    target = target_in(world, year, S.REVIEWED)

    services.target_agree(target=target, by=world[R.TRUSTEE], meeting=NOW.date())

    target.refresh_from_db()
    assert (target.status, target.board_meeting) == (S.AGREED, NOW.date())


def test_editing_cannot_set_the_status_or_any_field_outside_the_target_itself(world, year):
    target = target_in(world, year, S.DRAFT)

    with pytest.raises(ValueError):
        services.target_edit(target=target, by=world[R.HEADTEACHER], status=S.AGREED)
    with pytest.raises(ValueError):
        services.target_amend(target=target_in(world, year, S.AGREED, academy=world.north_b),
                              by=world[R.TRUSTEE], reason=REASON, agreed_by=world[R.HEADTEACHER])

    assert Target.objects.get(pk=target.pk).status == S.DRAFT


@pytest.mark.parametrize(("fields", "field"), [
    ({"measure_code": "ks4_attainment8", "year_group": "KS4", "subject": "", "value": Decimal("50")},
     "measure"),
    ({"value": Decimal("120")}, "value"),
])
def test_a_target_that_makes_no_sense_is_not_created(world, year, fields, field):
    code = fields.pop("measure_code", "ks2_expected")
    with pytest.raises(ValidationError) as refused:
        services.target_create(academy=world.north_a, academic_year=year, by=world[R.HEADTEACHER],
                               **ks2(measure=Measure.objects.get(code=code), **fields))

    assert field in refused.value.message_dict
    assert not Target.objects.exists() and not TargetEvent.objects.exists()


def test_the_history_keeps_every_step_with_who_when_and_why_and_an_amendment_its_old_and_new_value(
    world, year, frozen,
):
    head, governor = world[R.HEADTEACHER], world[R.GOVERNOR]
    trustee, executive = world[R.TRUSTEE], world[R.EXECUTIVE]
    steps = [
        (at(2025, 9, 15, 10), lambda t: services.target_create(
            academy=world.north_a, academic_year=year, by=head, **ks2())),
        (at(2025, 9, 16, 10), lambda t: services.target_edit(target=t, by=head, value=Decimal("72"))),
        (at(2025, 9, 17, 10), lambda t: services.target_propose(target=t, by=head)),
        (at(2025, 9, 29, 19), lambda t: services.target_return(target=t, by=governor, comments=WHY_BACK)),
        (at(2025, 9, 30, 10), lambda t: services.target_edit(target=t, by=head, value=Decimal("74.5"))),
        (at(2025, 9, 30, 11), lambda t: services.target_propose(target=t, by=head)),
        (at(2025, 10, 6, 19), lambda t: services.target_review(target=t, by=governor, comments=COMMENTS)),
        (at(2025, 10, 16, 20), lambda t: services.target_agree(target=t, by=trustee, meeting=MEETING)),
        (at(2026, 1, 20, 12), lambda t: services.target_amend(
            target=t, by=executive, reason=REASON, value=Decimal("66.5"))),
    ]
    target = None
    for moment, step in steps:
        frozen.move_to(moment)
        target = step(target)

    history = [(e.action, e.by, e.at, e.from_status, e.to_status, e.reason, e.changes)
               for e in target.events.order_by("at", "pk")]
    when = [moment for moment, _ in steps]
    assert history == [
        (A.CREATED, head, when[0], "", S.DRAFT, "", {}),
        (A.EDITED, head, when[1], S.DRAFT, S.DRAFT, "", {"value": ["71", "72"]}),
        (A.PROPOSED, head, when[2], S.DRAFT, S.PROPOSED, "", {}),
        (A.RETURNED, governor, when[3], S.PROPOSED, S.DRAFT, WHY_BACK, {}),
        (A.EDITED, head, when[4], S.DRAFT, S.DRAFT, "", {"value": ["72", "74.5"]}),
        (A.PROPOSED, head, when[5], S.DRAFT, S.PROPOSED, "", {}),
        (A.REVIEWED, governor, when[6], S.PROPOSED, S.REVIEWED, COMMENTS, {}),
        (A.AGREED, trustee, when[7], S.REVIEWED, S.AGREED, "", {}),
        (A.AMENDED, executive, when[8], S.AGREED, S.AGREED, REASON, {"value": ["74.5", "66.5"]}),
    ]
    target.refresh_from_db()
    assert (target.status, target.value, target.agreed_by) == (S.AGREED, Decimal("66.5"), trustee)


def test_the_history_of_a_round_value_reads_as_people_wrote_it(world, year):
    target = target_in(world, year, S.AGREED)
    services.target_amend(target=target, by=world[R.TRUSTEE], reason=REASON, value=Decimal("80"))
    target = Target.objects.get(pk=target.pk)
    services.target_amend(target=target, by=world[R.TRUSTEE], reason=REASON, value=Decimal("70"))

    changes = [e.changes["value"] for e in target.events.filter(action=A.AMENDED).order_by("pk")]
    assert changes == [["71", "80"], ["80", "70"]]


def test_the_board_agrees_a_meeting_list_and_is_told_which_it_could_not(world, year):
    reviewed = [target_in(world, year, S.REVIEWED, academy=academy)
                for academy in (world.north_a, world.north_b, world.south_a)]
    proposed = target_in(world, year, S.PROPOSED, academy=world.south_b)

    agreed, refused = services.targets_agree(targets=[*reviewed, proposed], by=world[R.TRUSTEE],
                                             meeting=MEETING, minute="TB/25/14")

    assert {t.pk for t in agreed} == {t.pk for t in reviewed}
    assert [(t.pk, why) for t, why in refused] == [(proposed.pk, refused[0][1])]
    assert "proposed" in refused[0][1]
    assert set(Target.objects.values_list("status", flat=True)) == {S.AGREED, S.PROPOSED}
    assert TargetEvent.objects.filter(action=A.AGREED, by=world[R.TRUSTEE]).count() == 3
    assert Target.objects.filter(status=S.AGREED, board_meeting=MEETING, board_minute="TB/25/14").count() == 3

    _, refused = services.targets_agree(targets=reviewed, by=world[R.HEADTEACHER], meeting=MEETING)
    assert [why for _, why in refused] == ["you may not agree targets of this academy"] * 3


def test_a_proposal_tells_the_academys_governors_and_a_review_tells_the_board(
    world, year, eager, django_capture_on_commit_callbacks,
):
    other_governor = person(R.GOVERNOR, academy=world.north_b, email="governor.b@trust.test")
    target = target_in(world, year, S.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        services.target_propose(target=target, by=world[R.HEADTEACHER])
    told = Notification.objects.filter(kind="target.review_needed")
    assert [n.user for n in told] == [world[R.GOVERNOR]]
    assert told.get().url == "/academies/100001/targets/" and told.get().academy == world.north_a
    assert [m.to for m in mail.outbox] == [["governor@trust.test"]]

    with django_capture_on_commit_callbacks(execute=True):
        services.target_review(target=target, by=world[R.GOVERNOR], comments=COMMENTS)
    board = Notification.objects.filter(kind="target.decision_needed")
    assert {n.user for n in board} == {world[R.TRUSTEE], world[R.EXECUTIVE]}
    assert not Notification.objects.filter(user=other_governor).exists()


def test_a_target_proposed_again_after_its_return_awaits_the_governors_review_again(world, year):
    target = target_in(world, year, S.PROPOSED)
    services.target_return(target=target, by=world[R.GOVERNOR], comments=WHY_BACK)
    services.target_edit(target=target, by=world[R.HEADTEACHER], value=Decimal("74"))
    Notification.objects.filter(user=world[R.GOVERNOR]).update(read_at=NOW)  # the first one, read

    services.target_propose(target=target, by=world[R.HEADTEACHER])

    assert Notification.objects.filter(user=world[R.GOVERNOR], kind="target.review_needed",
                                       read_at=None).count() == 1
