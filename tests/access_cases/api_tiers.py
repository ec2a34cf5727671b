"""The API of school-improvement tiers: definitions, decisions, recommendations and support.

Everyone signed in reads the tier definitions; only executives and administrators change them.
A decision is read by whoever sees its academy, proposed or withdrawn by executives, the School
Improvement Executive Lead and hub leads, and agreed or declined by trustees and executives.
Recommendations are for trust staff: every academy role gets 404, never 403, so that not even
their existence shows. Support is read by everyone who sees the academy and logged by the
executives, the SIEL and hub leads. Anonymous callers get 401.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from tests.tiers.makers import make_tier
from tiers.models import SupportItem, SupportKind, SupportLogEntry, TierAssignment, TierRecommendation
from tiers.services import definitions_for
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped, sees, trust_level

PROPOSE = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
DECIDE = {R.TRUSTEE, R.EXECUTIVE}
DEFINE = {R.EXECUTIVE, R.ADMINISTRATOR}
RECOMMENDATIONS = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}
LOG = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}

TRACE = [{
    "rule": 1, "name": "Latest Ofsted inspection", "kind": "inspection", "weight": "2", "decisive": False,
    "status": "indicated", "explanation": "Judged good at the last inspection.", "evidence": "Good",
    "value": "2", "date": "2024-03-12", "source": "Ofsted", "threshold": "", "tier": 2,
    "contribution": "4", "url": "/academies/100001/ofsted/",
}]


def make_proposal(academy, *, tier=2, by=None, year=None, **fields):
    return TierAssignment.objects.create(
        academy=academy, academic_year=year or AcademicYear.current(), tier=tier,
        rationale="Outcomes at national; leadership secure.", proposed_by=by, **fields,
    )


def make_recommendation(academy, *, tier=2, year=None, current=True):
    return TierRecommendation.objects.create(
        academy=academy, academic_year=year or AcademicYear.current(), tier=tier,
        weighted_mean=Decimal("2.00"), trace=TRACE, missing=["Open risks by score"],
        fingerprint=f"{academy.urn}-{tier}-{current}", computed_at=timezone.now(), current=current,
    )


def make_item(academy, *, kind=SupportKind.CEO_ONE_TO_ONE, due_on=None, assignment=None):
    assignment = assignment or make_tier(academy, AcademicYear.current(), 2)
    due_on = due_on or assignment.academic_year.starts_on + datetime.timedelta(days=30)
    return SupportItem.objects.create(
        academy=academy, academic_year=assignment.academic_year, assignment=assignment, kind=kind,
        window_start=due_on - datetime.timedelta(days=14), due_on=due_on,
    )


def make_entry(academy, *, kind=SupportKind.CEO_ONE_TO_ONE, held_on=None, **fields):
    return SupportLogEntry.objects.create(
        academy=academy, kind=kind, held_on=held_on or timezone.localdate(), led_by="Chief executive",
        notes="Reviewed the attendance plan.", **fields,
    )


def definition(world, academy):
    return {"pk": definitions_for(AcademicYear.current())[1].pk}


def definition_body(world, academy):
    return {
        "version": 1, "name": "Grow", "led_by": "academy", "summary": "Good schools getting better.",
        "descriptors": [{"area": "teaching", "text": "Teaching is consistently good."}],
        "entitlements": [{"kind": "ceo_one_to_one", "cadence": "termly",
                          "description": "A one-to-one with the chief executive each term."}],
    }


def proposal(world, academy):
    return {"uuid": make_proposal(academy).uuid}


def recommendation(world, academy):
    return {"pk": make_recommendation(academy).pk}


def item(world, academy):
    return {"uuid": make_item(academy).uuid}


def entry(world, academy):
    return {"uuid": make_entry(academy).uuid}


def new_proposal(world, academy):
    return {"academy": world.north_a.urn, "tier": 3, "rationale": "Attendance well below national."}


def new_entry(world, academy):
    return {"academy": world.north_a.urn, "kind": "ceo_one_to_one",
            "held_on": timezone.localdate().isoformat(), "notes": "Reviewed the attendance plan."}


def agreement(world, academy):
    return {"board_meeting": timezone.localdate().isoformat(), "board_minute": "TB/25/14"}


def only_trust_staff(role, target):
    return 200 if role in RECOMMENDATIONS and sees(role, target) else 404


CASES = [
    # Definitions
    Case("api:tier-definition-list", "get", 200, anon=401),
    Case("api:tier-definition-list", "post", 405, anon=401, data=definition_body),
    Case("api:tier-definition-detail", "get", 200, anon=401, object_kwargs=definition),
    Case("api:tier-definition-detail", "put", trust_level(DEFINE), anon=401, object_kwargs=definition,
         data=definition_body),
    Case("api:tier-definition-detail", "patch", 405, anon=401, object_kwargs=definition,
         data=lambda w, a: {"version": 1, "name": "Grow"}),
    Case("api:tier-definition-detail", "delete", 405, anon=401, object_kwargs=definition),
    # Decisions
    Case("api:tier-assignment-list", "get", 200, anon=401),
    Case("api:tier-assignment-list", "post", trust_level(PROPOSE, ok=201), anon=401, data=new_proposal),
    Case("api:tier-assignment-detail", "get", read, anon=401, object_kwargs=proposal),
    Case("api:tier-assignment-detail", "patch", scoped(holds(PROPOSE)), anon=401, object_kwargs=proposal,
         data=lambda w, a: {"version": 1, "tier": 3}),
    Case("api:tier-assignment-detail", "put", 405, anon=401, object_kwargs=proposal,
         data=lambda w, a: {"version": 1}),
    Case("api:tier-assignment-detail", "delete", 405, anon=401, object_kwargs=proposal),
    Case("api:tier-assignment-agree", "post", scoped(holds(DECIDE)), anon=401, object_kwargs=proposal,
         data=agreement),
    Case("api:tier-assignment-agree", "get", 405, anon=401, object_kwargs=proposal),
    Case("api:tier-assignment-decline", "post", scoped(holds(DECIDE)), anon=401, object_kwargs=proposal,
         data=lambda w, a: {**agreement(w, a), "reason": "Wait for the summer results."}),
    Case("api:tier-assignment-withdraw", "post", scoped(holds(PROPOSE)), anon=401, object_kwargs=proposal,
         data=lambda w, a: {"reason": "Proposed for the wrong year."}),
    # Recommendations
    Case("api:tier-recommendation-list", "get", 200, anon=401),
    Case("api:tier-recommendation-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:tier-recommendation-detail", "get", only_trust_staff, anon=401, object_kwargs=recommendation),
    Case("api:tier-recommendation-detail", "delete", 405, anon=401, object_kwargs=recommendation),
    # The support schedule and log
    Case("api:support-item-list", "get", 200, anon=401),
    Case("api:support-item-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:support-item-detail", "get", read, anon=401, object_kwargs=item),
    Case("api:support-item-detail", "patch", 405, anon=401, object_kwargs=item,
         data=lambda w, a: {"status": "delivered"}),
    Case("api:support-log-entry-list", "get", 200, anon=401),
    Case("api:support-log-entry-list", "post", trust_level(LOG, ok=201), anon=401, data=new_entry),
    Case("api:support-log-entry-detail", "get", read, anon=401, object_kwargs=entry),
    Case("api:support-log-entry-detail", "delete", scoped(holds(LOG), ok=204), anon=401, object_kwargs=entry),
    Case("api:support-log-entry-detail", "patch", 405, anon=401, object_kwargs=entry,
         data=lambda w, a: {"notes": "Changed."}),
]
