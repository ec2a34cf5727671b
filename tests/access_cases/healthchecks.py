"""Health-check reports: the lists, filing and editing a report, each workflow step, the report,
its PDF, and progress on its actions.

Who reads a report depends on its state as well as on scope: trust-wide roles read every report,
the hub lead their hub's, a headteacher their academy's from submission, and governors and the
academy data manager only published ones. A report a person cannot read answers 404, exactly as
one out of scope. Each step is tried on a report in the state it starts from, so that the right
role gets through and everybody else is refused by role (403) or by sight (404), never by state.
"""

from healthchecks.models import Action, HealthCheck
from tests.healthchecks.makers import make_health_check, siel

from .common import TRUST_WIDE, Case, R, holds, read, scoped, sees

S = HealthCheck.Status
FILE = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
RESPOND = {R.HEADTEACHER}
UPDATE = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD, R.HEADTEACHER}


def reads(role, target, status):
    """Whether `role` reads a report of the `target` academy in `status` (the queryset's rule)."""
    if not sees(role, target):
        return False
    if role in TRUST_WIDE or role == R.HUB_LEAD:
        return True
    if role == R.HEADTEACHER:
        return status != S.DRAFT
    return status == S.PUBLISHED


def on_report(status, roles=None, ok=200):
    """404 for whoever cannot read a report in `status`; then `ok` for `roles` (everyone when
    None) and 403 for the rest."""
    def expect(role, target):
        if not reads(role, target, status):
            return 404
        return ok if roles is None or role in roles else 403
    return expect


def report_in(status):
    def kwargs(world, academy):
        return {"uuid": make_health_check(academy, status=status).uuid}
    return kwargs


def action_of_published(world, academy):
    return {"uuid": make_health_check(academy, status=S.PUBLISHED).actions.get().uuid}


def report_form(world, academy, *, version=None, recommendations=None, **changes):
    """What the report form sends: the visit, two judgements, and the recommendation rows
    (each a dict of recommendation, owner, owner_name, due_on and perhaps uuid)."""
    if recommendations is None:
        recommendations = [{"recommendation": "Map the foundation-subject curriculum year by year.",
                            "owner_name": "Curriculum lead", "due_on": "2026-03-31"}]
    data = {
        "kind": "annual", "visit_start": "2025-11-12", "visit_end": "2025-11-13", "lead_reviewer": siel().pk,
        "commissioned_expert": "", "focus_areas": "Reading\nThe curriculum", "safeguarding": "met",
        "leadership_qa": "agrees", "leadership_qa_reasons": "",
        "key_findings": "Reading is taught well; the wider curriculum is uneven.",
        "grade_curriculum_and_teaching": "expected",
        "commentary_curriculum_and_teaching": "Phonics is taught with precision.",
        "grade_leadership_and_governance": "strong", "commentary_leadership_and_governance": "",
        "rec-TOTAL_FORMS": str(len(recommendations) + 1), "rec-INITIAL_FORMS": "0",
        "rec-MIN_NUM_FORMS": "0", "rec-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(recommendations):
        for name in ("uuid", "recommendation", "owner", "owner_name", "due_on"):
            data[f"rec-{number}-{name}"] = row.get(name, "")
    if version is not None:
        data["version"] = str(version)
    data.update(changes)
    return data


def edit_form(world, academy):
    """An edit of the draft made by `report_in(DRAFT)` (version 1), keeping its action."""
    action = Action.objects.filter(health_check__academy=academy).order_by("-pk").first()
    kept = {"uuid": str(action.uuid), "recommendation": action.recommendation,
            "owner_name": action.owner_name, "due_on": action.due_on.isoformat()}
    return report_form(world, academy, version=1, recommendations=[kept],
                       key_findings="Reading is strong; foundation subjects need a sequenced curriculum.")


def progress(world, academy):
    return {"status": "in_progress", "commentary": "Curriculum maps drafted for history and geography.",
            "evidence": "Maps for Years 1 to 6", "reviewed_on": ""}


CASES = [
    # Every role has a list; it holds only what the person may read.
    Case("healthchecks:list", "get", 200),
    Case("healthchecks:list", "post", 405),
    Case("healthchecks:academy-list", "get", read, per_academy=True),
    Case("healthchecks:academy-list", "post", 405, per_academy=True),
    Case("healthchecks:create", "get", scoped(holds(FILE)), per_academy=True),
    Case("healthchecks:create", "post", scoped(holds(FILE), ok=302), per_academy=True, data=report_form),
    Case("healthchecks:detail", "get", read, object_kwargs=report_in(S.PUBLISHED)),
    Case("healthchecks:detail", "get", on_report(S.DRAFT), object_kwargs=report_in(S.DRAFT)),
    Case("healthchecks:detail", "post", 405, object_kwargs=report_in(S.PUBLISHED)),
    Case("healthchecks:edit", "get", on_report(S.DRAFT, FILE), object_kwargs=report_in(S.DRAFT)),
    Case("healthchecks:edit", "post", on_report(S.DRAFT, FILE, ok=302), object_kwargs=report_in(S.DRAFT),
         data=edit_form),
    # A published report is never edited, by anyone.
    Case("healthchecks:edit", "get", on_report(S.PUBLISHED, set()), object_kwargs=report_in(S.PUBLISHED)),
    Case("healthchecks:submit", "post", on_report(S.DRAFT, FILE, ok=302), object_kwargs=report_in(S.DRAFT),
         data=lambda w, a: {}),
    Case("healthchecks:submit", "get", 405, object_kwargs=report_in(S.DRAFT)),
    Case("healthchecks:respond", "post", on_report(S.SUBMITTED, RESPOND, ok=302),
         object_kwargs=report_in(S.SUBMITTED), data=lambda w, a: {"response": "No inaccuracies."}),
    Case("healthchecks:respond", "get", 405, object_kwargs=report_in(S.SUBMITTED)),
    Case("healthchecks:return", "post", on_report(S.SUBMITTED, FILE, ok=302),
         object_kwargs=report_in(S.SUBMITTED), data=lambda w, a: {"reason": "The visit dates are wrong."}),
    Case("healthchecks:return", "get", 405, object_kwargs=report_in(S.SUBMITTED)),
    Case("healthchecks:publish", "post", on_report(S.RESPONDED, FILE, ok=302),
         object_kwargs=report_in(S.RESPONDED), data=lambda w, a: {}),
    Case("healthchecks:publish", "get", 405, object_kwargs=report_in(S.RESPONDED)),
    Case("healthchecks:pdf", "get", read, object_kwargs=report_in(S.PUBLISHED)),
    # Only a published report has a PDF: a report still in its factual-accuracy check has none.
    Case("healthchecks:pdf", "get", 404, object_kwargs=report_in(S.RESPONDED)),
    Case("healthchecks:action-update", "post", on_report(S.PUBLISHED, UPDATE, ok=302),
         object_kwargs=action_of_published, data=progress),
    Case("healthchecks:action-update", "get", 405, object_kwargs=action_of_published),
]
