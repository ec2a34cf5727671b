"""The risk register: the trust's register, the board view, the exports, each risk and its steps,
one academy's risks, and the risk rules.

Each risk case is tried on a SHARED risk in the target academy (the academy's people read it:
200, and are refused a change: 403) and, where it matters, on a TRUST-ONLY one (the academy's
people get 404, exactly as for a missing risk). The register, the board and the exports belong
to the risk.register roles: everybody else gets 404 there.
"""

import uuid

from healthchecks.models import Risk, Visibility
from tests.healthchecks.makers import make_risk, make_rule

from .common import Case, R, holds, read, scoped, sees, trust_level

REGISTER = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}
CHANGE = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
RULES = {R.EXECUTIVE, R.ADMINISTRATOR}
ACADEMY_PEOPLE = {R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER}
# For the POST-only and GET-only URLs: the method is refused before the risk is looked up.
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000000")
REVIEW_DAY = "2099-12-01"


def risk_in(visibility=Visibility.SHARED, status=Risk.Status.OPEN):
    def kwargs(world, academy):
        return {"uuid": make_risk(academy, visibility=visibility, status=status).uuid}
    return kwargs


def sees_trust_only(role, target):
    """Whether the role sees a trust-only risk about the target academy: the academy's own
    people never do."""
    return sees(role, target) and role not in ACADEMY_PEOPLE


def trust_only(allowed, ok=200):
    """Like `scoped`, for a trust-only risk: 404 to everyone who does not see it."""
    def expect(role, target):
        if not sees_trust_only(role, target):
            return 404
        return ok if allowed(role, target) else 403
    return expect


def read_trust_only(role, target):
    return 200 if sees_trust_only(role, target) else 404


def rules_page(ok):
    """The rules' forms: the rule keepers get `ok`, the register's other readers 403, others 404."""
    def expect(role, target):
        if role in RULES:
            return ok
        return 403 if role in REGISTER else 404
    return expect


def new_risk(world, academy):
    return {
        "academy": academy.urn, "category": "attendance", "title": "Persistent absence is rising",
        "description": "Two terms above national.", "likelihood": "3", "impact": "4", "owner": "",
        "mitigations": "", "review_frequency": "monthly", "next_review_on": "", "visibility": "shared",
        "reason": "",
    }


def forged(world, academy):
    """A new risk for South A: the hub lead of the north may not raise it there (a form error, 200)."""
    return new_risk(world, world.south_a)


def risk_change(visibility):
    def data(world, academy):
        return {
            "category": "attendance", "title": "Persistent absence is rising", "description": "Worse.",
            "likelihood": "4", "impact": "4", "owner": "", "mitigations": "First-day calls.",
            "review_frequency": "monthly", "next_review_on": REVIEW_DAY, "visibility": visibility,
            "reason": "The spring figures are worse.", "version": "1",
        }
    return data


def review(world, academy):
    return {"commentary": "First-day calls now made every morning.", "reviewed_on": "", "version": "1"}


def reason(world, academy):
    return {"reason": "Attendance back above national for two terms.", "version": "1"}


def new_rule(world, academy):
    return {
        "name": "Safeguarding judged ineffective", "kind": "safeguarding", "active": "on", "measure": "",
        "pupil_group": "all", "margin": "0", "periods": "2", "termly": "on", "category": "safeguarding",
        "likelihood": "4", "impact": "5", "visibility": "shared", "review_frequency": "monthly",
    }


def rule_kwargs(world, academy):
    return {"uuid": make_rule().uuid}


def forged_create(role, target):
    """Executives and the SIEL may raise a risk for South A; the hub lead of the north is shown
    the form again with the error; the others never reach the form."""
    if role in CHANGE:
        return 200 if role == R.HUB_LEAD else 302
    return 404


ON_SHARED = scoped(holds(CHANGE))
DONE_SHARED = scoped(holds(CHANGE), ok=302)
ON_TRUST_ONLY = trust_only(holds(CHANGE))
DONE_TRUST_ONLY = trust_only(holds(CHANGE), ok=302)

CASES = [
    # The trust's register, the board view and the exports: risk.register only, others 404.
    Case("healthchecks:risks", "get", trust_level(REGISTER, otherwise=404)),
    Case("healthchecks:risks", "post", 405),
    Case("healthchecks:risks-board", "get", trust_level(REGISTER, otherwise=404)),
    Case("healthchecks:risks-board", "post", 405),
    Case("healthchecks:risks-export", "get", trust_level(REGISTER, otherwise=404), kwargs={"fmt": "csv"}),
    Case("healthchecks:risks-export", "get", trust_level(REGISTER, otherwise=404), kwargs={"fmt": "xlsx"}),
    Case("healthchecks:risks-export", "get", 404, kwargs={"fmt": "pdf"}),
    Case("healthchecks:risks-export", "post", 405, kwargs={"fmt": "csv"}),
    # Raising a risk: those who may change risks somewhere; the academy is checked by the form.
    Case("healthchecks:risk-create", "get", trust_level(CHANGE, otherwise=404)),
    Case("healthchecks:risk-create", "post", trust_level(CHANGE, ok=302, otherwise=404), data=new_risk),
    Case("healthchecks:risk-create", "post", forged_create, data=forged),
    # One risk: shared (the academy's people read it) and trust-only (they get 404).
    Case("healthchecks:risk", "get", read, object_kwargs=risk_in()),
    Case("healthchecks:risk", "get", read_trust_only, object_kwargs=risk_in(Visibility.TRUST_ONLY)),
    Case("healthchecks:risk", "post", 405, kwargs={"uuid": NOBODY}),
    Case("healthchecks:risk-edit", "get", ON_SHARED, object_kwargs=risk_in()),
    Case("healthchecks:risk-edit", "get", ON_TRUST_ONLY, object_kwargs=risk_in(Visibility.TRUST_ONLY)),
    Case("healthchecks:risk-edit", "post", DONE_SHARED, object_kwargs=risk_in(), data=risk_change("shared")),
    Case("healthchecks:risk-edit", "post", DONE_TRUST_ONLY, object_kwargs=risk_in(Visibility.TRUST_ONLY),
         data=risk_change("trust_only")),
    Case("healthchecks:risk-review", "post", DONE_SHARED, object_kwargs=risk_in(), data=review),
    Case("healthchecks:risk-review", "post", DONE_TRUST_ONLY, object_kwargs=risk_in(Visibility.TRUST_ONLY),
         data=review),
    Case("healthchecks:risk-review", "get", 405, kwargs={"uuid": NOBODY}),
    Case("healthchecks:risk-close", "post", DONE_SHARED, object_kwargs=risk_in(), data=reason),
    Case("healthchecks:risk-close", "post", DONE_TRUST_ONLY, object_kwargs=risk_in(Visibility.TRUST_ONLY),
         data=reason),
    Case("healthchecks:risk-close", "get", 405, kwargs={"uuid": NOBODY}),
    Case("healthchecks:risk-reopen", "post", DONE_SHARED,
         object_kwargs=risk_in(status=Risk.Status.CLOSED), data=reason),
    Case("healthchecks:risk-reopen", "get", 405, kwargs={"uuid": NOBODY}),
    # One academy's risks: everyone who sees the academy (each sees what the register allows them).
    Case("healthchecks:academy-risks", "get", read, per_academy=True),
    Case("healthchecks:academy-risks", "post", 405, per_academy=True),
    # The rules: read by their keepers and the register's readers; changed by the keepers only.
    Case("healthchecks:rules", "get", trust_level(REGISTER | RULES, otherwise=404)),
    Case("healthchecks:rules", "post", 405),
    Case("healthchecks:rule-create", "get", rules_page(200)),
    Case("healthchecks:rule-create", "post", rules_page(302), data=new_rule),
    Case("healthchecks:rule-edit", "get", rules_page(200), object_kwargs=rule_kwargs),
    Case("healthchecks:rule-edit", "post", rules_page(302), object_kwargs=rule_kwargs, data=new_rule),
]
