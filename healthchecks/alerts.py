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


def _each_once(*groups):
    """Everyone in `groups`, in the order first named, each once: an owner who is also an
    executive is told once."""
    people = {}
    for group in groups:
        for user in group:
            people.setdefault(user.pk, user)
    return list(people.values())


def _active_owner(thing):
    return [thing.owner] if thing.owner_id and thing.owner.is_active else []


def _tell(users, kind, about, *, academy, url, title, body, once_per=None):
    """Tell `users` of one event, `kind` (e.g. "risk.closed"), about the risk, report or action
    `about`. Its key names the object and the event, and `once_per` for an event that may come
    again (the version, the history entry, the due date), so that each person is told once."""
    what, event = kind.split(".")
    key = f"{what}:{about.uuid}:{event}" + (f":{once_per}" if once_per is not None else "")
    notify(users=users, kind=kind, academy=academy, url=url, title=title, body=body, dedupe_key=key)


def risk_recipients(risk):
    """The owner, the executives, the School Improvement Executive Lead, the hub lead, and for a
    shared risk about an academy the chair of its governors."""
    chairs = chairs_of(risk.academy) if risk.academy_id and not risk.is_trust_only else []
    return _each_once(people_with_roles(TRUST_STAFF, academy=risk.academy), _active_owner(risk), chairs)


def risk_url(risk):
    return reverse("healthchecks:risk", kwargs={"uuid": risk.uuid})


def _where(risk):
    return risk.academy.name if risk.academy_id else "the trust"


def _tell_risk(risk, event, *, title, body, once_per=None):
    """Every event of a risk reaches the same people and links to the risk."""
    _tell(risk_recipients(risk), f"risk.{event}", risk, academy=risk.academy, url=risk_url(risk),
          title=title, body=body, once_per=once_per)


def risk_raised(risk, *, by_rule=False):
    how = "A rule over the data raised" if by_rule else "A new risk was raised for"
    _tell_risk(
        risk, "raised",
        title=f"{risk.reference}: new {risk.get_rag_display().lower()} risk, {_where(risk)}",
        body=f"{how} {_where(risk)}: {risk.title} ({risk.get_category_display()}). "
        f"Score {risk.score} ({risk.likelihood_label.lower()} x {risk.impact_label.lower()}).",
    )


def risk_changed(risk, *, before_score, before_rag, reason, event_id):
    direction = "up" if risk.score > before_score else "down"
    rag_text = f", {before_rag} to {risk.rag}" if before_rag != risk.rag else ""
    _tell_risk(
        risk, "changed", once_per=event_id,
        title=f"{risk.reference}: score {direction} from {before_score} to {risk.score}{rag_text}",
        body=f"{risk.title}, {_where(risk)}. Why: {reason}",
    )


def risk_closed(risk, *, reason, event_id):
    _tell_risk(
        risk, "closed", once_per=event_id,
        title=f"{risk.reference} closed: {risk.title}",
        body=f"{_where(risk).capitalize() if not risk.academy_id else _where(risk)}. Why: {reason}",
    )


def risk_review_overdue(risk):
    _tell_risk(
        risk, "review_overdue", once_per=risk.next_review_on.isoformat(),
        title=f"{risk.reference}: review overdue since {risk.next_review_on:%-d %B %Y}",
        body=f"{risk.title}, {_where(risk)}. It is reviewed {risk.get_review_frequency_display().lower()}.",
    )


def health_check_url(health_check):
    return reverse("healthchecks:detail", kwargs={"uuid": health_check.uuid})


def _tell_report(health_check, event, users, *, title, body, once_per=None):
    """Every event of a report links to the report."""
    _tell(users, f"healthcheck.{event}", health_check, academy=health_check.academy,
          url=health_check_url(health_check), title=title, body=body, once_per=once_per)


def health_check_submitted(health_check):
    _tell_report(
        health_check, "submitted", people_with_roles([Role.HEADTEACHER], academy=health_check.academy),
        once_per=health_check.version,
        title=f"Health-check report for {health_check.academy.name}: please check its facts",
        body=f"The report of the visit on {health_check.visit_text} awaits your factual-accuracy response.",
    )


def health_check_responded(health_check):
    people = _each_once(people_with_roles([Role.SIEL], academy=health_check.academy),
                        [health_check.lead_reviewer])
    _tell_report(
        health_check, "responded", people, once_per=health_check.version,
        title=f"{health_check.academy.name} has responded to its health-check report",
        body="The headteacher's factual-accuracy response is on the report; it can now be published.",
    )


def health_check_published(health_check, actions):
    academy = health_check.academy
    people = _each_once(
        people_with_roles((*TRUST_STAFF, Role.HEADTEACHER), academy=academy), chairs_of(academy),
        [action.owner for action in actions if action.owner_id],
    )
    count = len(actions)
    _tell_report(
        health_check, "published", people,
        title=f"Health-check report published: {academy.name}",
        body=f"{health_check.get_kind_display()} of {health_check.visit_text}, with "
        f"{count} recommendation{'s' if count != 1 else ''} to act on.",
    )


def action_overdue(action):
    health_check = action.health_check
    academy = health_check.academy
    staff = people_with_roles((*TRUST_STAFF, Role.HEADTEACHER), academy=academy)
    people = _each_once(staff, _active_owner(action))
    _tell(
        people, "action.overdue", action, academy=academy, url=health_check_url(health_check),
        once_per=action.due_on.isoformat(),
        title=f"Health-check action overdue at {academy.name}",
        body=f"{action.number}. {action.recommendation} (owner: {action.owner_text}; "
        f"due {action.due_on:%-d %B %Y}).",
    )
