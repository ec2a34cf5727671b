"""The API of health checks, their actions, risks, link-governor visits and notifications.

Each step is tried on an object in the state the step starts from, so the right role gets
through and everybody else is refused by role (403) or by scope (404), never by state. A draft
report is out of sight for academy roles (404), and so, for governors and academy data
managers, is a report not yet published; a trust-only risk is out of sight for every academy
role, and a trust-level risk for everyone below the trust. Anonymous callers get 401.
"""

from healthchecks.models import HealthCheck, Risk, Visibility
from tests.healthchecks.makers import make_health_check, make_risk, make_visit
from trust.models import Notification

from .common import TRUST_WIDE, Case, R, holds, read, scoped, sees, trust_level

S = HealthCheck.Status
FILE = {R.SIEL, R.EXECUTIVE, R.HUB_LEAD}
RESPOND = {R.HEADTEACHER}
UPDATE_ACTION = FILE | {R.HEADTEACHER}
RISK = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
VISIT = {R.GOVERNOR}
EVERYONE = set(R)
ACADEMY_PEOPLE = {R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER}
NOTIFIED = R.HEADTEACHER


def sees_report(role, target, status):
    if not sees(role, target):
        return False
    if role == R.HEADTEACHER:
        return status != S.DRAFT
    if role in ACADEMY_PEOPLE:
        return status == S.PUBLISHED
    return True


def on_report(status, roles, ok=200):
    """A report in `status`: 404 for whoever may not see it, else `ok` for `roles`, else 403."""
    def expect(role, target):
        if not sees_report(role, target, status):
            return 404
        return ok if role in roles else 403
    return expect


def on_risk(roles, visibility=Visibility.SHARED):
    def expect(role, target):
        if not sees(role, target) or (visibility == Visibility.TRUST_ONLY and role in ACADEMY_PEOPLE):
            return 404
        return 200 if role in roles else 403
    return expect


def report_in(status):
    def kwargs(world, academy):
        return {"uuid": make_health_check(academy, status=status).uuid}
    return kwargs


def published_action(world, academy):
    return {"uuid": make_health_check(academy, status=S.PUBLISHED).actions.get().uuid}


def risk(status=Risk.Status.OPEN, visibility=Visibility.SHARED):
    def kwargs(world, academy):
        return {"uuid": make_risk(academy, status=status, visibility=visibility).uuid}
    return kwargs


def trust_level_risk(world, academy):
    return {"uuid": make_risk(None, visibility=Visibility.TRUST_ONLY, category="finance").uuid}


def governors_visit(world, academy):
    return {"uuid": make_visit(academy, world[R.GOVERNOR]).uuid}


def notification(world, academy):
    made = Notification.objects.create(
        user=world[NOTIFIED], kind="risk.raised", title=f"A new risk at {academy.name}",
        url="/risks/", academy=academy,
    )
    return {"uuid": made.uuid}


def only_the_recipient(role, target):
    return 200 if role == NOTIFIED and sees(role, target) else 404


def new_report(world, academy):
    return {"academy": world.north_a.urn, "kind": "termly", "visit_start": "2025-11-12",
            "key_findings": "Phonics is consistent across Key Stage 1.",
            "judgements": [{"area": "curriculum_and_teaching", "grade": "expected"}],
            "recommendations": [{"recommendation": "Embed the reading spine.", "due_on": "2026-03-31"}]}


def new_risk(world, academy):
    return {"academy": world.north_a.urn, "category": "staffing", "title": "Two teachers leave at Easter",
            "description": "Year 6 and Year 4 classes without a permanent teacher.", "likelihood": 4,
            "impact": 3, "reason": "Resignations received."}


def new_visit(world, academy):
    return {"academy": world.north_a.urn, "visited_on": "2025-11-20", "focus": "Reading in Year 2",
            "notes": "Heard six pupils read; all used their phonics."}


CASES = [
    # Health checks
    Case("api:health-check-list", "get", 200, anon=401),
    Case("api:health-check-list", "post", trust_level(FILE, ok=201), anon=401, data=new_report),
    Case("api:health-check-detail", "get", read, anon=401, object_kwargs=report_in(S.PUBLISHED)),
    Case("api:health-check-detail", "get", on_report(S.DRAFT, EVERYONE), anon=401,
         object_kwargs=report_in(S.DRAFT)),
    Case("api:health-check-detail", "patch", on_report(S.DRAFT, FILE), anon=401,
         object_kwargs=report_in(S.DRAFT),
         data=lambda w, a: {"version": 1, "key_findings": "Reading is strong; maths is uneven."}),
    Case("api:health-check-detail", "put", 405, anon=401, object_kwargs=report_in(S.DRAFT),
         data=lambda w, a: {"version": 1}),
    Case("api:health-check-detail", "delete", 405, anon=401, object_kwargs=report_in(S.DRAFT)),
    Case("api:health-check-submit", "post", on_report(S.DRAFT, FILE), anon=401,
         object_kwargs=report_in(S.DRAFT), data=lambda w, a: {}),
    Case("api:health-check-submit", "get", 405, anon=401, object_kwargs=report_in(S.DRAFT)),
    Case("api:health-check-respond", "post", on_report(S.SUBMITTED, RESPOND), anon=401,
         object_kwargs=report_in(S.SUBMITTED), data=lambda w, a: {"response": "No inaccuracies."}),
    Case("api:health-check-return", "post", on_report(S.SUBMITTED, FILE), anon=401,
         object_kwargs=report_in(S.SUBMITTED), data=lambda w, a: {"reason": "Add the maths evidence."}),
    Case("api:health-check-publish", "post", on_report(S.RESPONDED, FILE), anon=401,
         object_kwargs=report_in(S.RESPONDED), data=lambda w, a: {}),
    # Their actions
    Case("api:health-check-action-list", "get", 200, anon=401),
    Case("api:health-check-action-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:health-check-action-detail", "get", read, anon=401, object_kwargs=published_action),
    Case("api:health-check-action-review", "post", on_report(S.PUBLISHED, UPDATE_ACTION), anon=401,
         object_kwargs=published_action,
         data=lambda w, a: {"status": "in_progress", "commentary": "Curriculum maps drafted."}),
    Case("api:health-check-action-review", "get", 405, anon=401, object_kwargs=published_action),
    # Risks
    Case("api:risk-list", "get", 200, anon=401),
    Case("api:risk-list", "post", trust_level(RISK, ok=201), anon=401, data=new_risk),
    Case("api:risk-detail", "get", read, anon=401, object_kwargs=risk()),
    Case("api:risk-detail", "get", on_risk(EVERYONE, Visibility.TRUST_ONLY), anon=401,
         object_kwargs=risk(visibility=Visibility.TRUST_ONLY)),
    Case("api:risk-detail", "get", lambda role, target: 200 if role in TRUST_WIDE else 404, anon=401,
         object_kwargs=trust_level_risk),
    Case("api:risk-detail", "patch", on_risk(RISK), anon=401, object_kwargs=risk(),
         data=lambda w, a: {"version": 1, "likelihood": 4, "reason": "Absence rose again in October."}),
    Case("api:risk-detail", "delete", 405, anon=401, object_kwargs=risk()),
    Case("api:risk-review", "post", on_risk(RISK), anon=401, object_kwargs=risk(),
         data=lambda w, a: {"commentary": "First-day calls now daily."}),
    Case("api:risk-close", "post", on_risk(RISK, Visibility.TRUST_ONLY), anon=401,
         object_kwargs=risk(visibility=Visibility.TRUST_ONLY),
         data=lambda w, a: {"reason": "Absence back below national for two terms."}),
    Case("api:risk-reopen", "post", on_risk(RISK), anon=401, object_kwargs=risk(status=Risk.Status.CLOSED),
         data=lambda w, a: {"reason": "Absence rising again."}),
    Case("api:risk-reopen", "get", 405, anon=401, object_kwargs=risk(status=Risk.Status.CLOSED)),
    # Link-governor visits
    Case("api:governor-visit-list", "get", 200, anon=401),
    Case("api:governor-visit-list", "post", trust_level(VISIT, ok=201), anon=401, data=new_visit),
    Case("api:governor-visit-detail", "get", read, anon=401, object_kwargs=governors_visit),
    Case("api:governor-visit-detail", "patch", scoped(holds(VISIT)), anon=401, object_kwargs=governors_visit,
         data=lambda w, a: {"focus": "Phonics and early reading"}),
    Case("api:governor-visit-detail", "delete", 405, anon=401, object_kwargs=governors_visit),
    # The signed-in person's notifications
    Case("api:notification-list", "get", 200, anon=401),
    Case("api:notification-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:notification-detail", "get", only_the_recipient, anon=401, object_kwargs=notification),
    Case("api:notification-detail", "delete", 405, anon=401, object_kwargs=notification),
    Case("api:notification-read", "post", only_the_recipient, anon=401, object_kwargs=notification),
    Case("api:notification-read", "get", 405, anon=401, object_kwargs=notification),
    Case("api:notification-read-all", "post", 200, anon=401),
    Case("api:notification-read-all", "get", 405, anon=401),
    Case("api:notification-preferences", "get", 200, anon=401),
    Case("api:notification-preferences", "put", 200, anon=401,
         data=lambda w, a: [{"kind": "risk.raised", "delivery": "digest"}]),
    Case("api:notification-preferences", "post", 405, anon=401, data=lambda w, a: []),
]
