"""Targets: an academy's targets, each target and its steps, the Trust Board's list, and the API.

Each step is tried on a target in the state the step starts from, so that the right role gets
through and everybody else is refused by role (403) or scope (404), never by state.
`make_target` builds the targets these cases and the targets tests need.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from academies.forms_targets import settable_years, year_label
from academies.models import Measure, Target
from tests.factories import UserFactory
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped, sees, trust_level

EDIT = {R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}
REVIEW = {R.GOVERNOR}
BOARD = {R.TRUSTEE, R.EXECUTIVE}  # agree, and amend after agreement
RETURN = EDIT | REVIEW  # from proposed; the board returns from reviewed


def returning(ok, trustee):
    """Returning a proposed target to draft: the academy's people and its governors may. A
    trustee may return only a reviewed target, so for them the state refuses, as the services
    decide (the page again with the reason, or 400); every other role is refused by role."""
    def expect(role, target):
        if not sees(role, target):
            return 404
        if role in RETURN:
            return ok
        return trustee if role == R.TRUSTEE else 403
    return expect


def make_target(academy, status=Target.Status.DRAFT, measure="ks2_expected", start_year=None, value="70",
                **fields):
    """A target in `status`, as the workflow would have left it (without its history)."""
    start_year = start_year or settable_years()[0]
    fields.setdefault("subject", "rwm")
    # The model requires an author (created_by is not blank=True) to pass full_clean on a change.
    if "created_by" not in fields:
        fields["created_by"] = UserFactory(email="author@trust.test", full_name="Ada Author")
    if status in (Target.Status.REVIEWED, Target.Status.AGREED):
        fields.setdefault("lgb_comments", "Ambitious and achievable.")
        fields.setdefault("reviewed_at", timezone.now())
    if status == Target.Status.AGREED:
        fields.setdefault("board_meeting", datetime.date(start_year, 10, 15))
        fields.setdefault("agreed_at", timezone.now())
    return Target.objects.create(
        academy=academy, academic_year=AcademicYear.for_date(datetime.date(start_year, 9, 1)),
        measure=Measure.objects.get(code=measure), value=Decimal(value), status=status, **fields,
    )


def target_in(status):
    def kwargs(world, academy):
        return {"urn": academy.urn, "uuid": make_target(academy, status).uuid}
    return kwargs


def api_target_in(status):
    def kwargs(world, academy):
        return {"uuid": make_target(academy, status).uuid}
    return kwargs


def yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def new_target(world, academy):
    return {"academic_year": str(settable_years()[0]), "measure": Measure.objects.get(code="ks2_expected").pk,
            "pupil_group": "disadvantaged", "year_group": "", "subject": "rwm", "value": "60",
            "rationale": "Close the gap.", "standard": ""}


def draft_change(world, academy):
    return {**new_target(world, academy), "pupil_group": "all", "value": "72"}


def api_new_target(world, academy):
    return {"academy": world.north_a.urn, "academic_year": year_label(settable_years()[0]),
            "measure": "ks2_expected", "subject": "rwm", "value": "71"}


def comments(world, academy):
    return {"comments": "Discussed at the LGB of 3 October."}


def meeting(world, academy):
    return {"meeting": yesterday(), "minute": "TB 24/10 item 6"}


def amendment(world, academy):
    return {"value": "68", "rationale": "Cohort changed.", "reason": "Ten pupils joined with EHC plans."}


def board_decision(world, academy):
    reviewed = make_target(world.north_a, Target.Status.REVIEWED)
    return {"targets": [str(reviewed.uuid)], **meeting(world, academy)}


CASES = [
    Case("academies:targets", "get", read, per_academy=True),
    Case("academies:targets", "post", 405, per_academy=True),
    Case("academies:target-create", "get", scoped(holds(EDIT)), per_academy=True),
    Case("academies:target-create", "post", scoped(holds(EDIT), ok=302), per_academy=True,
         data=new_target),
    Case("academies:target", "get", read, object_kwargs=target_in(Target.Status.DRAFT)),
    Case("academies:target", "post", 405, object_kwargs=target_in(Target.Status.DRAFT)),
    Case("academies:target-edit", "get", scoped(holds(EDIT)),
         object_kwargs=target_in(Target.Status.DRAFT)),
    Case("academies:target-edit", "post", scoped(holds(EDIT), ok=302),
         object_kwargs=target_in(Target.Status.DRAFT), data=draft_change),
    Case("academies:target-propose", "post", scoped(holds(EDIT), ok=302),
         object_kwargs=target_in(Target.Status.DRAFT), data=lambda w, a: {}),
    Case("academies:target-propose", "get", 405, object_kwargs=target_in(Target.Status.DRAFT)),
    Case("academies:target-review", "post", scoped(holds(REVIEW), ok=302),
         object_kwargs=target_in(Target.Status.PROPOSED), data=comments),
    Case("academies:target-review", "get", 405, object_kwargs=target_in(Target.Status.PROPOSED)),
    Case("academies:target-return", "post", returning(ok=302, trustee=200),
         object_kwargs=target_in(Target.Status.PROPOSED), data=comments),
    Case("academies:target-return", "get", 405, object_kwargs=target_in(Target.Status.PROPOSED)),
    Case("academies:target-agree", "post", scoped(holds(BOARD), ok=302),
         object_kwargs=target_in(Target.Status.REVIEWED), data=meeting),
    Case("academies:target-agree", "get", 405, object_kwargs=target_in(Target.Status.REVIEWED)),
    Case("academies:target-amend", "get", scoped(holds(BOARD)),
         object_kwargs=target_in(Target.Status.AGREED)),
    Case("academies:target-amend", "post", scoped(holds(BOARD), ok=302),
         object_kwargs=target_in(Target.Status.AGREED), data=amendment),
    Case("academies:targets-board", "get", trust_level(BOARD)),
    Case("academies:targets-board", "post", trust_level(BOARD, ok=302), data=board_decision),
    Case("academies:targets-board", "delete", 405),
    Case("api:target-list", "get", 200, anon=401),
    Case("api:target-list", "post", trust_level(EDIT, ok=201), anon=401, data=api_new_target),
    Case("api:target-detail", "get", read, anon=401, object_kwargs=api_target_in(Target.Status.DRAFT)),
    Case("api:target-detail", "patch", scoped(holds(EDIT)), anon=401,
         object_kwargs=api_target_in(Target.Status.DRAFT), data=lambda w, a: {"value": "72"}),
    Case("api:target-detail", "put", 405, anon=401, object_kwargs=api_target_in(Target.Status.DRAFT),
         data=lambda w, a: {"value": "72"}),
    Case("api:target-detail", "delete", 405, anon=401, object_kwargs=api_target_in(Target.Status.DRAFT)),
    Case("api:target-propose", "post", scoped(holds(EDIT)), anon=401,
         object_kwargs=api_target_in(Target.Status.DRAFT), data=lambda w, a: {}),
    Case("api:target-propose", "get", 405, anon=401, object_kwargs=api_target_in(Target.Status.DRAFT)),
    Case("api:target-review", "post", scoped(holds(REVIEW)), anon=401,
         object_kwargs=api_target_in(Target.Status.PROPOSED), data=comments),
    Case("api:target-return", "post", returning(ok=200, trustee=400), anon=401,
         object_kwargs=api_target_in(Target.Status.PROPOSED), data=comments),
    Case("api:target-agree", "post", scoped(holds(BOARD)), anon=401,
         object_kwargs=api_target_in(Target.Status.REVIEWED), data=meeting),
    Case("api:target-amend", "post", scoped(holds(BOARD)), anon=401,
         object_kwargs=api_target_in(Target.Status.AGREED), data=amendment),
]
