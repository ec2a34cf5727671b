"""The health-check workflow through its services: who may take each step, in which state, what
the history keeps, and that concurrent or stale changes never overwrite each other."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from healthchecks import services
from healthchecks.models import Action, ActionReview, HealthCheck, HealthCheckEvent, HealthCheckJudgement
from healthchecks.services import StaleEdit, WorkflowError
from tests.factories import Role, person
from tests.healthchecks.makers import make_health_check
from trust.models import Notification

R = Role
S = HealthCheck.Status
E = HealthCheckEvent.Kind
VISIT = datetime.date(2025, 11, 12)
FILERS = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
RESPONDERS = {R.HEADTEACHER}
ACTION_UPDATERS = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD, R.HEADTEACHER}


def recommendation(text, due_on=datetime.date(2026, 3, 31), **extra):
    return {"recommendation": text, "due_on": due_on, **extra}


def create(world, by=None, academy=None, **fields):
    fields.setdefault("visit_start", VISIT)
    fields.setdefault("key_findings", "Reading is strong; the wider curriculum is uneven.")
    return services.health_check_create(
        academy=academy or world.north_a,
        by=by or world[R.SIEL],
        judgements=fields.pop("judgements", [("curriculum_and_teaching", "expected", "Secure in reading.")]),
        recommendations=fields.pop("recommendations", [recommendation("Plan the foundation subjects.")]),
        **fields,
    )


def at(world, status, academy=None):
    """A report in `status`, reached through the services."""
    check = create(world, academy=academy)
    if status == S.DRAFT:
        return check
    services.health_check_submit(health_check=check, by=world[R.SIEL])
    if status == S.SUBMITTED:
        return check
    head = world[R.HEADTEACHER] if check.academy == world.north_a else person(
        R.HEADTEACHER, academy=check.academy, email=f"head.{check.academy.urn}@trust.test"
    )
    services.health_check_respond(health_check=check, by=head, response="No inaccuracies.")
    if status == S.RESPONDED:
        return check
    services.health_check_publish(health_check=check, by=world[R.SIEL])
    return check


def message(excinfo):
    return " ".join(excinfo.value.messages)


# Every step by every role


STEPS = {
    "create": (FILERS, S.DRAFT),
    "edit": (FILERS, S.DRAFT),
    "submit": (FILERS, S.DRAFT),
    "respond": (RESPONDERS, S.SUBMITTED),
    "return": (FILERS, S.RESPONDED),
    "publish": (FILERS, S.RESPONDED),
    "action_update": (ACTION_UPDATERS, S.PUBLISHED),
}


def take(step, check, by, world):
    if step == "create":
        return create(world, by=by, academy=check.academy, lead_reviewer=world[R.SIEL])
    if step == "edit":
        return services.health_check_edit(
            health_check=check, by=by, version=check.version, key_findings="Rewritten findings."
        )
    if step == "submit":
        return services.health_check_submit(health_check=check, by=by)
    if step == "respond":
        return services.health_check_respond(health_check=check, by=by, response="One date is wrong.")
    if step == "return":
        return services.health_check_return(health_check=check, by=by, reason="Rework the findings.")
    if step == "publish":
        return services.health_check_publish(health_check=check, by=by)
    action = check.actions.get()
    return services.action_update(action=action, by=by, status="in_progress", commentary="Under way.")


def snapshot():
    return (
        HealthCheck.objects.count(),
        sorted(HealthCheck.objects.values_list("status", "version", "key_findings")),
        HealthCheckEvent.objects.count(),
        ActionReview.objects.count(),
        sorted(Action.objects.values_list("status", flat=True)),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("role", list(Role))
def test_every_step_by_every_role(world, step, role):
    allowed, status = STEPS[step]
    check = at(world, status)
    before = snapshot()
    if role in allowed:
        take(step, check, world[role], world)
        assert snapshot() != before
    else:
        with pytest.raises(PermissionDenied):
            take(step, check, world[role], world)
        assert snapshot() == before


@pytest.mark.parametrize("step", list(STEPS))
def test_the_hub_lead_and_headteacher_act_only_for_their_own_academies(world, step):
    _allowed, status = STEPS[step]
    check = at(world, status, academy=world.south_a)
    before = snapshot()
    for role in (R.HUB_LEAD, R.HEADTEACHER):
        with pytest.raises(PermissionDenied):
            take(step, check, world[role], world)
    assert snapshot() == before


def test_someone_without_a_role_or_no_longer_active_can_take_no_step(world):
    check = at(world, S.DRAFT)
    nobody = person(R.SIEL, email="left.siel@trust.test", is_active=False)
    with pytest.raises(PermissionDenied):
        services.health_check_submit(health_check=check, by=nobody)
    check.refresh_from_db()
    assert check.status == S.DRAFT


# Steps in the wrong state


@pytest.mark.parametrize(
    ("status", "step", "said"),
    [
        (S.DRAFT, "respond",
         "This report is a draft; this step needs it awaiting the factual-accuracy check."),
        (S.DRAFT, "publish", "This report is a draft; this step needs it awaiting the factual-accuracy check "
                             "or back from the factual-accuracy check."),
        (S.DRAFT, "return", "This report is a draft"),
        (S.SUBMITTED, "submit",
         "This report is awaiting the factual-accuracy check; this step needs it a draft."),
        (S.RESPONDED, "respond", "This report is back from the factual-accuracy check"),
        (S.PUBLISHED, "publish", "This report is published"),
        (S.PUBLISHED, "return", "This report is published"),
        (S.PUBLISHED, "submit", "This report is published"),
        (S.PUBLISHED, "respond", "This report is published"),
        (S.PUBLISHED, "edit", "A published report cannot be edited."),
        (S.RESPONDED, "action_update", "Actions are tracked once their report is published."),
    ],
)
def test_a_step_in_the_wrong_state_is_refused_naming_the_state(world, status, step, said):
    check = at(world, status)
    by = world[R.HEADTEACHER] if step in ("respond", "action_update") else world[R.SIEL]
    before = snapshot()
    with pytest.raises(WorkflowError) as excinfo:
        take(step, check, by, world)
    assert said in message(excinfo)
    assert snapshot() == before


def test_submitting_needs_key_findings_and_responding_or_returning_needs_words(world):
    check = create(world, key_findings="  ")
    with pytest.raises(WorkflowError, match="key findings"):
        services.health_check_submit(health_check=check, by=world[R.SIEL])
    check = at(world, S.SUBMITTED)
    with pytest.raises(WorkflowError, match="Write your response"):
        services.health_check_respond(health_check=check, by=world[R.HEADTEACHER], response=" ")
    with pytest.raises(WorkflowError, match="Say why"):
        services.health_check_return(health_check=check, by=world[R.SIEL], reason="")
    check.refresh_from_db()
    assert check.status == S.SUBMITTED


# Two people at once


def test_two_publishes_at_once_yield_one(world):
    check = at(world, S.RESPONDED)
    stale = HealthCheck.objects.get(pk=check.pk)

    services.health_check_publish(health_check=check, by=world[R.SIEL])
    told = Notification.objects.filter(kind="healthcheck.published").count()
    with pytest.raises(WorkflowError, match="Someone else has acted on this report"):
        services.health_check_publish(health_check=stale, by=world[R.EXECUTIVE])

    check.refresh_from_db()
    assert check.status == S.PUBLISHED and check.published_by == world[R.SIEL]
    assert check.events.filter(kind=E.PUBLISHED).count() == 1
    assert told > 0
    assert Notification.objects.filter(kind="healthcheck.published").count() == told


def test_a_step_from_a_state_someone_else_has_left_is_refused(world):
    check = at(world, S.RESPONDED)
    stale = HealthCheck.objects.get(pk=check.pk)
    services.health_check_return(health_check=check, by=world[R.SIEL], reason="The dates are wrong.")

    with pytest.raises(WorkflowError, match="Someone else has acted"):
        services.health_check_publish(health_check=stale, by=world[R.EXECUTIVE])
    check.refresh_from_db()
    assert check.status == S.DRAFT
    assert not check.events.filter(kind=E.PUBLISHED).exists()


# History


def test_the_history_has_one_event_per_step_with_who_from_to_and_why(world):
    siel, head, executive = world[R.SIEL], world[R.HEADTEACHER], world[R.EXECUTIVE]
    check = create(world)
    services.health_check_submit(health_check=check, by=siel)
    services.health_check_respond(health_check=check, by=head, response="The visit was on the 12th.")
    services.health_check_return(health_check=check, by=siel, reason="Correct the date.")
    services.health_check_submit(health_check=check, by=siel)
    services.health_check_respond(health_check=check, by=head, response="No inaccuracies.")
    services.health_check_publish(health_check=check, by=executive)

    events = list(check.events.values_list("kind", "by", "from_status", "to_status", "reason"))
    assert events == [
        (E.CREATED, siel.pk, "", S.DRAFT, ""),
        (E.SUBMITTED, siel.pk, S.DRAFT, S.SUBMITTED, ""),
        (E.RESPONDED, head.pk, S.SUBMITTED, S.RESPONDED, "The visit was on the 12th."),
        (E.RETURNED, siel.pk, S.RESPONDED, S.DRAFT, "Correct the date."),
        (E.SUBMITTED, siel.pk, S.DRAFT, S.SUBMITTED, ""),
        (E.RESPONDED, head.pk, S.SUBMITTED, S.RESPONDED, "No inaccuracies."),
        (E.PUBLISHED, executive.pk, S.RESPONDED, S.PUBLISHED, ""),
    ]
    check.refresh_from_db()
    assert check.response == "No inaccuracies." and check.responded_by == head
    assert check.published_by == executive and check.published_at is not None
    assert check.submitted_at is not None


def test_an_edit_records_each_change_before_and_after(world):
    check = create(world)
    services.health_check_edit(
        health_check=check, by=world[R.HUB_LEAD], version=check.version,
        key_findings="Reading is strong.", safeguarding="met",
        judgements=[("curriculum_and_teaching", "strong", ""), ("inclusion", "expected", "")],
    )
    event = check.events.get(kind=E.EDITED)
    assert event.by == world[R.HUB_LEAD]
    assert event.changes == {
        "key_findings": ["Reading is strong; the wider curriculum is uneven.", "Reading is strong."],
        "safeguarding": ["", "met"],
        "curriculum_and_teaching": ["expected", "strong"],
        "inclusion": ["", "expected"],
    }
    check.refresh_from_db()
    assert check.version == 2
    assert dict(check.judgements.values_list("area", "grade")) == {
        "curriculum_and_teaching": "strong", "inclusion": "expected",
    }


def test_an_edit_that_changes_nothing_is_not_recorded(world):
    check = create(world)
    services.health_check_edit(
        health_check=check, by=world[R.SIEL], version=check.version, key_findings=check.key_findings
    )
    check.refresh_from_db()
    assert check.version == 1
    assert not check.events.filter(kind=E.EDITED).exists()


def test_an_edit_from_a_stale_version_is_refused_and_saves_nothing(world):
    check = create(world, recommendations=[recommendation("First."), recommendation("Second.")])
    services.health_check_edit(health_check=check, by=world[R.SIEL], version=1, key_findings="Mine.")
    actions = sorted(Action.objects.values_list("uuid", "number", "recommendation"))
    judgements = sorted(HealthCheckJudgement.objects.values_list("area", "grade"))
    events = HealthCheckEvent.objects.count()

    with pytest.raises(StaleEdit, match="Someone else changed this report"):
        services.health_check_edit(
            health_check=check, by=world[R.HUB_LEAD], version=1, key_findings="Theirs.",
            judgements=[("inclusion", "needs_attention", "")],
            recommendations=[recommendation("Only this.")],
        )

    check.refresh_from_db()
    assert (check.key_findings, check.version) == ("Mine.", 2)
    assert sorted(Action.objects.values_list("uuid", "number", "recommendation")) == actions
    assert sorted(HealthCheckJudgement.objects.values_list("area", "grade")) == judgements
    assert HealthCheckEvent.objects.count() == events


def test_a_published_report_cannot_be_edited(world):
    check = at(world, S.PUBLISHED)
    with pytest.raises(WorkflowError, match="A published report cannot be edited"):
        services.health_check_edit(
            health_check=check, by=world[R.SIEL], version=check.version, key_findings="Changed after.",
            recommendations=[],
        )
    check.refresh_from_db()
    assert check.key_findings == "Reading is strong; the wider curriculum is uneven."
    assert check.actions.count() == 1


def test_an_invalid_judgement_saves_nothing(world):
    check = create(world)
    with pytest.raises(ValidationError):
        services.health_check_edit(
            health_check=check, by=world[R.SIEL], version=1, key_findings="Changed.",
            judgements=[("quality_of_education", "expected", "")],  # not an area of the current framework
        )
    check.refresh_from_db()
    assert (check.key_findings, check.version) == ("Reading is strong; the wider curriculum is uneven.", 1)
    assert list(check.judgements.values_list("area", flat=True)) == ["curriculum_and_teaching"]


# Recommendations and actions


def test_recommendations_become_numbered_actions(world):
    head = world[R.HEADTEACHER]
    check = create(world, recommendations=[
        recommendation("Plan the foundation subjects.", owner=head),
        recommendation(
            "Train staff in phonics.", due_on=datetime.date(2026, 1, 31), owner_name="English lead"
        ),
        recommendation("Review attendance weekly."),
    ])
    assert list(check.actions.values_list("number", "recommendation", "owner", "owner_name", "due_on")) == [
        (1, "Plan the foundation subjects.", head.pk, "", datetime.date(2026, 3, 31)),
        (2, "Train staff in phonics.", None, "English lead", datetime.date(2026, 1, 31)),
        (3, "Review attendance weekly.", None, "", datetime.date(2026, 3, 31)),
    ]
    assert all(a.status == Action.Status.OPEN for a in check.actions.all())


def test_editing_recommendations_reorders_removes_and_adds_keeping_history(world):
    check = create(world, recommendations=[
        recommendation("A: plan the curriculum."),
        recommendation("B: train staff."),
        recommendation("C: review attendance."),
    ])
    a, b, c = check.actions.order_by("number")

    services.health_check_edit(
        health_check=check, by=world[R.SIEL], version=check.version,
        recommendations=[
            {"uuid": c.uuid, "recommendation": c.recommendation, "due_on": c.due_on},
            {"uuid": str(a.uuid), "recommendation": a.recommendation, "due_on": a.due_on},
            recommendation("D: meet parents."),
        ],
    )

    actions = list(check.actions.order_by("number"))
    assert [(x.number, x.recommendation) for x in actions] == [
        (1, "C: review attendance."), (2, "A: plan the curriculum."), (3, "D: meet parents."),
    ]
    assert actions[0].uuid == c.uuid and actions[1].uuid == a.uuid  # the same actions, kept
    assert not Action.objects.filter(pk=b.pk).exists()
    event = check.events.get(kind=E.EDITED)
    assert event.changes == {
        "recommendation 1": ["A: plan the curriculum.", "C: review attendance."],
        "recommendation 2": ["B: train staff.", "A: plan the curriculum."],
        "recommendation 3": ["C: review attendance.", "D: meet parents."],
    }
    check.refresh_from_db()
    assert check.version == 2


def test_removing_a_recommendation_is_recorded_under_its_number(world):
    check = create(world, recommendations=[recommendation("First."), recommendation("Second.")])
    first = check.actions.get(number=1)
    services.health_check_edit(
        health_check=check, by=world[R.SIEL], version=check.version,
        recommendations=[{"uuid": first.uuid, "recommendation": "First.", "due_on": first.due_on}],
    )
    assert check.events.get(kind=E.EDITED).changes == {"recommendation 2": ["Second.", ""]}
    assert list(check.actions.values_list("number", "recommendation")) == [(1, "First.")]


def test_only_reordering_recommendations_is_an_edit_in_the_history(world):
    check = create(world, recommendations=[recommendation("First."), recommendation("Second.")])
    first, second = check.actions.order_by("number")
    services.health_check_edit(
        health_check=check, by=world[R.SIEL], version=check.version,
        recommendations=[
            {"uuid": second.uuid, "recommendation": "Second.", "due_on": second.due_on},
            {"uuid": first.uuid, "recommendation": "First.", "due_on": first.due_on},
        ],
    )
    check.refresh_from_db()
    assert check.version == 2  # a stale edit made before the reorder would now be refused
    assert check.events.get(kind=E.EDITED).changes == {
        "recommendation 1": ["First.", "Second."],
        "recommendation 2": ["Second.", "First."],
    }


def test_changing_an_actions_due_date_or_owner_is_recorded(world):
    check = create(world, recommendations=[recommendation("First.")])
    action = check.actions.get()
    services.health_check_edit(
        health_check=check, by=world[R.SIEL], version=check.version,
        recommendations=[{"uuid": action.uuid, "recommendation": "First.",
                          "due_on": datetime.date(2026, 6, 30), "owner": world[R.HEADTEACHER]}],
    )
    action.refresh_from_db()
    assert (action.due_on, action.owner) == (datetime.date(2026, 6, 30), world[R.HEADTEACHER])
    changes = check.events.get(kind=E.EDITED).changes
    assert changes["recommendation 1 due on"] == ["2026-03-31", "2026-06-30"]
    assert changes["recommendation 1 owner"] == ["Not assigned", world[R.HEADTEACHER].full_name]


def test_the_owner_of_an_action_must_work_with_the_academy(world):
    south_head = person(R.HEADTEACHER, academy=world.south_a, email="south.head@trust.test")
    gone = person(R.HEADTEACHER, academy=world.north_a, email="gone.head@trust.test", is_active=False)
    for owner in (south_head, gone):
        with pytest.raises(ValidationError) as excinfo:
            create(world, recommendations=[recommendation("Act.", owner=owner)])
        assert "owner" in excinfo.value.message_dict
    assert not HealthCheck.objects.exists()

    # Someone at the academy, its hub lead, or anyone trust-wide can own it.
    for owner in (world[R.ACADEMY_DATA_MANAGER], world[R.HUB_LEAD], world[R.EXECUTIVE]):
        check = create(world, recommendations=[recommendation("Act.", owner=owner)])
        assert check.actions.get().owner == owner

    check = create(world)
    action = check.actions.get()
    with pytest.raises(ValidationError):
        services.health_check_edit(
            health_check=check, by=world[R.SIEL], version=check.version,
            recommendations=[{"uuid": action.uuid, "recommendation": "Act.", "due_on": action.due_on,
                              "owner": south_head}],
        )
    action.refresh_from_db()
    assert action.owner is None


def test_the_lead_reviewer_must_be_able_to_file_for_the_academy(world):
    south_lead = person(R.HUB_LEAD, hub=world.south, email="south.lead@trust.test")
    gone = person(R.SIEL, email="old.siel@trust.test", is_active=False)
    for reviewer in (world[R.HEADTEACHER], world[R.TRUSTEE], south_lead, gone):
        with pytest.raises(ValidationError) as excinfo:
            create(world, lead_reviewer=reviewer)
        assert "lead_reviewer" in excinfo.value.message_dict
    assert not HealthCheck.objects.exists()

    assert create(world, lead_reviewer=world[R.HUB_LEAD]).lead_reviewer == world[R.HUB_LEAD]
    assert create(world, by=world[R.EXECUTIVE]).lead_reviewer == world[R.EXECUTIVE]  # by default, the filer
    assert create(world, academy=world.south_a, lead_reviewer=south_lead).lead_reviewer == south_lead

    check = create(world)
    with pytest.raises(ValidationError):
        services.health_check_edit(
            health_check=check, by=world[R.SIEL], version=check.version, lead_reviewer=world[R.GOVERNOR]
        )
    check.refresh_from_db()
    assert check.lead_reviewer == world[R.SIEL] and check.version == 1


def test_an_action_update_records_a_review_and_done_sets_completed_on(world):
    check = at(world, S.PUBLISHED)
    action = check.actions.get()
    head = world[R.HEADTEACHER]

    review = services.action_update(
        action=action, by=head, status=Action.Status.IN_PROGRESS, commentary="Plans drafted.",
        reviewed_on=datetime.date(2026, 1, 10),
    )
    assert (review.status, review.by, review.reviewed_on) == (
        Action.Status.IN_PROGRESS, head, datetime.date(2026, 1, 10)
    )
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS and action.completed_on is None

    services.action_update(
        action=action, by=world[R.SIEL], status=Action.Status.DONE, commentary="Plans in place.",
        reviewed_on=datetime.date(2026, 2, 3), evidence="Curriculum maps for every subject.",
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.completed_on == datetime.date(2026, 2, 3)
    assert action.evidence == "Curriculum maps for every subject."

    services.action_update(
        action=action, by=world[R.SIEL], status=Action.Status.IN_PROGRESS, commentary="Reopened.",
        reviewed_on=datetime.date(2026, 2, 10),
    )
    action.refresh_from_db()
    assert action.completed_on is None and action.evidence == "Curriculum maps for every subject."
    assert list(action.reviews.values_list("status", flat=True)) == ["in_progress", "done", "in_progress"]
    assert list(
        check.events.filter(kind=E.ACTION_UPDATED).values_list("by", "reason", "changes")
    ) == [
        (head.pk, "Plans drafted.", {"action 1": ["open", "in_progress"]}),
        (world[R.SIEL].pk, "Plans in place.", {"action 1": ["in_progress", "done"]}),
        (world[R.SIEL].pk, "Reopened.", {"action 1": ["done", "in_progress"]}),
    ]


def test_an_action_is_reviewed_by_a_later_health_check_of_the_same_academy_only(world):
    check = at(world, S.PUBLISHED)
    action = check.actions.get()
    later = make_health_check(world.north_a, visit_start=datetime.date(2026, 3, 2), actions=0)
    elsewhere = make_health_check(world.north_b, visit_start=datetime.date(2026, 3, 2), actions=0)

    for other in (elsewhere, check):
        with pytest.raises(ValidationError, match="A later health check of the same academy"):
            services.action_update(
                action=action, by=world[R.SIEL], status="done", commentary="Seen.", health_check=other
            )
    assert not ActionReview.objects.exists()
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN

    review = services.action_update(
        action=action, by=world[R.SIEL], status="done", commentary="Seen at the spring visit.",
        health_check=later,
    )
    assert review.health_check == later


def test_an_action_update_needs_a_known_status_and_commentary(world):
    action = at(world, S.PUBLISHED).actions.get()
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(action=action, by=world[R.SIEL], status="finished", commentary="Done.")
    assert "status" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(action=action, by=world[R.SIEL], status="done", commentary="  ")
    assert "commentary" in excinfo.value.message_dict
    assert not ActionReview.objects.exists()
