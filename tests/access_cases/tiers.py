"""The tier decision pages: the board and its agreement of many proposals, an academy's tier
page, proposing and each step of a proposal, the definitions and the engine's rules.

The board and the rules belong to trust staff (tier.recommendation.view): everyone else gets 404
there. An academy's tier page is read by everyone who sees the academy. A proposal is proposed,
edited and withdrawn by executives, the SIEL and hub leads, and decided by trustees and executives;
others who see the academy are refused (403), others 404.
"""

import uuid

from django.utils import timezone

from tiers.models import TierAssignment, TierRule
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped, trust_level

TRUST_STAFF = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}
PROPOSE = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
DECIDE = {R.TRUSTEE, R.EXECUTIVE}
DEFINE = {R.EXECUTIVE, R.ADMINISTRATOR}
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000000")
THIS_YEAR = AcademicYear.start_year_for(timezone.localdate())


def proposal(academy):
    return TierAssignment.objects.create(
        academy=academy, academic_year=AcademicYear.current(), tier=2,
        rationale="Outcomes close to national.",
    )


def proposal_in(world, academy):
    return {"uuid": proposal(academy).uuid}


def new_proposal(world, academy):
    return {"academic_year": str(THIS_YEAR), "tier": "2", "rationale": "Outcomes close to national."}


def edit(world, academy):
    return {"tier": "3", "rationale": "Attendance has fallen.", "version": "1"}


def agree(world, academy):
    return {"board_meeting": timezone.localdate().isoformat(), "board_minute": "TB/26/1", "version": "1"}


def decline(world, academy):
    return {**agree(world, academy), "reason": "The evidence points to tier 3."}


def withdraw(world, academy):
    return {"reason": "Proposed in error.", "version": "1"}


def agree_many(world, academy):
    pending = proposal(academy)
    return {"assignments": [str(pending.uuid)], "year": str(THIS_YEAR),
            f"version-{pending.uuid}": pending.version,
            "board_meeting": timezone.localdate().isoformat(), "board_minute": "TB/26/2"}


def definition(world, academy):
    return {"name": "Lead", "led_by": "academy", "summary": "Strong.", "version": "1",
            "descriptors-TOTAL_FORMS": "1", "descriptors-INITIAL_FORMS": "0",
            "descriptors-0-area": "safeguarding", "descriptors-0-text": "Safeguarding is effective.",
            "entitlements-TOTAL_FORMS": "1", "entitlements-INITIAL_FORMS": "0",
            "entitlements-0-kind": "ceo_one_to_one", "entitlements-0-cadence": "four_weekly",
            "entitlements-0-description": "A one-to-one with the CEO."}


def rule(world, academy):
    return {"name": "Open risks by score", "kind": "open_risks", "active": "on", "weight": "1",
            "pupil_group": "all", "year_group": "", "subject": "", "measure": "", "lead_from": "5",
            "grow_from": "12", "reinvent_from": "16", "trend_margin": "1", "max_age_months": "0",
            "order": "0"}


def rule_kwargs(world, academy):
    return {"pk": TierRule.objects.create(name="Inspection", kind="inspection").pk}


def rules_page(ok):
    """The rules' forms: the rule keepers get `ok`, other trust staff 403, others 404."""
    def expect(role, target):
        if role in DEFINE:
            return ok
        return 403 if role in TRUST_STAFF else 404
    return expect


def decide_many(role, target):
    if role in DECIDE:
        return 302
    return 403 if role in TRUST_STAFF else 404


DEFINITION = {"start_year": THIS_YEAR, "number": 1}

CASES = [
    # The board: trust staff only; agreeing many at once: those who record the board's decisions.
    Case("tiers:board", "get", trust_level(TRUST_STAFF, otherwise=404)),
    Case("tiers:board", "post", 405),
    Case("tiers:agree-many", "post", decide_many, data=agree_many),
    Case("tiers:agree-many", "get", 405),
    # One academy's tier: everyone who sees it.
    Case("tiers:academy", "get", read, per_academy=True),
    Case("tiers:academy", "post", 405, per_academy=True),
    Case("tiers:propose", "get", scoped(holds(PROPOSE)), per_academy=True),
    Case("tiers:propose", "post", scoped(holds(PROPOSE), ok=302), per_academy=True, data=new_proposal),
    # The steps of a proposal.
    Case("tiers:assignment-edit", "get", scoped(holds(PROPOSE)), object_kwargs=proposal_in),
    Case("tiers:assignment-edit", "post", scoped(holds(PROPOSE), ok=302), object_kwargs=proposal_in,
         data=edit),
    Case("tiers:assignment-agree", "get", scoped(holds(DECIDE)), object_kwargs=proposal_in),
    Case("tiers:assignment-agree", "post", scoped(holds(DECIDE), ok=302), object_kwargs=proposal_in,
         data=agree),
    Case("tiers:assignment-decline", "get", scoped(holds(DECIDE)), object_kwargs=proposal_in),
    Case("tiers:assignment-decline", "post", scoped(holds(DECIDE), ok=302), object_kwargs=proposal_in,
         data=decline),
    Case("tiers:assignment-withdraw", "get", scoped(holds(PROPOSE)), object_kwargs=proposal_in),
    Case("tiers:assignment-withdraw", "post", scoped(holds(PROPOSE), ok=302), object_kwargs=proposal_in,
         data=withdraw),
    Case("tiers:assignment-withdraw", "put", 405, kwargs={"uuid": NOBODY}),
    # The definitions: read by everyone, changed by those who define the tiers.
    Case("tiers:definitions", "get", 200),
    Case("tiers:definitions", "post", 405),
    Case("tiers:definition-edit", "get", trust_level(DEFINE), kwargs=DEFINITION),
    Case("tiers:definition-edit", "post", trust_level(DEFINE, ok=302), kwargs=DEFINITION, data=definition),
    # The rules: read by trust staff, changed by those who define the tiers.
    Case("tiers:rules", "get", trust_level(TRUST_STAFF | DEFINE, otherwise=404)),
    Case("tiers:rules", "post", 405),
    Case("tiers:rule-create", "get", rules_page(200)),
    Case("tiers:rule-create", "post", rules_page(302), data=rule),
    Case("tiers:rule-edit", "get", rules_page(200), object_kwargs=rule_kwargs),
    Case("tiers:rule-edit", "post", rules_page(302), object_kwargs=rule_kwargs, data=rule),
]
