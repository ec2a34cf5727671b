"""The targets workflow: every step a target takes, who may take it, and what it records.

draft -> proposed (headteacher, executive or hub lead) -> reviewed (a governor records the LGB's
review) -> agreed (a trustee or executive records the Trust Board's decision and meeting date),
then locked: a change after agreement needs a reason. A proposed or reviewed target can be sent
back to draft with comments. Steps cannot be skipped; each is a conditional update on the
status it starts from, so two people taking the same step at once yield one decision.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from trust.access import scope_for
from trust.models import Role

from .models import Comparator, Result, Target, TargetEvent, TargetPolicy

S = Target.Status
# How a target's state reads in a sentence.
STATE = {S.DRAFT: "a draft", S.PROPOSED: "proposed", S.REVIEWED: "reviewed by the LGB",
         S.AGREED: "agreed by the Trust Board"}


class WorkflowError(ValidationError):
    """A step that cannot be taken now; the message says why."""


def _require(by, action, academy):
    if not scope_for(by).can(action, academy):
        raise PermissionDenied


def _record(target, action, by, *, from_status="", reason="", changes=None):
    return TargetEvent.objects.create(
        target=target, action=action, by=by, from_status=from_status, to_status=target.status,
        reason=reason, changes=changes or {},
    )


def _move(target, *, from_statuses, to_status, by, action, reason="", **fields):
    """Take a step if the target is still where it was: one decision even when two people act."""
    before = target.status
    if before not in from_statuses:
        needed = " or ".join(STATE[status] for status in dict.fromkeys(from_statuses))
        raise WorkflowError(f"This target is {STATE[before]}; this step needs it {needed}.")
    updated = Target.objects.filter(pk=target.pk, status__in=from_statuses).update(status=to_status, **fields)
    if not updated:
        target.refresh_from_db(fields=["status", "agreed_by", "agreed_at"])
        raise WorkflowError(
            f"This target is now {target.get_status_display().lower()}: someone else has acted on it. "
            "Reload the page to see its current state."
        )
    target.refresh_from_db()
    target.last_event = _record(target, action, by, from_status=before, reason=reason)
    return target


def _notify(users, kind, title, body, target, key):
    from trust.notifications import notify

    notify(users=users, kind=kind, title=title, body=body, academy=target.academy,
           url=reverse("academies:targets", kwargs={"urn": target.academy.urn}),
           dedupe_key=f"target:{target.uuid}:{key}")


def _people(roles, academy):
    from trust.notifications import people_with_roles

    return people_with_roles(roles, academy=academy)


EDITABLE = ("measure", "pupil_group", "year_group", "subject", "value", "rationale", "standard")


@transaction.atomic
def target_create(*, academy, academic_year, measure, value, by, pupil_group="all", year_group="",
                  subject="", rationale="", standard=None):
    _require(by, "target.edit", academy)
    target = Target(
        academy=academy, academic_year=academic_year, measure=measure, value=value,
        pupil_group=pupil_group, year_group=year_group, subject=subject, rationale=rationale,
        standard=standard, created_by=by,
    )
    target.full_clean()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # someone added the same target a moment ago
        raise WorkflowError(
            "This academy already has a target for this figure this year: edit that one instead."
        ) from None
    _record(target, TargetEvent.Action.CREATED, by)
    return target


@transaction.atomic
def target_edit(*, target, by, **fields):
    """Change a draft. A proposed target goes back to draft first; an agreed one is amended."""
    _require(by, "target.edit", target.academy)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if target.status != S.DRAFT:
        raise WorkflowError("Only a draft can be edited: return it to draft, or amend it if agreed.")
    changes = _apply(target, fields)
    target.full_clean()
    target.save()
    if changes:
        _record(target, TargetEvent.Action.EDITED, by, from_status=S.DRAFT, changes=changes)
    return target


def _apply(target, fields):
    changes = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(f"{name} is not an editable field of a target")
        old = getattr(target, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(target, name, value)
    return changes


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 70, not 7E+1
    return str(value) if value is not None else None


@transaction.atomic
def target_propose(*, target, by):
    _require(by, "target.edit", target.academy)
    target = _move(target, from_statuses=[S.DRAFT], to_status=S.PROPOSED, by=by,
                   action=TargetEvent.Action.PROPOSED, proposed_by=by, proposed_at=timezone.now())
    # Inside the step's transaction: the alert is stored with the change or not at all, and its
    # email goes after commit.
    _notify(
        _people([Role.GOVERNOR], target.academy), "target.review_needed",
        f"Targets to review: {target.academy.name}",
        f"{target.measure} ({target.academic_year}) has been proposed and awaits the LGB's review.",
        target, f"proposed:{target.last_event.pk}",  # proposed again, told again
    )
    return target


@transaction.atomic
def target_review(*, target, by, comments):
    _require(by, "target.review", target.academy)
    if not comments.strip():
        raise WorkflowError("Record the LGB's comments on the target (what it discussed and concluded).")
    target = _move(target, from_statuses=[S.PROPOSED], to_status=S.REVIEWED, by=by,
                   action=TargetEvent.Action.REVIEWED, reason=comments, reviewed_by=by,
                   reviewed_at=timezone.now(), lgb_comments=comments)
    _notify(
        _people([Role.TRUSTEE, Role.EXECUTIVE], target.academy), "target.decision_needed",
        f"Targets for the Trust Board: {target.academy.name}",
        f"{target.measure} ({target.academic_year}) has been reviewed by the LGB and awaits the board.",
        target, f"reviewed:{target.last_event.pk}",
    )
    return target


@transaction.atomic
def target_return(*, target, by, comments):
    """Send a target back to draft: governors from proposed, the board from reviewed."""
    scope = scope_for(by)
    allowed = []
    if scope.can("target.review", target.academy):
        allowed.append(S.PROPOSED)
    if scope.can("target.agree", target.academy):
        allowed.append(S.REVIEWED)
    if scope.can("target.edit", target.academy):
        allowed.append(S.PROPOSED)
    if not allowed:
        raise PermissionDenied
    if not comments.strip():
        raise WorkflowError("Say why the target goes back to draft.")
    return _move(target, from_statuses=allowed, to_status=S.DRAFT, by=by,
                 action=TargetEvent.Action.RETURNED, reason=comments)


@transaction.atomic
def target_agree(*, target, by, meeting, minute=""):
    _require(by, "target.agree", target.academy)
    if meeting is None:
        raise WorkflowError("Give the date of the Trust Board meeting that agreed the target.")
    if meeting > timezone.localdate():
        raise WorkflowError("The board meeting cannot be in the future: record the decision after it.")
    return _move(target, from_statuses=[S.REVIEWED], to_status=S.AGREED, by=by,
                 action=TargetEvent.Action.AGREED, agreed_by=by, agreed_at=timezone.now(),
                 board_meeting=meeting, board_minute=minute)


def targets_agree(*, targets, by, meeting, minute=""):
    """The board agrees many at once (a meeting's list). Returns (agreed, [(target, why)])."""
    agreed, refused = [], []
    for target in targets:
        try:
            agreed.append(target_agree(target=target, by=by, meeting=meeting, minute=minute))
        except (WorkflowError, PermissionDenied) as error:
            refused.append((target, _message(error)))
    return agreed, refused


def _message(error):
    if isinstance(error, PermissionDenied):
        return "you may not agree targets of this academy"
    return " ".join(error.messages)


@transaction.atomic
def target_amend(*, target, by, reason, **fields):
    """Change an agreed target: the reason, who and when are kept in its history."""
    _require(by, "target.amend", target.academy)
    if not reason.strip():
        raise WorkflowError("A change to an agreed target needs a reason.")
    target = Target.objects.select_for_update().get(pk=target.pk)
    if target.status != S.AGREED:
        raise WorkflowError("Only an agreed target is amended; edit a draft instead.")
    changes = _apply(target, fields)
    if not changes:
        raise WorkflowError("Nothing was changed.")
    target.full_clean()
    target.save()
    _record(target, TargetEvent.Action.AMENDED, by, from_status=S.AGREED, reason=reason, changes=changes)
    return target


def target_suggestions(*, academy, academic_year, measure, pupil_group="all", year_group="", subject=""):
    """Values to start from: last year's result, the national figure, and last year's result
    plus the trust's default challenge (in the better direction)."""
    previous = academic_year.start_year - 1
    last = (Result.objects.filter(
        academy=academy, measure=measure, pupil_group=pupil_group, year_group=year_group,
        subject=subject, academic_year__start_year=previous, value__isnull=False,
    ).order_by("-source", "-term").values_list("value", flat=True).first())
    national = Comparator.objects.filter(
        area="national", measure=measure, pupil_group=pupil_group, year_group=year_group,
        subject=subject, academic_year__start_year__lte=previous, value__isnull=False,
    ).order_by("-academic_year__start_year").values_list("value", flat=True).first()
    policy = TargetPolicy.for_trust(academy.trust)
    challenge = None
    if last is not None:
        step = policy.default_challenge
        if measure.higher_is_better is False:
            step = -step
        challenge = last + step
        if measure.unit == "percent":
            challenge = min(Decimal(100), max(Decimal(0), challenge))
    return {"last_year": last, "national": national, "challenge": challenge}


def agreement_deadline(academy_year, trust):
    return TargetPolicy.for_trust(trust).deadline(academy_year)


def is_overdue(target, today=None, policy=None):
    """Not agreed by the board's deadline for its year."""
    today = today or timezone.localdate()
    policy = policy or TargetPolicy.for_trust(target.academy.trust)
    return target.status != S.AGREED and today > policy.deadline(target.academic_year)


def deadline_reminders(*, today=None, days_before=14):
    """Tell the board (trustees and executives) about targets not yet agreed as the deadline
    nears, once a week per academy; returns how many academies were flagged."""
    from trust.models import AcademicYear, Trust

    today = today or timezone.localdate()
    trust = Trust.current()
    if trust is None:
        return 0
    year = AcademicYear.for_date(today)
    deadline = TargetPolicy.for_trust(trust).deadline(year)
    window = (deadline - datetime.timedelta(days=days_before), deadline + datetime.timedelta(days=28))
    if not window[0] <= today <= window[1]:
        return 0
    pending = (Target.objects.filter(academic_year=year).exclude(status=S.AGREED)
               .select_related("academy", "measure"))
    by_academy = {}
    for target in pending:
        by_academy.setdefault(target.academy, []).append(target)
    week = today.isocalendar()
    for academy, targets in by_academy.items():
        late = today > deadline
        from trust.notifications import notify

        notify(
            users=_people([Role.TRUSTEE, Role.EXECUTIVE], academy), kind="target.deadline",
            title=(f"{academy.name}: {len(targets)} targets not agreed"
                   + (" after the board's deadline" if late else f" by {deadline:%d %B}")),
            body=(f"{len(targets)} of {academy.name}'s targets for {year} are not yet agreed by the "
                  "Trust Board."),
            url=reverse("academies:targets", kwargs={"urn": academy.urn}), academy=academy,
            dedupe_key=f"deadline:{academy.urn}:{year.start_year}:{week.year}-{week.week}",
        )
    return len(by_academy)
