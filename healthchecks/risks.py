"""Every write to the risk register: raising, changing, reviewing, closing and reopening a
risk, each kept in its history with who (or which rule or task), when and why, and each alert
written in the same transaction.

A change after a risk is raised needs a reason. An edit names the version it was made from, so
a stale save is refused rather than overwriting someone's work.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from trust.access import require, scope_for
from trust.notifications import withdraw

from . import alerts
from .models import Risk, RiskEvent, Visibility
from .services import StaleEdit, WorkflowError, check_fields, in_words, set_changes

E = RiskEvent.Kind
EDITABLE = (
    "category",
    "title",
    "description",
    "likelihood",
    "impact",
    "owner",
    "mitigations",
    "review_frequency",
    "next_review_on",
    "visibility",
)


def _require(by, academy):
    require(by, "risk.change", academy)


def can_see(user, academy, visibility):
    """Whether `user` may see a risk about `academy` (None: the trust) with `visibility`."""
    scope = scope_for(user)
    if scope.trust_roles:
        return True
    if academy is None:
        return False
    if scope.hub_roles.get(academy.hub_id):
        return True
    return visibility == Visibility.SHARED and bool(scope.academy_roles.get(academy.pk))


def _check_owner(risk):
    if risk.owner_id is not None and (
        not risk.owner.is_active or not can_see(risk.owner, risk.academy, risk.visibility)
    ):
        raise ValidationError(
            {"owner": "Choose an owner who can see this risk (a trust-only risk needs someone at the trust)."}
        )


def _record(risk, kind, by=None, *, by_task="", reason="", changes=None):
    return RiskEvent.objects.create(
        risk=risk, kind=kind, by=by, by_task=by_task, reason=reason, changes=changes or {}
    )


def _signal(risk):
    from .signals import risk_changed

    risk_changed.send(sender=Risk, risk=risk)


@transaction.atomic
def risk_raise(*, by, academy=None, reason="", **fields):
    """A new open risk. Without `next_review_on`, the first review falls one review period on."""
    _require(by, academy)
    check_fields(fields, EDITABLE, "a risk")
    risk = Risk(academy=academy, raised_by=by, **fields)
    if academy is None:
        risk.visibility = Visibility.TRUST_ONLY
    if not risk.next_review_on:
        risk.next_review_on = risk.next_review_after(timezone.localdate())
    risk.full_clean(exclude=["reference"])
    _check_owner(risk)
    risk.save()
    _record(risk, E.RAISED, by, reason=reason)
    alerts.risk_raised(risk)
    _signal(risk)
    return risk


def raise_from_rule(*, rule, academy, key, title, description, evidence):
    """A risk raised by a rule, unless that rule has raised it before (the same key) or already
    has an open risk about the academy. Returns the risk, or None. Safe under concurrency: the
    database refuses a second risk with the same rule, academy and key."""
    if (
        Risk.objects.filter(rule=rule, academy=academy).filter(status=Risk.Status.OPEN).exists()
        or Risk.objects.filter(rule=rule, academy=academy, rule_key=key).exists()
    ):
        return None
    risk = Risk(
        academy=academy,
        rule=rule,
        rule_key=key,
        category=rule.category,
        title=title,
        description=description,
        evidence=evidence,
        likelihood=rule.likelihood,
        impact=rule.impact,
        visibility=rule.visibility,
        review_frequency=rule.review_frequency,
    )
    risk.next_review_on = risk.next_review_after(timezone.localdate())
    try:
        with transaction.atomic():
            risk.save()
            _record(
                risk,
                E.RAISED_BY_RULE,
                by_task=f"Rule: {rule.name}",
                reason="The data met the rule; the evidence is on the risk.",
            )
            alerts.risk_raised(risk, by_rule=True)
            _signal(risk)
    except IntegrityError:  # raised a moment ago by another run
        return None
    return risk


def _locked(risk, version):
    # Lock the risk's row only: PostgreSQL cannot lock the nullable side of an outer join.
    current = (
        Risk.objects.select_for_update(of=("self",)).select_related("academy", "owner").get(pk=risk.pk)
    )
    if version is not None and int(version) != current.version:
        raise StaleEdit(
            "Someone else changed this risk since you opened it. Your changes were not saved: reload "
            "it to see theirs, then make yours again."
        )
    return current


def _update(current, **fields):
    """Write `fields` in one statement that also moves the version on; `current` is read again."""
    Risk.objects.filter(pk=current.pk).update(version=F("version") + 1, updated_at=timezone.now(), **fields)
    current.refresh_from_db()


@transaction.atomic
def risk_change(*, risk, by, reason, version=None, **fields):
    """Change a risk's details, with the reason. Alerts when the score or RAG moves."""
    _require(by, risk.academy)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the risk is changing: it goes in its history."})
    current = _locked(risk, version)
    before_score, before_rag = current.score, current.rag
    if current.academy_id is None and "visibility" in fields:
        # A trust-level risk is always trust-only: asking to share it changes nothing.
        fields["visibility"] = Visibility.TRUST_ONLY
    changes = set_changes(current, fields, EDITABLE, "a risk")
    if current.academy_id is None:
        current.visibility = Visibility.TRUST_ONLY
    if not changes:
        return current
    current.full_clean(exclude=["reference"])
    if "owner" in changes or "visibility" in changes:
        _check_owner(current)
    current.derive()
    if current.score != before_score:
        changes["score"] = [str(before_score), str(current.score)]
    if current.rag != before_rag:
        changes["rag"] = [before_rag, current.rag]
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    event = _record(current, E.CHANGED, by, reason=reason, changes=changes)
    if "visibility" in changes and current.is_trust_only:
        # Kept to the trust from now: what the academy's people were told about it is taken back.
        withdraw(dedupe_prefix=f"risk:{current.uuid}:",
                 still_sees=lambda user: can_see(user, current.academy, current.visibility))
    if current.score != before_score or current.rag != before_rag:
        alerts.risk_changed(
            current, before_score=before_score, before_rag=before_rag, reason=reason, event_id=event.pk
        )
    _signal(current)
    return current


@transaction.atomic
def risk_review(*, risk, by, commentary, reviewed_on=None, version=None):
    """A review: the risk was looked at; the next review follows its frequency."""
    _require(by, risk.academy)
    if not (commentary or "").strip():
        raise ValidationError({"commentary": "Say what the review found."})
    current = _locked(risk, version)
    if not current.is_open:
        raise WorkflowError("A closed risk is not reviewed: reopen it first.")
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "A review cannot be in the future."})
    next_on = current.next_review_after(reviewed_on)
    changes = {"next_review_on": [in_words(current.next_review_on), in_words(next_on)]}
    _update(current, last_reviewed_on=reviewed_on, next_review_on=next_on)
    _record(current, E.REVIEWED, by, reason=commentary, changes=changes)
    return current


@transaction.atomic
def risk_close(*, risk, by, reason, version=None):
    _require(by, risk.academy)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the risk is closed."})
    current = _locked(risk, version)
    if not current.is_open:
        raise WorkflowError("This risk is already closed.")
    _update(current, status=Risk.Status.CLOSED, closed_on=timezone.localdate())
    event = _record(current, E.CLOSED, by, reason=reason, changes={"status": ["open", "closed"]})
    alerts.risk_closed(current, reason=reason, event_id=event.pk)
    _signal(current)
    return current


@transaction.atomic
def risk_reopen(*, risk, by, reason, version=None):
    _require(by, risk.academy)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the risk is reopened."})
    current = _locked(risk, version)
    if current.is_open:
        raise WorkflowError("This risk is already open.")
    _update(current, status=Risk.Status.OPEN, closed_on=None,
            next_review_on=current.next_review_after(timezone.localdate()))
    _record(current, E.REOPENED, by, reason=reason, changes={"status": ["closed", "open"]})
    _signal(current)
    return current


def notify_overdue_reviews(today=None):
    """Daily: each open risk past its review date is noted in its history and its people told,
    once per review date however often this runs."""
    today = today or timezone.localdate()
    count = 0
    for risk in Risk.objects.review_overdue(today).select_related("academy", "owner"):
        with transaction.atomic():
            due = risk.next_review_on.isoformat()
            if RiskEvent.objects.filter(
                risk=risk, kind=E.REVIEW_OVERDUE, changes__review_due_on__0=due
            ).exists():
                continue
            _record(
                risk,
                E.REVIEW_OVERDUE,
                by_task="Daily review check",
                changes={"review_due_on": [due, "not recorded"]},
                reason=f"The review due on {risk.next_review_on:%-d %B %Y} has not been recorded.",
            )
            alerts.risk_review_overdue(risk)
            count += 1
    return count
