"""Every write to health checks, their actions and link-governor visits.

A report moves draft -> submitted -> responded -> published; it can be returned to draft from
submitted or responded (with a reason), and edited by the trust until it is published. Each step
is a conditional update on the state it starts from, so two people acting at once yield one
decision; each edit names the version it was made from, so a stale save is refused rather than
overwriting someone's work. Every step and edit is kept in the report's history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trust.access import require, scope_for
from trust.notifications import withdraw
from trust.queue import enqueue_on_commit

from . import alerts
from .models import Action, ActionReview, GovernorVisit, HealthCheck, HealthCheckEvent, HealthCheckJudgement
from .models.reports import AREAS

S = HealthCheck.Status
E = HealthCheckEvent.Kind
STATE = {
    S.DRAFT: "a draft",
    S.SUBMITTED: "awaiting the factual-accuracy check",
    S.RESPONDED: "back from the factual-accuracy check",
    S.PUBLISHED: "published",
}
# The workflow: each step, as its history calls it, from the states it may start in to where it leads.
MOVES = {
    E.SUBMITTED: ((S.DRAFT,), S.SUBMITTED),
    E.RESPONDED: ((S.SUBMITTED,), S.RESPONDED),
    E.RETURNED: ((S.SUBMITTED, S.RESPONDED), S.DRAFT),
    E.PUBLISHED: ((S.SUBMITTED, S.RESPONDED), S.PUBLISHED),
}
EDITABLE = (
    "kind",
    "visit_start",
    "visit_end",
    "lead_reviewer",
    "commissioned_expert",
    "focus_areas",
    "safeguarding",
    "leadership_qa",
    "leadership_qa_reasons",
    "key_findings",
)


class WorkflowError(ValidationError):
    """A step that cannot be taken now; the message says why."""


class StaleEdit(WorkflowError):
    """The object changed since the person loaded it."""


def _record(health_check, kind, by, *, from_status="", reason="", changes=None):
    return HealthCheckEvent.objects.create(
        health_check=health_check,
        kind=kind,
        by=by,
        from_status=from_status,
        to_status=health_check.status,
        reason=reason,
        changes=changes or {},
    )


def in_words(value):
    """A value as the history keeps it: a person by name (or email), a date as ISO 8601, nothing
    as empty, anything else as its text."""
    if value is None:
        return ""
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.email
    return str(value)


def check_fields(fields, editable, what):
    """Only the fields a person edits are given to the services: any other is a mistake in the code."""
    unknown = set(fields) - set(editable)
    if unknown:
        raise ValueError(f"not fields of {what}: {sorted(unknown)}")


def set_changes(current, fields, editable, what):
    """Set `fields` on `current`; returns {name: [before, after]} in words of those that changed,
    for the history. A value the same as before is not a change."""
    changes = {}
    for name, value in fields.items():
        if name not in editable:
            raise ValueError(f"{name} is not an editable field of {what}")
        old = getattr(current, name)
        if old != value:
            changes[name] = [in_words(old), in_words(value)]
            setattr(current, name, value)
    return changes


def check_reviewer(reviewer, academy):
    """The lead reviewer is someone the trust lets file health checks for this academy."""
    if reviewer is None or not reviewer.is_active or not scope_for(reviewer).can("healthcheck.file", academy):
        raise ValidationError({"lead_reviewer": "Choose someone who files health checks for this academy."})


def check_owner(owner, academy):
    if owner is not None and (not owner.is_active or not scope_for(owner).roles_for(academy)):
        raise ValidationError(
            {"owner": "Choose someone who works with this academy, or give a name instead."}
        )


@transaction.atomic
def health_check_create(*, academy, by, judgements=(), recommendations=(), **fields):
    """A new draft report. `judgements`: (area, grade, commentary); `recommendations`: dicts of
    recommendation, owner, owner_name, due_on."""
    require(by, "healthcheck.file", academy)
    check_fields(fields, EDITABLE, "a health check")
    fields.setdefault("lead_reviewer", by)
    health_check = HealthCheck(academy=academy, created_by=by, **fields)
    check_reviewer(health_check.lead_reviewer, academy)
    health_check.full_clean()
    health_check.save()
    _set_judgements(health_check, judgements)
    for number, recommendation in enumerate(recommendations, start=1):
        _add_action(health_check, number, **recommendation)
    _record(health_check, E.CREATED, by)
    return health_check


def _set_judgements(health_check, judgements):
    """Replace the report's judgements; returns {area: [before, after]} for the history."""
    allowed = {a.value for a in AREAS}
    before = {j.area: (j.grade, j.commentary) for j in health_check.judgements.all()}
    rows = []
    for area, grade, commentary in judgements:
        if not grade:
            continue
        if area not in allowed:
            raise ValidationError(f"{area} is not an area of the current Ofsted framework.")
        row = HealthCheckJudgement(
            health_check=health_check, area=area, grade=grade, commentary=commentary or ""
        )
        row.full_clean(exclude=["health_check"])
        rows.append(row)
    areas = [row.area for row in rows]
    if len(areas) != len(set(areas)):
        raise ValidationError("Judge each area once.")
    health_check.judgements.all().delete()
    HealthCheckJudgement.objects.bulk_create(rows)
    after = {row.area: (row.grade, row.commentary) for row in rows}
    # A grade's change is recorded as the grades; a change of commentary alone is a change too,
    # recorded on its own, so that it moves the version and goes in the history.
    changes = {}
    for area in sorted(set(before) | set(after)):
        (old_grade, old_text), (new_grade, new_text) = before.get(area, ("", "")), after.get(area, ("", ""))
        if old_grade != new_grade:
            changes[area] = [old_grade, new_grade]
        elif old_text != new_text:
            changes[f"{area} commentary"] = [old_text, new_text]
    return changes


def _add_action(health_check, number, *, recommendation, due_on, owner=None, owner_name=""):
    check_owner(owner, health_check.academy)
    action = Action(
        health_check=health_check,
        number=number,
        recommendation=recommendation,
        due_on=due_on,
        owner=owner,
        owner_name=owner_name,
    )
    action.full_clean(exclude=["health_check"])
    action.save()
    return action


@transaction.atomic
def health_check_edit(*, health_check, by, version, judgements=None, recommendations=None, **fields):
    """Change a draft report, made from `version` of it. A report with the headteacher (or back
    from them) is returned to draft first, so what they checked is what is published.

    `recommendations`, if given, is the full list: existing actions are matched by uuid and
    updated, new ones added, and ones left out removed."""
    require(by, "healthcheck.file", health_check.academy)
    current = HealthCheck.objects.select_for_update().get(pk=health_check.pk)
    if current.status == S.PUBLISHED:
        raise WorkflowError("A published report cannot be edited.")
    if current.status != S.DRAFT:
        raise WorkflowError(
            "This report is with the headteacher for its factual-accuracy check: return it to draft "
            "to change it, then submit it again, so that what they checked is what is published."
        )
    if int(version) != current.version:
        raise StaleEdit(
            "Someone else changed this report since you opened it. Your changes were not saved: "
            "reload it to see theirs, then make yours again."
        )
    changes = set_changes(current, fields, EDITABLE, "a health check")
    if "lead_reviewer" in fields:
        check_reviewer(current.lead_reviewer, current.academy)
    current.full_clean()
    if judgements is not None:
        changes.update(_set_judgements(current, judgements))
    if recommendations is not None:
        changes.update(_set_recommendations(current, recommendations))
    if not changes:
        return current
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    _record(current, E.EDITED, by, from_status=current.status, changes=changes)
    return current


def _set_recommendations(health_check, recommendations):
    """Returns the changes for the history: for each number, the recommendation it had before
    and has now (so a reorder, a removal and an addition are all kept), and each kept action's
    change of due date or owner."""
    existing = {str(a.uuid): a for a in health_check.actions.select_related("owner")}
    before = {a.number: a.recommendation for a in existing.values()}
    after, kept, changes = {}, set(), {}
    # Renumber in the order given: free the numbers first so the unique constraint holds.
    health_check.actions.update(number=F("number") + 1000)
    for number, item in enumerate(recommendations, start=1):
        item = dict(item)
        key = str(item.pop("uuid", "") or "")
        if key and key in existing:
            action = existing[key]
            kept.add(key)
            was = {"due on": in_words(action.due_on), "owner": action.owner_text}
            for name, value in item.items():
                setattr(action, name, value)
            check_owner(action.owner, health_check.academy)
            action.number = number
            action.full_clean(exclude=["health_check"])
            action.save()
            now = {"due on": in_words(action.due_on), "owner": action.owner_text}
            for name in was:
                if was[name] != now[name]:
                    changes[f"recommendation {number} {name}"] = [was[name], now[name]]
        else:
            action = _add_action(health_check, number, **item)
        after[number] = action.recommendation
    for key, action in existing.items():
        if key not in kept:
            action.delete()
    for number in sorted(set(before) | set(after)):
        if before.get(number, "") != after.get(number, ""):
            changes[f"recommendation {number}"] = [before.get(number, ""), after.get(number, "")]
    return changes


def _move(health_check, kind, by, *, reason="", **fields):
    """Take the step `kind` of MOVES, setting `fields` with it, as one conditional update: of two
    people acting at once, one moves the report and the other is told it has moved."""
    from_statuses, to_status = MOVES[kind]
    before = health_check.status
    if before not in from_statuses:
        needed = " or ".join(STATE[s] for s in dict.fromkeys(from_statuses))
        raise WorkflowError(f"This report is {STATE[before]}; this step needs it {needed}.")
    updated = HealthCheck.objects.filter(pk=health_check.pk, status__in=from_statuses).update(
        status=to_status, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if not updated:
        raise WorkflowError("Someone else has acted on this report: reload it to see where it is now.")
    health_check.refresh_from_db()
    _record(health_check, kind, by, from_status=before, reason=reason)
    return health_check


@transaction.atomic
def health_check_submit(*, health_check, by):
    """Send the report to the headteacher to check its facts."""
    require(by, "healthcheck.file", health_check.academy)
    if not health_check.key_findings.strip():
        raise WorkflowError("Write the key findings before submitting the report.")
    _move(health_check, E.SUBMITTED, by, submitted_at=timezone.now())
    alerts.health_check_submitted(health_check)
    return health_check


@transaction.atomic
def health_check_respond(*, health_check, by, response):
    """The headteacher's factual-accuracy response (may be 'no inaccuracies')."""
    require(by, "healthcheck.respond", health_check.academy)
    if not (response or "").strip():
        raise WorkflowError("Write your response: the facts you would correct, or that there are none.")
    _move(health_check, E.RESPONDED, by, reason=response, response=response, responded_by=by,
          responded_at=timezone.now())
    alerts.health_check_responded(health_check)
    return health_check


@transaction.atomic
def health_check_return(*, health_check, by, reason):
    """Back to draft, e.g. to rework after the response."""
    require(by, "healthcheck.file", health_check.academy)
    if not (reason or "").strip():
        raise WorkflowError("Say why the report goes back to draft.")
    _move(health_check, E.RETURNED, by, reason=reason)
    # The headteacher can no longer open it: take back the notice that asked them to.
    withdraw(dedupe_prefix=f"healthcheck:{health_check.uuid}:",
             still_sees=lambda user: HealthCheck.objects.visible_to(user).filter(pk=health_check.pk).exists())
    return health_check


@transaction.atomic
def health_check_publish(*, health_check, by):
    """Publish to the academy's headteacher and governors; the actions become live."""
    require(by, "healthcheck.file", health_check.academy)
    _move(health_check, E.PUBLISHED, by, published_by=by, published_at=timezone.now())
    actions = list(health_check.actions.select_related("owner"))
    alerts.health_check_published(health_check, actions)
    from .signals import health_check_published
    from .tasks import run_risk_rules

    health_check_published.send(sender=HealthCheck, health_check=health_check)
    enqueue_on_commit(run_risk_rules, [health_check.academy_id])  # e.g. safeguarding not met
    return health_check


@transaction.atomic
def action_update(*, action, by, status, commentary, reviewed_on=None, evidence=None, health_check=None):
    """Record progress on an action: a dated review with its status and commentary."""
    academy = action.health_check.academy
    require(by, "healthaction.update", academy)
    if action.health_check.status != S.PUBLISHED:
        raise WorkflowError("Actions are tracked once their report is published.")
    if status not in Action.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if not (commentary or "").strip():
        raise ValidationError({"commentary": "Say what has happened since the last review."})
    if health_check is not None and (
        health_check.academy_id != academy.pk or health_check.pk == action.health_check_id
    ):
        raise ValidationError("A later health check of the same academy reviews an action.")
    reviewed_on = reviewed_on or timezone.localdate()
    action = Action.objects.select_for_update().get(pk=action.pk)
    before = action.status
    action.status = status
    if evidence is not None:
        action.evidence = evidence
    if status == Action.Status.DONE and not action.completed_on:
        action.completed_on = reviewed_on
    elif status in Action.OPEN:
        action.completed_on = None
    action.save()
    review = ActionReview.objects.create(
        action=action,
        reviewed_on=reviewed_on,
        status=status,
        commentary=commentary,
        health_check=health_check,
        by=by,
    )
    _record(
        action.health_check,
        E.ACTION_UPDATED,
        by,
        from_status=action.health_check.status,
        reason=commentary,
        changes={f"action {action.number}": [before, status]},
    )
    return review


def overdue_actions(today):
    return (
        Action.objects.open()
        .filter(due_on__lt=today, health_check__status=S.PUBLISHED)
        .select_related("health_check__academy", "owner")
    )


def notify_overdue_actions(today=None):
    """Tell the people who must act about each action past its due date, once per due date.
    An action already told of for its due date is not told again, even to someone who took up
    a role since (they see it as overdue on its report). Returns how many actions were told of."""
    from trust.models import Notification

    today = today or timezone.localdate()
    actions = list(overdue_actions(today))
    keys = {f"action:{a.uuid}:overdue:{a.due_on.isoformat()}": a for a in actions}
    told = set(Notification.objects.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True))
    count = 0
    for key, action in keys.items():
        if key in told:
            continue
        with transaction.atomic():
            alerts.action_overdue(action)
        count += 1
    return count


@transaction.atomic
def visit_record(*, academy, by, visited_on, focus, notes, priority=None):
    require(by, "visit.record", academy)
    if priority is not None and priority.plan.academy_id != academy.pk:
        raise ValidationError({"priority": "Choose one of this academy's priorities."})
    visit = GovernorVisit(
        academy=academy, governor=by, visited_on=visited_on, focus=focus, notes=notes, priority=priority
    )
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def visit_edit(*, visit, by, **fields):
    """A governor changes their own record of a visit."""
    require(by, "visit.record", visit.academy)
    if visit.governor_id != by.pk:
        raise PermissionDenied
    priority = fields.get("priority")
    if priority is not None and priority.plan.academy_id != visit.academy_id:
        raise ValidationError({"priority": "Choose one of this academy's priorities."})
    for name in ("visited_on", "focus", "notes", "priority"):
        if name in fields:
            setattr(visit, name, fields[name])
    visit.full_clean()
    visit.save()
    return visit
