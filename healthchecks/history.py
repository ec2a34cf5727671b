"""What of a report's or a risk's history each reader may see.

The trust keeps every edit with its before and after, including those made while a report was
a draft or a risk was trust-only. Those are the trust's working: an academy's headteacher and
governors read only the steps that reached them (a report's submission, the response, its
return and publication, progress on actions), without the edits' content, and a risk's history
only from when it was shared with them.
"""

from trust.access import scope_for

from .models import HealthCheckEvent, Visibility

E = HealthCheckEvent.Kind
# The steps an academy reads, and whether it reads the reason given (its own response, and the
# progress commentary it can read on the actions anyway).
ACADEMY_STEPS = {E.SUBMITTED: False, E.RESPONDED: True, E.RETURNED: False, E.PUBLISHED: False,
                 E.ACTION_UPDATED: True}


def reads_trust_working(user, academy):
    """Trust-wide roles, and the hub lead of the academy's hub, read the whole history."""
    scope = scope_for(user)
    if scope.trust_roles:
        return True
    return academy is not None and bool(scope.hub_roles.get(academy.hub_id))


def report_events(report, user, events=None):
    """The report's history as `user` may read it, oldest first."""
    events = list(report.events.select_related("by")) if events is None else list(events)
    if reads_trust_working(user, report.academy):
        return events
    shown = []
    for event in events:
        if event.kind not in ACADEMY_STEPS:
            continue
        event.changes = {} if event.kind != E.ACTION_UPDATED else event.changes
        if not ACADEMY_STEPS[event.kind]:
            event.reason = ""
        shown.append(event)
    return shown


def risk_events(risk, user, events=None):
    """The risk's history as `user` may read it: an academy role reads only what happened while
    the risk was shared with the academy. Walking back from now, the visibility before each
    change of it is the change's "before"."""
    events = list(risk.events.select_related("by")) if events is None else list(events)
    if reads_trust_working(user, risk.academy):
        return events
    shared = risk.visibility == Visibility.SHARED
    shown = []
    for event in reversed(events):
        if shared:
            shown.append(event)
        change = event.changes.get("visibility") if isinstance(event.changes, dict) else None
        if isinstance(change, list) and change:
            shared = change[0] in (Visibility.SHARED, Visibility.SHARED.label)
    shown.reverse()
    for event in shown:
        if isinstance(event.changes, dict) and "visibility" in event.changes:
            # The change that shared it: its "before" values are the trust-only past.
            event.changes = {}
    return shown
