"""Deterministic makers of health checks, actions, risks and visits for tests and access cases.

They write rows directly (not through the services) so a test can set up any state; tests of
the services themselves call the services.
"""

import datetime

from healthchecks.models import (
    Action,
    GovernorVisit,
    HealthCheck,
    HealthCheckJudgement,
    Risk,
    RiskRule,
    Visibility,
)
from trust.models import Role, User

S = HealthCheck.Status


def siel():
    """The trust's School Improvement Executive Lead (the world's, or a new one)."""
    found = User.objects.filter(memberships__role=Role.SIEL).order_by("pk").first()
    if found:
        return found
    from tests.factories import person

    return person(Role.SIEL, email="lead-reviewer@trust.test")


def make_health_check(
    academy,
    *,
    status=S.PUBLISHED,
    visit_start=datetime.date(2025, 11, 12),
    judgements=(("curriculum_and_teaching", "expected"), ("leadership_and_governance", "strong")),
    actions=1,
    **fields,
):
    fields.setdefault(
        "key_findings", "Reading is taught well; the curriculum in foundation subjects is uneven."
    )
    fields.setdefault("focus_areas", "Reading\nLeadership of the curriculum")
    fields.setdefault("leadership_qa", "agrees")
    check = HealthCheck.objects.create(
        academy=academy,
        status=status,
        visit_start=visit_start,
        lead_reviewer=fields.pop("lead_reviewer", None) or siel(),
        **fields,
    )
    for area, grade in judgements:
        HealthCheckJudgement.objects.create(health_check=check, area=area, grade=grade, commentary="")
    for number in range(1, actions + 1):
        make_action(check, number=number)
    return check


def make_action(
    health_check, *, number=1, due_on=datetime.date(2026, 3, 31), status=Action.Status.OPEN, **fields
):
    fields.setdefault(
        "recommendation", "Plan the foundation-subject curriculum so knowledge builds year on year."
    )
    fields.setdefault("owner_name", "Deputy headteacher")
    return Action.objects.create(
        health_check=health_check, number=number, due_on=due_on, status=status, **fields
    )


def make_risk(
    academy,
    *,
    visibility=Visibility.SHARED,
    likelihood=3,
    impact=4,
    status=Risk.Status.OPEN,
    next_review_on=datetime.date(2026, 12, 1),
    **fields,
):
    fields.setdefault("category", "attendance")
    fields.setdefault("title", "Persistent absence of disadvantaged pupils is rising")
    fields.setdefault("description", "Two terms above national; first-day calls not yet consistent.")
    return Risk.objects.create(
        academy=academy,
        visibility=visibility,
        likelihood=likelihood,
        impact=impact,
        status=status,
        next_review_on=next_review_on,
        **fields,
    )


def make_rule(**fields):
    fields.setdefault("name", "Safeguarding judged ineffective")
    fields.setdefault("kind", RiskRule.Kind.SAFEGUARDING)
    fields.setdefault("category", "safeguarding")
    return RiskRule.objects.create(**fields)


def make_visit(academy, governor, *, visited_on=datetime.date(2025, 11, 20), **fields):
    fields.setdefault("focus", "Phonics in Year 1")
    fields.setdefault("notes", "Saw two phonics lessons; pupils applied the sounds taught.")
    return GovernorVisit.objects.create(academy=academy, governor=governor, visited_on=visited_on, **fields)
