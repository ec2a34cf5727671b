"""Development plans, common priorities, the objectives export and the plans API.

The `make_*` helpers build the rows these cases and the plan tests need, deterministically.
"""

import datetime
from decimal import Decimal

from academies.models import DevelopmentPlan, Measure, PlanAction, Priority, ProgressReview, Target
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped

PLAN_ROLES = {R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER, R.SIEL}


def this_year():
    return AcademicYear.current()


def make_target(academy, *, year=None, measure="ks2_expected", status=Target.Status.AGREED, value="72",
                **fields):
    fields.setdefault("subject", "rwm")
    return Target.objects.create(
        academy=academy, academic_year=year or this_year(), measure=Measure.objects.get(code=measure),
        value=Decimal(value), status=status, **fields,
    )


def make_plan(academy, *, year=None):
    return DevelopmentPlan.objects.get_or_create(academy=academy, academic_year=year or this_year())[0]


def make_priority(academy, *, year=None, title="Every pupil reads fluently by the end of Year 2",
                  theme="reading", order=1, **fields):
    return Priority.objects.create(plan=make_plan(academy, year=year), title=title, theme=theme, order=order,
                                   **fields)


def make_action(priority, *, title="Phonics training for every Key Stage 1 adult", owner="Reading lead",
                due_on=datetime.date(2026, 3, 31), **fields):
    return PlanAction.objects.create(priority=priority, title=title, owner=owner, due_on=due_on, **fields)


def make_review(priority, *, reviewed_on=datetime.date(2025, 12, 10), rag="amber",
                commentary="Training done; fluency checks not yet showing the gain.", **fields):
    return ProgressReview.objects.create(priority=priority, reviewed_on=reviewed_on, rag=rag,
                                         commentary=commentary, **fields)


def priority_kwargs(world, academy):
    return {"urn": academy.urn, "uuid": make_priority(academy).uuid}


def action_kwargs(world, academy):
    return {"urn": academy.urn, "uuid": make_action(make_priority(academy)).uuid}


def plan_kwargs(world, academy):
    return {"uuid": make_plan(academy).uuid}


def priority_form(world, academy):
    return {"year": this_year().label, "title": "Attendance above 96% for every group", "theme": "attendance"}


def action_form(world, academy):
    return {"title": "Daily first-day calls", "owner": "Attendance officer", "starts_on": "2025-09-08",
            "due_on": "2026-07-17", "milestones": "", "status": "in_progress"}


def review_form(world, academy):
    return {"reviewed_on": "2025-12-10", "rag": "green", "commentary": "On track.", "next_review": ""}


CHANGE = scoped(holds(PLAN_ROLES), ok=302)

CASES = [
    Case("academies:plan", "get", read, per_academy=True),
    Case("academies:plan", "post", 405, per_academy=True),
    Case("academies:plan-priority-create", "post", CHANGE, per_academy=True, data=priority_form),
    Case("academies:plan-priority-create", "get", 405, per_academy=True),
    Case("academies:plan-priority-edit", "get", scoped(holds(PLAN_ROLES)), object_kwargs=priority_kwargs),
    Case("academies:plan-priority-edit", "post", CHANGE, object_kwargs=priority_kwargs,
         data=lambda w, a: {"title": "Reading for pleasure", "theme": "reading", "order": "1"}),
    Case("academies:plan-priority-delete", "post", CHANGE, object_kwargs=priority_kwargs),
    Case("academies:plan-priority-delete", "get", 405, object_kwargs=priority_kwargs),
    Case("academies:plan-action-create", "post", CHANGE, object_kwargs=priority_kwargs, data=action_form),
    Case("academies:plan-action-create", "get", 405, object_kwargs=priority_kwargs),
    Case("academies:plan-action-edit", "get", scoped(holds(PLAN_ROLES)), object_kwargs=action_kwargs),
    Case("academies:plan-action-edit", "post", CHANGE, object_kwargs=action_kwargs, data=action_form),
    Case("academies:plan-review-create", "post", CHANGE, object_kwargs=priority_kwargs, data=review_form),
    Case("academies:plan-review-create", "get", 405, object_kwargs=priority_kwargs),
    # Every role reads plans: the page lists what is in the person's scope.
    Case("academies:priorities", "get", 200),
    Case("academies:priorities", "post", 405),
    Case("academies:objectives-csv", "get", read, per_academy=True),
    Case("academies:objectives-csv", "post", 405, per_academy=True),
    Case("academies:objectives-xlsx", "get", read, per_academy=True),
    Case("academies:objectives-pdf", "get", read, per_academy=True),
    Case("api:plan-list", "get", 200, anon=401),
    Case("api:plan-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:plan-detail", "get", read, anon=401, object_kwargs=plan_kwargs),
    Case("api:plan-detail", "delete", 405, anon=401, object_kwargs=plan_kwargs),
]
