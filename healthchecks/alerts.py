"""Who hears about health checks, actions and risks, and what they are told.

Every alert is written with `trust.notifications.notify` inside the transaction of the change
that caused it, with a key naming the event, so it exists exactly when its cause does, reaches
each person once, and is emailed (or put in their digest) after commit by Celery.
"""

from django.urls import reverse

from trust.models import Membership, Role, User
from trust.notifications import notify, people_with_roles

TRUST_STAFF = (Role.EXECUTIVE, Role.SIEL, Role.HUB_LEAD)


def chairs_of(academy):
    """The chair (or chairs) of the academy's local governing board."""
    return User.objects.filter(
        memberships__in=Membership.objects.filter(role=Role.GOVERNOR, academy=academy, lgb_chair=True),
        is_active=True,
    )


def risk_recipients(risk):
    """The owner, the executives, the School Improvement Executive Lead, the hub lead, and for a
    shared risk about an academy the chair of its governors."""
    people = {u.pk: u for u in people_with_roles(TRUST_STAFF, academy=risk.academy)}
    if risk.owner_id and risk.owner.is_active:
        people.setdefault(risk.owner_id, risk.owner)
    if risk.academy_id and not risk.is_trust_only:
        for chair in chairs_of(risk.academy):
            people.setdefault(chair.pk, chair)
    return list(people.values())


def risk_url(risk):
    return reverse("healthchecks:risk", kwargs={"uuid": risk.uuid})


def _where(risk):
    return risk.academy.name if risk.academy_id else "the trust"


def risk_raised(risk, *, by_rule=False):
    how = "A rule over the data raised" if by_rule else "A new risk was raised for"
    notify(
        users=risk_recipients(risk),
        kind="risk.raised",
        academy=risk.academy,
        url=risk_url(risk),
        title=f"{risk.reference}: new {risk.get_rag_display().lower()} risk, {_where(risk)}",
        body=f"{how} {_where(risk)}: {risk.title} ({risk.get_category_display()}). "
        f"Score {risk.score} ({risk.likelihood_label.lower()} x {risk.impact_label.lower()}).",
        dedupe_key=f"risk:{risk.uuid}:raised",
    )


def risk_changed(risk, *, before_score, before_rag, reason, event_id):
    direction = "up" if risk.score > before_score else "down"
    rag_text = f", {before_rag} to {risk.rag}" if before_rag != risk.rag else ""
    notify(
        users=risk_recipients(risk),
        kind="risk.changed",
        academy=risk.academy,
        url=risk_url(risk),
        title=f"{risk.reference}: score {direction} from {before_score} to {risk.score}{rag_text}",
        body=f"{risk.title}, {_where(risk)}. Why: {reason}",
        dedupe_key=f"risk:{risk.uuid}:changed:{event_id}",
    )


def risk_closed(risk, *, reason, event_id):
    notify(
        users=risk_recipients(risk),
        kind="risk.closed",
        academy=risk.academy,
        url=risk_url(risk),
        title=f"{risk.reference} closed: {risk.title}",
        body=f"{_where(risk).capitalize() if not risk.academy_id else _where(risk)}. Why: {reason}",
        dedupe_key=f"risk:{risk.uuid}:closed:{event_id}",
    )


def risk_review_overdue(risk):
    notify(
        users=risk_recipients(risk),
        kind="risk.review_overdue",
        academy=risk.academy,
        url=risk_url(risk),
        title=f"{risk.reference}: review overdue since {risk.next_review_on:%-d %B %Y}",
        body=f"{risk.title}, {_where(risk)}. It is reviewed {risk.get_review_frequency_display().lower()}.",
        dedupe_key=f"risk:{risk.uuid}:review_overdue:{risk.next_review_on.isoformat()}",
    )


def health_check_url(health_check):
    return reverse("healthchecks:detail", kwargs={"uuid": health_check.uuid})


def health_check_submitted(health_check):
    notify(
        users=people_with_roles([Role.HEADTEACHER], academy=health_check.academy),
        kind="healthcheck.submitted",
        academy=health_check.academy,
        url=health_check_url(health_check),
        title=f"Health-check report for {health_check.academy.name}: please check its facts",
        body=f"The report of the visit on {health_check.visit_text} awaits your factual-accuracy response.",
        dedupe_key=f"healthcheck:{health_check.uuid}:submitted:{health_check.version}",
    )


def health_check_responded(health_check):
    people = {u.pk: u for u in people_with_roles([Role.SIEL], academy=health_check.academy)}
    people.setdefault(health_check.lead_reviewer_id, health_check.lead_reviewer)
    notify(
        users=people.values(),
        kind="healthcheck.responded",
        academy=health_check.academy,
        url=health_check_url(health_check),
        title=f"{health_check.academy.name} has responded to its health-check report",
        body="The headteacher's factual-accuracy response is on the report; it can now be published.",
        dedupe_key=f"healthcheck:{health_check.uuid}:responded:{health_check.version}",
    )


def health_check_published(health_check, actions):
    academy = health_check.academy
    people = {u.pk: u for u in people_with_roles((*TRUST_STAFF, Role.HEADTEACHER), academy=academy)}
    for chair in chairs_of(academy):
        people.setdefault(chair.pk, chair)
    for action in actions:
        if action.owner_id:
            people.setdefault(action.owner_id, action.owner)
    count = len(actions)
    notify(
        users=people.values(),
        kind="healthcheck.published",
        academy=academy,
        url=health_check_url(health_check),
        title=f"Health-check report published: {academy.name}",
        body=f"{health_check.get_kind_display()} of {health_check.visit_text}, with "
        f"{count} recommendation{'s' if count != 1 else ''} to act on.",
        dedupe_key=f"healthcheck:{health_check.uuid}:published",
    )


def action_overdue(action):
    health_check = action.health_check
    academy = health_check.academy
    people = {
        u.pk: u for u in people_with_roles((Role.SIEL, Role.HUB_LEAD, Role.HEADTEACHER), academy=academy)
    }
    if action.owner_id and action.owner.is_active:
        people.setdefault(action.owner_id, action.owner)
    notify(
        users=people.values(),
        kind="action.overdue",
        academy=academy,
        url=health_check_url(health_check),
        title=f"Health-check action overdue at {academy.name}",
        body=f"{action.number}. {action.recommendation} (owner: {action.owner_text}; "
        f"due {action.due_on:%-d %B %Y}).",
        dedupe_key=f"action:{action.uuid}:overdue:{action.due_on.isoformat()}",
    )
