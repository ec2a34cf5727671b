"""Who sees which health checks, actions and risks (`visible_to`), by role and state: a draft
is the trust's alone, a trust-only or trust-level risk is never in any academy role's list or
count, a hub lead sees their own hub, and someone with two roles sees the union."""

import pytest

from healthchecks.models import Action, HealthCheck, Risk, Visibility
from tests.factories import Role, person
from tests.healthchecks.makers import make_health_check, make_risk
from trust.models import Membership

R = Role
S = HealthCheck.Status
TRUST_ONLY = Visibility.TRUST_ONLY
TRUST_WIDE = [R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.DATA_MANAGER, R.ADMINISTRATOR]


@pytest.fixture
def checks(world):
    """One report in each state at North A, a published one at North B, and South A's
    published report and draft: named so that the expectations read plainly."""
    made = {}
    for status in S.values:
        made[f"north_a {status}"] = make_health_check(world.north_a, status=status)
    made["north_b published"] = make_health_check(world.north_b, status=S.PUBLISHED)
    made["north_b draft"] = make_health_check(world.north_b, status=S.DRAFT)
    made["south_a published"] = make_health_check(world.south_a, status=S.PUBLISHED)
    made["south_a draft"] = make_health_check(world.south_a, status=S.DRAFT)
    return made


@pytest.fixture
def risks(world):
    return {
        "north_a shared": make_risk(world.north_a, title="North A shared"),
        "north_a trust-only": make_risk(world.north_a, visibility=TRUST_ONLY, title="North A trust-only"),
        "north_b shared": make_risk(world.north_b, title="North B shared"),
        "south_a shared": make_risk(world.south_a, title="South A shared"),
        "south_a trust-only": make_risk(world.south_a, visibility=TRUST_ONLY, title="South A trust-only"),
        "trust-level": make_risk(None, visibility=Visibility.TRUST_ONLY, title="Trust-level"),
    }


def names(made, queryset):
    """The names of the rows `queryset` holds, having checked that its count agrees."""
    by_pk = {obj.pk: name for name, obj in made.items()}
    rows = list(queryset)
    assert queryset.count() == len(rows) == len({row.pk for row in rows})
    return {by_pk[row.pk] for row in rows}


def action_names(checks, user):
    actions = Action.objects.visible_to(user)
    rows = list(actions)
    assert actions.count() == len(rows)
    by_check = {obj.pk: name for name, obj in checks.items()}
    return {by_check[action.health_check_id] for action in rows}


ALL_CHECKS = {
    "north_a draft", "north_a submitted", "north_a responded", "north_a published",
    "north_b published", "north_b draft", "south_a published", "south_a draft",
}
NORTH_CHECKS = {name for name in ALL_CHECKS if name.startswith("north")}
CHECKS_SEEN = {
    **{role: ALL_CHECKS for role in TRUST_WIDE},
    R.HUB_LEAD: NORTH_CHECKS,
    R.HEADTEACHER: {"north_a submitted", "north_a responded", "north_a published"},
    R.GOVERNOR: {"north_a published"},
    R.ACADEMY_DATA_MANAGER: {"north_a published"},
}


@pytest.mark.parametrize("role", list(Role))
def test_health_checks_and_their_actions_by_role_and_state(world, checks, role):
    user = world[role]
    assert names(checks, HealthCheck.objects.visible_to(user)) == CHECKS_SEEN[role]
    assert action_names(checks, user) == CHECKS_SEEN[role]


@pytest.mark.parametrize("role", [R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER])
def test_a_draft_is_invisible_to_every_academy_role(world, checks, role):
    seen = HealthCheck.objects.visible_to(world[role])
    assert not seen.filter(status=S.DRAFT).exists()
    assert seen.filter(status=S.DRAFT).count() == 0
    assert not Action.objects.visible_to(world[role]).filter(health_check__status=S.DRAFT).exists()


def test_a_submitted_report_is_seen_by_the_headteacher_alone_among_academy_roles(world, checks):
    submitted = checks["north_a submitted"]
    assert HealthCheck.objects.visible_to(world[R.HEADTEACHER]).filter(pk=submitted.pk).exists()
    for role in (R.GOVERNOR, R.ACADEMY_DATA_MANAGER):
        assert not HealthCheck.objects.visible_to(world[role]).filter(pk=submitted.pk).exists()


ALL_RISKS = {
    "north_a shared", "north_a trust-only", "north_b shared", "south_a shared", "south_a trust-only",
    "trust-level",
}
RISKS_SEEN = {
    **{role: ALL_RISKS for role in TRUST_WIDE},
    R.HUB_LEAD: {"north_a shared", "north_a trust-only", "north_b shared"},
    R.HEADTEACHER: {"north_a shared"},
    R.GOVERNOR: {"north_a shared"},
    R.ACADEMY_DATA_MANAGER: {"north_a shared"},
}


@pytest.mark.parametrize("role", list(Role))
def test_risks_by_role(world, risks, role):
    assert names(risks, Risk.objects.visible_to(world[role])) == RISKS_SEEN[role]


@pytest.mark.parametrize("role", [R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER])
def test_trust_only_and_trust_level_risks_are_absent_for_academy_roles(world, risks, role):
    seen = Risk.objects.visible_to(world[role])
    assert not seen.filter(visibility=Visibility.TRUST_ONLY).exists()
    assert seen.filter(academy__isnull=True).count() == 0
    assert seen.open().count() == 1
    assert seen.review_overdue(risks["north_a shared"].next_review_on.replace(year=2030)).count() == 1


def test_someone_with_two_roles_sees_the_union(world, checks, risks):
    both = person(R.GOVERNOR, academy=world.north_a, email="governor.and.lead@trust.test")
    Membership.objects.create(user=both, role=R.HUB_LEAD, hub=world.south)

    assert names(checks, HealthCheck.objects.visible_to(both)) == {
        "north_a published", "south_a published", "south_a draft",
    }
    assert action_names(checks, both) == {"north_a published", "south_a published", "south_a draft"}
    assert names(risks, Risk.objects.visible_to(both)) == {
        "north_a shared", "south_a shared", "south_a trust-only",
    }


def test_a_headteacher_who_governs_another_academy_sees_each_by_its_own_role(world, checks, risks):
    both = person(R.HEADTEACHER, academy=world.north_a, email="head.and.governor@trust.test")
    Membership.objects.create(user=both, role=R.GOVERNOR, academy=world.north_b)

    assert names(checks, HealthCheck.objects.visible_to(both)) == {
        "north_a submitted", "north_a responded", "north_a published", "north_b published",
    }
    assert names(risks, Risk.objects.visible_to(both)) == {"north_a shared", "north_b shared"}


def test_a_hub_lead_sees_only_their_own_hub(world, checks, risks):
    south_lead = person(R.HUB_LEAD, hub=world.south, email="south.lead@trust.test")
    assert names(checks, HealthCheck.objects.visible_to(south_lead)) == {"south_a published", "south_a draft"}
    assert names(risks, Risk.objects.visible_to(south_lead)) == {"south_a shared", "south_a trust-only"}


def test_nobody_without_a_role_or_no_longer_active_sees_anything(world, checks, risks):
    stranger = person(R.GOVERNOR, academy=world.north_a, email="stranger@trust.test")
    stranger.memberships.all().delete()
    stranger = type(stranger).objects.get(pk=stranger.pk)
    former = person(R.EXECUTIVE, email="former@trust.test", is_active=False)
    for user in (stranger, former):
        assert HealthCheck.objects.visible_to(user).count() == 0
        assert Action.objects.visible_to(user).count() == 0
        assert Risk.objects.visible_to(user).count() == 0
