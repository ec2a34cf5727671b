"""Every write to tiers: definitions, decisions, recommendations, the support schedule and log,
capacity and baselines.

A tier assignment moves proposed -> agreed (or declined, or withdrawn). Each step is a
conditional update on the state it starts from, so two trustees recording the board's decision at
once yield one decision; an edit names the version it was made from, so a stale save is refused.
Every step is kept in the assignment's history. The engine's recommendation never changes an
agreed tier: only a board decision recorded here does.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from academies.models import Academy
from healthchecks.alerts import chairs_of
from healthchecks.services import StaleEdit, WorkflowError
from trust.access import require
from trust.models import AcademicYear, Role
from trust.notifications import notify, people_with_roles

from . import engine, schedule
from .models import (
    BaselineAssessment,
    Descriptor,
    Entitlement,
    SupportItem,
    SupportKind,
    SupportLogEntry,
    TierAssignment,
    TierDefinition,
    TierEvent,
    TierRecommendation,
)
from .seed import seed_definitions

S = TierAssignment.Status
E = TierEvent.Action


# Definitions


def definitions_for(year):
    """The four tier definitions of `year` (an AcademicYear), created on first use as a copy of
    the latest earlier year's, or in the product's default wording for a trust's first year."""
    found = list(TierDefinition.objects.filter(academic_year=year).order_by("number"))
    if len(found) == 4:
        return found
    with transaction.atomic():
        # The year's row is the lock: two first views of a new year seed it once.
        AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
        if not TierDefinition.objects.filter(academic_year=year).exists():
            source = (
                AcademicYear.objects.filter(start_year__lt=year.start_year, tier_definitions__isnull=False)
                .order_by("-start_year")
                .first()
            )
            if source is None:
                seed_definitions(year)
            else:
                copy_definitions(source, year)
    return list(TierDefinition.objects.filter(academic_year=year).order_by("number"))


def copy_definitions(source, target):
    for definition in TierDefinition.objects.filter(academic_year=source).prefetch_related(
        "descriptors", "entitlements"
    ):
        copy = TierDefinition.objects.create(
            academic_year=target,
            number=definition.number,
            name=definition.name,
            led_by=definition.led_by,
            summary=definition.summary,
        )
        Descriptor.objects.bulk_create(
            Descriptor(definition=copy, area=d.area, text=d.text, order=d.order)
            for d in definition.descriptors.all()
        )
        Entitlement.objects.bulk_create(
            Entitlement(
                definition=copy, kind=e.kind, cadence=e.cadence, description=e.description, order=e.order
            )
            for e in definition.entitlements.all()
        )


@transaction.atomic
def definition_update(definition, *, by, version, name, led_by, summary, descriptors, entitlements):
    """Replace one tier's wording and support for its year. `descriptors`: [(area, text)];
    `entitlements`: [(kind, cadence, description)]. Refused when someone saved since `version`.
    The schedules of academies agreed into the tier this year are brought up to date."""
    require(by, "tier.define")
    kinds = [kind for kind, _, _ in entitlements]
    if len(kinds) != len(set(kinds)):
        raise ValidationError({"entitlements": "Each kind of support appears once per tier."})
    if not name.strip():
        raise ValidationError({"name": "Give the tier a name."})
    updated = TierDefinition.objects.filter(pk=definition.pk, version=version).update(
        name=name.strip(), led_by=led_by, summary=summary, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEdit(
            "Someone saved this tier since you opened it. Reload it to see their changes, then edit again."
        )
    definition.descriptors.all().delete()
    Descriptor.objects.bulk_create(
        Descriptor(definition=definition, area=area, text=text.strip(), order=i)
        for i, (area, text) in enumerate(descriptors)
        if text.strip()
    )
    definition.entitlements.all().delete()
    Entitlement.objects.bulk_create(
        Entitlement(definition=definition, kind=kind, cadence=cadence, description=text.strip(), order=i)
        for i, (kind, cadence, text) in enumerate(entitlements)
    )
    today = timezone.localdate()
    for assignment in TierAssignment.objects.agreed().filter(
        academic_year=definition.academic_year, tier=definition.number
    ):
        regenerate_schedule(assignment, from_day=today)
    definition.refresh_from_db()
    return definition


# Decisions


def agreed_for(academy, year):
    return TierAssignment.objects.agreed().filter(academy=academy, academic_year=year).first()


def _record(assignment, action, by, *, from_status="", reason="", changes=None):
    return TierEvent.objects.create(
        assignment=assignment,
        action=action,
        by=by,
        from_status=from_status,
        to_status=assignment.status,
        reason=reason,
        changes=changes or {},
    )


def _evidence_links(recommendation):
    """Links to the evidence the engine read, from its trace: what a proposal points the board at."""
    links = []
    if recommendation is None:
        return links
    for line in recommendation.trace:
        if line.get("url") and line.get("status") in (engine.Status.INDICATED, engine.Status.CLEAR):
            links.append(
                {"label": f"{line['name']}: {line.get('evidence') or line.get('value')}", "url": line["url"]}
            )
    return links


def _check_tier(tier):
    if tier not in (1, 2, 3, 4):
        raise ValidationError({"tier": "Choose a tier from 1 (Lead) to 4 (Stabilise)."})


def _check_links(links):
    for link in links:
        url = str(link.get("url", ""))
        if not url.startswith("/") or url.startswith("//"):
            raise ValidationError(
                {"evidence": "Evidence links point to pages of this app, e.g. /academies/140123/ofsted/."}
            )


@transaction.atomic
def propose(*, academy, year, tier, rationale, by, exceptional_reason="", evidence=None, baseline=None):
    """A proposal for the academy's tier in `year`, for the Trust Board to decide. A proposal for
    a year whose tier is already agreed is a mid-year reclassification and needs an exceptional
    reason. The current recommendation and links to its evidence go with it."""
    require(by, "tier.propose", academy)
    _check_tier(tier)
    if not rationale.strip():
        raise ValidationError({"rationale": "Say why this tier: what the evidence shows."})
    agreed = agreed_for(academy, year)
    if agreed is not None:  # whatever else: a tier agreed for the year changes only exceptionally
        kind = TierAssignment.Kind.RECLASSIFICATION
    elif baseline is not None:
        kind = TierAssignment.Kind.JOINING
    else:
        kind = TierAssignment.Kind.ANNUAL
    if kind == TierAssignment.Kind.RECLASSIFICATION:
        if not exceptional_reason.strip():
            raise ValidationError(
                {
                    "exceptional_reason": f"{academy.name} already has an agreed tier for {year}: "
                    "a change during "
                    "the year is a reclassification, allowed only in exceptional circumstances. Record them."
                }
            )
        if agreed.tier == tier:
            raise ValidationError({"tier": f"Tier {tier} is already the agreed tier for {year}."})
    recommendation = TierRecommendation.objects.current().filter(academy=academy, academic_year=year).first()
    links = list(evidence) if evidence is not None else _evidence_links(recommendation)
    _check_links(links)
    try:
        with transaction.atomic():
            assignment = TierAssignment.objects.create(
                academy=academy,
                academic_year=year,
                tier=tier,
                kind=kind,
                rationale=rationale.strip(),
                exceptional_reason=exceptional_reason.strip(),
                evidence=links,
                recommendation=recommendation,
                baseline=baseline,
                proposed_by=by,
            )
    except IntegrityError:
        raise WorkflowError(
            f"A proposal for {academy.name}'s tier in {year} is already waiting for the board. "
            "Edit or withdraw it instead."
        ) from None
    _record(assignment, E.PROPOSED, by, changes={"tier": ["", str(tier)]}, reason=exceptional_reason.strip())
    _tell_decision_needed(assignment)
    return assignment


@transaction.atomic
def edit_proposal(assignment, *, by, version, tier, rationale, exceptional_reason=""):
    require(by, "tier.propose", assignment.academy)
    _check_tier(tier)
    if not rationale.strip():
        raise ValidationError({"rationale": "Say why this tier: what the evidence shows."})
    if assignment.kind == TierAssignment.Kind.RECLASSIFICATION:
        if not exceptional_reason.strip():
            raise ValidationError({"exceptional_reason": "A reclassification needs its exceptional reason."})
        agreed = agreed_for(assignment.academy, assignment.academic_year)
        if agreed is not None and agreed.tier == tier:
            raise ValidationError(
                {"tier": f"Tier {tier} is already the agreed tier for {assignment.academic_year}."}
            )
    updated = TierAssignment.objects.filter(pk=assignment.pk, status=S.PROPOSED, version=version).update(
        tier=tier,
        rationale=rationale.strip(),
        exceptional_reason=exceptional_reason.strip(),
        version=F("version") + 1,
    )
    if not updated:
        _explain_refusal(assignment, version)
    changes = {}
    if assignment.tier != tier:
        changes["tier"] = [str(assignment.tier), str(tier)]
    if assignment.rationale != rationale.strip():
        changes["rationale"] = [assignment.rationale, rationale.strip()]
    assignment.refresh_from_db()
    _record(assignment, E.EDITED, by, from_status=S.PROPOSED, changes=changes)
    return assignment


def _explain_refusal(assignment, version):
    current = TierAssignment.objects.get(pk=assignment.pk)
    if current.status != S.PROPOSED:
        raise WorkflowError(
            f"This proposal is no longer open: it was {current.get_status_display().lower()}."
        )
    if version is not None and current.version != version:
        raise StaleEdit(
            f"Someone changed the proposal for {current.academy.name} since you opened it (it now proposes "
            f"tier {current.tier}). Reload it to see their changes."
        )
    raise WorkflowError("This proposal cannot be changed now.")


def _check_meeting(board_meeting, year):
    today = timezone.localdate()
    if board_meeting is None:
        raise ValidationError({"board_meeting": "Give the date of the Trust Board meeting that decided."})
    if board_meeting > today:
        raise ValidationError(
            {"board_meeting": "Record a board decision after the meeting: that date is in the future."}
        )
    if board_meeting < year.starts_on - datetime.timedelta(days=183):
        raise ValidationError(
            {
                "board_meeting": f"A meeting that far before {year} cannot have decided its tiers: "
                "check the date."
            }
        )


@transaction.atomic
def agree(assignment, *, by, board_meeting, board_minute="", effective_from=None, version=None):
    """Record the Trust Board's agreement. A reclassification supersedes the tier agreed before
    it from `effective_from` (the meeting's day unless given); the support schedule follows."""
    require(by, "tier.decide", assignment.academy)
    year = assignment.academic_year
    _check_meeting(board_meeting, year)
    K = TierAssignment.Kind
    if effective_from is None:
        if assignment.kind == K.ANNUAL:
            effective_from = year.starts_on
        elif assignment.kind == K.JOINING and assignment.academy.date_joined:
            effective_from = max(board_meeting, assignment.academy.date_joined)
        else:
            effective_from = board_meeting
    if not year.starts_on <= effective_from <= year.ends_on:
        raise ValidationError(
            {
                "effective_from": f"The tier must start within {year} ({year.starts_on:%-d %B %Y} "
                f"to {year.ends_on:%-d %B %Y})."
            }
        )
    previous = (
        TierAssignment.objects.select_for_update()
        .filter(academy=assignment.academy, academic_year=year, status=S.AGREED)
        .first()
    )
    if previous is not None:
        TierAssignment.objects.filter(pk=previous.pk, status=S.AGREED).update(
            status=S.SUPERSEDED, superseded_at=timezone.now(), version=F("version") + 1
        )
        previous.refresh_from_db()
        _record(
            previous,
            E.SUPERSEDED,
            by,
            from_status=S.AGREED,
            reason=f"Reclassified to tier {assignment.tier} from {effective_from:%-d %B %Y}.",
        )
    now = timezone.now()
    filters = {"pk": assignment.pk, "status": S.PROPOSED}
    if version is not None:
        filters["version"] = version
    updated = TierAssignment.objects.filter(**filters).update(
        status=S.AGREED,
        decided_by=by,
        decided_at=now,
        board_meeting=board_meeting,
        board_minute=board_minute.strip(),
        effective_from=effective_from,
        version=F("version") + 1,
    )
    if not updated:
        _explain_refusal(assignment, version)
    assignment.refresh_from_db()
    _record(
        assignment,
        E.AGREED,
        by,
        from_status=S.PROPOSED,
        changes={
            "board_meeting": ["", board_meeting.isoformat()],
            "board_minute": ["", board_minute.strip()],
        },
    )
    if previous is not None:
        cancel_schedule(previous, from_day=effective_from)
    regenerate_schedule(assignment)
    recommendations = TierRecommendation.objects.current().filter(
        academy=assignment.academy, academic_year=year
    )
    recommendations.update(agreed_tier=assignment.tier)
    current = recommendations.first()
    if current is not None and current.differs:
        # The board may agree a tier other than the evidence points to; that difference is told
        # once, as one found by a recalculation would be.
        _tell_differs(current, year)
    _tell_decided(assignment)
    return assignment


@transaction.atomic
def agree_many(assignments, *, by, board_meeting, board_minute="", versions=None):
    """The board agreeing a meeting's tier table in one go: each proposal agreed, or none. With
    `versions` ({assignment pk: version read}), a proposal changed since the board's table was
    read is refused, and with it the whole table: the board agrees what it saw."""
    versions = versions or {}
    return [
        agree(a, by=by, board_meeting=board_meeting, board_minute=board_minute, version=versions.get(a.pk))
        for a in assignments
    ]


@transaction.atomic
def decline(assignment, *, by, board_meeting, board_minute="", reason, version=None):
    require(by, "tier.decide", assignment.academy)
    _check_meeting(board_meeting, assignment.academic_year)
    if not reason.strip():
        raise ValidationError(
            {"reason": "Say why the board declined the proposal, so the proposer can act on it."}
        )
    filters = {"pk": assignment.pk, "status": S.PROPOSED}
    if version is not None:
        filters["version"] = version
    updated = TierAssignment.objects.filter(**filters).update(
        status=S.DECLINED,
        decided_by=by,
        decided_at=timezone.now(),
        board_meeting=board_meeting,
        board_minute=board_minute.strip(),
        version=F("version") + 1,
    )
    if not updated:
        _explain_refusal(assignment, version)
    assignment.refresh_from_db()
    _record(assignment, E.DECLINED, by, from_status=S.PROPOSED, reason=reason.strip())
    _tell_decided(assignment, reason=reason.strip())
    return assignment


@transaction.atomic
def withdraw(assignment, *, by, reason, version=None):
    require(by, "tier.propose", assignment.academy)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the proposal is withdrawn."})
    filters = {"pk": assignment.pk, "status": S.PROPOSED}
    if version is not None:
        filters["version"] = version
    updated = TierAssignment.objects.filter(**filters).update(status=S.WITHDRAWN, version=F("version") + 1)
    if not updated:
        _explain_refusal(assignment, version)
    assignment.refresh_from_db()
    _record(assignment, E.WITHDRAWN, by, from_status=S.PROPOSED, reason=reason.strip())
    return assignment


def academy_tier_url(academy):
    return reverse("tiers:academy", kwargs={"urn": academy.urn})


def _tell_decision_needed(assignment):
    academy = assignment.academy
    what = "reclassify" if assignment.kind == TierAssignment.Kind.RECLASSIFICATION else "place"
    notify(
        users=people_with_roles([Role.TRUSTEE, Role.EXECUTIVE], academy=academy),
        kind="tier.decision_needed",
        academy=academy,
        url=academy_tier_url(academy),
        title=f"Tier proposal for {academy.name}: tier {assignment.tier}",
        body=f"It is proposed to {what} {academy.name} in tier {assignment.tier} "
        f"for {assignment.academic_year}. "
        f"Rationale: {assignment.rationale}",
        dedupe_key=f"tier:{assignment.uuid}:proposed",
    )


def _tell_decided(assignment, reason=""):
    academy = assignment.academy
    staff = people_with_roles([Role.EXECUTIVE, Role.SIEL, Role.HUB_LEAD, Role.HEADTEACHER], academy=academy)
    people = {u.pk: u for u in [*staff, *chairs_of(academy)]}
    if assignment.proposed_by_id and assignment.proposed_by.is_active:
        people.setdefault(assignment.proposed_by_id, assignment.proposed_by)
    verb = "agreed" if assignment.status == S.AGREED else "declined"
    body = (
        f"The Trust Board {verb} tier {assignment.tier} for {academy.name} in {assignment.academic_year} "
        f"at its meeting of {assignment.board_meeting:%-d %B %Y}."
    )
    if reason:
        body += f" Reason: {reason}"
    notify(
        users=list(people.values()),
        kind="tier.decided",
        academy=academy,
        url=academy_tier_url(academy),
        title=f"{academy.name}: tier {assignment.tier} {verb}",
        body=body,
        dedupe_key=f"tier:{assignment.uuid}:{verb}",
    )


# The support schedule and log


def _terms(year):
    terms = [(t.starts_on, t.ends_on) for t in year.terms.all()]
    if not terms:
        year.create_default_terms()
        terms = [(t.starts_on, t.ends_on) for t in year.terms.all()]
    return terms


def regenerate_schedule(assignment, *, from_day=None):
    """Bring the agreed assignment's schedule in line with its tier's entitlements: items owed
    that no longer fit are cancelled, new ones are added, delivered ones are kept. Idempotent.
    With `from_day` (a change of cadence or of term dates), only items due from that day change:
    what was owed before it stays as it was, so a change today does not make the past overdue."""
    year = assignment.academic_year
    definition = next(d for d in definitions_for(year) if d.number == assignment.tier)
    terms = _terms(year)
    wanted = {}
    for entitlement in definition.entitlements.all():
        for window_start, due_on in schedule.due_dates(entitlement.cadence, terms, assignment.effective_from):
            if from_day is None or due_on >= from_day:
                wanted[(entitlement.kind, due_on)] = window_start
    items = assignment.support_items.all()
    if from_day is not None:
        items = items.filter(due_on__gte=from_day)
    existing = {(i.kind, i.due_on): i for i in items}
    stale = [i.pk for key, i in existing.items() if key not in wanted and i.status == SupportItem.Status.OWED]
    SupportItem.objects.filter(pk__in=stale).update(status=SupportItem.Status.CANCELLED)
    for key, item in existing.items():
        if key in wanted and item.status == SupportItem.Status.CANCELLED:
            SupportItem.objects.filter(pk=item.pk).update(
                status=SupportItem.Status.OWED, window_start=wanted[key]
            )
    SupportItem.objects.bulk_create(
        SupportItem(
            academy=assignment.academy,
            academic_year=year,
            assignment=assignment,
            kind=kind,
            window_start=window_start,
            due_on=due_on,
        )
        for (kind, due_on), window_start in wanted.items()
        if (kind, due_on) not in existing
    )
    _settle_unmatched(assignment.academy, since=assignment.effective_from)


def regenerate_agreed_schedules(academic_year_id, *, from_day=None):
    """Every agreed tier of the year brought in line with its definition and the year's terms,
    from `from_day` (today unless given). Returns how many schedules were looked at."""
    from_day = from_day or timezone.localdate()
    agreed = list(
        TierAssignment.objects.agreed().filter(academic_year_id=academic_year_id).select_related("academic_year")
    )
    with transaction.atomic():
        for assignment in agreed:
            regenerate_schedule(assignment, from_day=from_day)
    return len(agreed)


def cancel_schedule(assignment, *, from_day):
    """A superseded tier owes nothing more from the day the new one starts."""
    SupportItem.objects.filter(
        assignment=assignment, status=SupportItem.Status.OWED, due_on__gte=from_day
    ).update(status=SupportItem.Status.CANCELLED)


def _settle(entry):
    """Settle the earliest item of the entry's kind still owed, in the academic year the support
    was given, whose window has opened by that day. Returns the item, or None (the support stands
    as additional). Support given in September does not settle last year's overdue item."""
    item = (
        SupportItem.objects.select_for_update()
        .filter(
            academy_id=entry.academy_id,
            academic_year__start_year=AcademicYear.start_year_for(entry.held_on),
            kind=entry.kind,
            status=SupportItem.Status.OWED,
            window_start__lte=entry.held_on,
        )
        .order_by("due_on", "pk")
        .first()
    )
    if item is None:
        return None
    item.status = SupportItem.Status.DELIVERED
    item.delivered_by_entry = entry
    item.save(update_fields=["status", "delivered_by_entry"])
    return item


def _settle_unmatched(academy, since, kind=None):
    """Let support logged from `since` that settled nothing settle what is owed now, oldest
    first. Every entry is tried: one that finds nothing of its kind owed says nothing about an
    entry of another kind, or a later one whose window has since opened."""
    entries = SupportLogEntry.objects.filter(academy=academy, held_on__gte=since, item__isnull=True)
    if kind is not None:
        entries = entries.filter(kind=kind)
    for entry in entries.order_by("held_on", "pk"):
        _settle(entry)


@transaction.atomic
def log_support(*, academy, kind, held_on, by, notes="", led_by="", health_check=None):
    """Record support given. It settles the earliest item of its kind still owed."""
    if health_check is None:
        require(by, "support.log", academy)
    if kind not in SupportKind.values:
        raise ValidationError({"kind": "Choose a kind of support from the list."})
    today = timezone.localdate()
    if held_on > today:
        raise ValidationError(
            {"held_on": "Record support once it has been given: that date is in the future."}
        )
    earliest = AcademicYear.for_date(today).starts_on.replace(year=AcademicYear.start_year_for(today) - 1)
    if health_check is None and held_on < earliest:
        raise ValidationError(
            {"held_on": f"Support is logged for this academic year and last: give a date from "
                        f"{earliest:%-d %B %Y}."}
        )
    entry = SupportLogEntry.objects.create(
        academy=academy,
        kind=kind,
        held_on=held_on,
        notes=notes.strip(),
        led_by=led_by.strip(),
        recorded_by=by,
        health_check=health_check,
        source=SupportLogEntry.Source.HEALTH_CHECK if health_check else SupportLogEntry.Source.RECORDED,
    )
    _settle(entry)
    return entry


@transaction.atomic
def delete_support(entry, *, by):
    """Take back a log entry recorded in error: the item it settled is owed again (and settled by
    any later support of the same kind)."""
    require(by, "support.log", entry.academy)
    if entry.source != SupportLogEntry.Source.RECORDED:
        raise WorkflowError(
            "Support logged from a published health check is removed with the report, not here."
        )
    item = SupportItem.objects.filter(delivered_by_entry=entry).first()
    entry.delete()
    if item is not None:
        SupportItem.objects.filter(pk=item.pk).update(status=SupportItem.Status.OWED, delivered_by_entry=None)
        _settle_unmatched(item.academy, since=item.window_start, kind=item.kind)


def log_health_check(health_check):
    """A published health check is support given; logged once, on the visit's last day (never
    later than today, so publishing is never refused over the date)."""
    if SupportLogEntry.objects.filter(health_check=health_check).exists():
        return None
    return log_support(
        academy=health_check.academy,
        kind=SupportKind.HEALTH_CHECK,
        held_on=min(health_check.visit_end or health_check.visit_start, timezone.localdate()),
        by=health_check.published_by,
        notes=f"Health check of {health_check.visit_text}, published.",
        led_by=health_check.lead_reviewer.get_full_name(),
        health_check=health_check,
    )


def notify_overdue_support(today=None):
    """Tell the trust's executives, the SIEL and the hub lead of each support item that has
    fallen behind, once per item. Returns how many items were told of in this run (a second run
    on the same day tells no one and returns 0)."""
    today = today or timezone.localdate()
    overdue = list(
        SupportItem.objects.overdue(today)
        .filter(academic_year__start_year__gte=today.year - 1)
        .select_related("academy", "academic_year")
        .order_by("academy_id", "due_on")
    )
    told = 0
    for item in overdue:
        academy = item.academy
        created = notify(
            users=people_with_roles([Role.EXECUTIVE, Role.SIEL, Role.HUB_LEAD], academy=academy),
            kind="support.overdue",
            academy=academy,
            url=reverse("tiers:support", kwargs={"urn": academy.urn}),
            title=f"{academy.name}: {item.get_kind_display()} overdue",
            body=f"{item.get_kind_display()} was due by {item.due_on:%-d %B %Y} under the academy's tier "
            "and has not "
            "been logged as given.",
            dedupe_key=f"support:{item.uuid}:overdue",
        )
        told += bool(created)
    return told


# Recommendations


def recalculate(academy_ids=None, *, today=None, year=None):
    """Recompute the recommendation of each academy (or every academy still in the trust) for
    the year. Idempotent: a recommendation whose tier and trace are unchanged is not written
    again. Where the recommendation differs from the agreed tier, the executives and the SIEL are
    told once per difference. Returns {academy: Outcome}."""
    today = today or timezone.localdate()
    year = year or AcademicYear.for_date(today)
    academies = Academy.objects.exclude(status=Academy.Status.LEFT)
    if academy_ids is not None:
        academies = academies.filter(pk__in=list(academy_ids))
    academies = list(academies.order_by("pk"))
    if not academies:
        return {}
    rules = engine.active_rules()
    evidence = engine.Evidence(academies, rules, today)
    agreed = dict(
        TierAssignment.objects.agreed()
        .filter(academy__in=academies, academic_year=year)
        .values_list("academy_id", "tier")
    )
    current = {
        r.academy_id: r
        for r in TierRecommendation.objects.current()
        .filter(academy__in=academies, academic_year=year)
        .only("pk", "academy_id", "fingerprint", "agreed_tier", "tier")
    }
    outcomes, fresh, differs = {}, [], []
    now = timezone.now()
    for academy in academies:
        outcome = engine.recommend(academy, rules, evidence)
        outcomes[academy] = outcome
        fingerprint = outcome.fingerprint()
        before = current.get(academy.pk)
        if (
            before is not None
            and before.fingerprint == fingerprint
            and before.agreed_tier == agreed.get(academy.pk)
        ):
            continue
        recommendation = TierRecommendation(
            academy=academy,
            academic_year=year,
            tier=outcome.tier,
            weighted_mean=outcome.weighted_mean,
            floor=outcome.floor,
            trace=outcome.trace,
            missing=outcome.missing,
            fingerprint=fingerprint,
            agreed_tier=agreed.get(academy.pk),
            computed_at=now,
            current=True,
        )
        fresh.append(recommendation)
        if recommendation.differs:
            differs.append(recommendation)
    if not fresh:
        return outcomes
    with transaction.atomic():
        # Runs overlap (the nightly one and one after an import): the year's row serialises their
        # writes, and what is current is read again under it, so each writes over the other's
        # result rather than both adding a current row.
        AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
        now_current = {
            r.academy_id: r
            for r in TierRecommendation.objects.current()
            .filter(academy_id__in=[r.academy_id for r in fresh], academic_year=year)
            .only("pk", "academy_id", "fingerprint", "agreed_tier")
        }
        fresh = [
            r for r in fresh
            if not (
                (other := now_current.get(r.academy_id)) is not None
                and other.fingerprint == r.fingerprint
                and other.agreed_tier == r.agreed_tier
            )
        ]
        retired = [now_current[r.academy_id].pk for r in fresh if r.academy_id in now_current]
        kept = {id(r) for r in fresh}
        TierRecommendation.objects.filter(pk__in=retired).update(current=False)
        TierRecommendation.objects.bulk_create(fresh)
        for recommendation in differs:
            if id(recommendation) in kept:
                _tell_differs(recommendation, year)
    return outcomes


def _tell_differs(recommendation, year):
    academy = recommendation.academy
    lines = [
        f"- {line['name']}: {line['explanation']}"
        for line in recommendation.trace
        if line["status"] == engine.Status.INDICATED
    ]
    notify(
        users=people_with_roles([Role.EXECUTIVE, Role.SIEL]),
        kind="tier.recommendation_differs",
        academy=academy,
        url=academy_tier_url(academy),
        title=f"{academy.name}: the evidence points to tier {recommendation.tier}, not the agreed tier "
        f"{recommendation.agreed_tier}",
        body="The recommendation does not change the agreed tier; only the Trust Board can. Why:\n"
        + "\n".join(lines),
        dedupe_key=f"tier-differs:{academy.pk}:{year.start_year}:{recommendation.tier}:{recommendation.agreed_tier}",
    )


# Baselines for schools joining


def baseline_data(academy):
    """The school's latest published figures for the measures the engine reads, against national."""
    rules = [r for r in engine.active_rules() if r.kind == engine.RuleKind.MEASURE]
    evidence = engine.Evidence([academy], rules, timezone.localdate())
    rows = []
    for rule in rules:
        line = engine.evaluate_measure(rule, academy, evidence)
        if line.status == engine.Status.NOT_APPLICABLE:
            continue
        rows.append(
            {
                "measure": rule.name,
                "status": line.status,
                "explanation": line.explanation,
                "value": line.value,
                "tier": line.tier,
            }
        )
    return rows


BASELINE_FIELDS = (
    "assessed_on",
    "data_commentary",
    "improvement_plan_review",
    "sef_review",
    "curriculum",
    "curriculum_commentary",
    "capacity",
    "proposed_tier",
    "rationale",
)


@transaction.atomic
def baseline_create(*, academy, by, **fields):
    require(by, "baseline.change", academy)
    if academy.status != Academy.Status.JOINING:
        raise ValidationError(
            f"{academy.name} is not joining the trust: a due-diligence baseline is for a school joining. "
            "An academy already in the trust has its tier proposed from its tier page."
        )
    _check_tier(fields.get("proposed_tier"))
    return BaselineAssessment.objects.create(
        academy=academy, by=by, data_summary=baseline_data(academy), **fields
    )


@transaction.atomic
def baseline_update(baseline, *, by, version, **fields):
    require(by, "baseline.change", baseline.academy)
    _check_tier(fields.get("proposed_tier", baseline.proposed_tier))
    unknown = set(fields) - set(BASELINE_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a baseline: {sorted(unknown)}")
    updated = BaselineAssessment.objects.filter(
        pk=baseline.pk, version=version, status=BaselineAssessment.Status.DRAFT
    ).update(
        version=F("version") + 1,
        updated_at=timezone.now(),
        data_summary=baseline_data(baseline.academy),
        **fields,
    )
    if not updated:
        current = BaselineAssessment.objects.get(pk=baseline.pk)
        if current.status != BaselineAssessment.Status.DRAFT:
            raise WorkflowError(
                "This baseline is complete and its first tier proposed: it can no longer change."
            )
        raise StaleEdit("Someone saved this baseline since you opened it. Reload it to see their changes.")
    baseline.refresh_from_db()
    return baseline


@transaction.atomic
def baseline_complete(baseline, *, by, version):
    """Complete the baseline: it proposes the school's first tier to the Trust Board."""
    require(by, "baseline.change", baseline.academy)
    updated = BaselineAssessment.objects.filter(
        pk=baseline.pk, version=version, status=BaselineAssessment.Status.DRAFT
    ).update(status=BaselineAssessment.Status.COMPLETE, version=F("version") + 1)
    if not updated:
        current = BaselineAssessment.objects.get(pk=baseline.pk)
        if current.status != BaselineAssessment.Status.DRAFT:
            raise WorkflowError("This baseline is already complete.")
        raise StaleEdit("Someone saved this baseline since you opened it. Reload it to see their changes.")
    baseline.refresh_from_db()
    academy = baseline.academy
    year = AcademicYear.for_date(max(baseline.assessed_on, academy.date_joined or baseline.assessed_on))
    assignment = propose(
        academy=academy,
        year=year,
        tier=baseline.proposed_tier,
        by=by,
        baseline=baseline,
        # The baseline's findings are the trust's: the proposal, which the school's governors
        # read once agreed, only points to it.
        rationale=f"The first tier of a school joining the trust, from its due-diligence baseline of "
        f"{baseline.assessed_on:%-d %B %Y}.",
        evidence=[
            {
                "label": f"Baseline assessment of {baseline.assessed_on:%-d %B %Y}",
                "url": reverse("tiers:baseline", kwargs={"uuid": baseline.uuid}),
            }
        ],
    )
    return baseline, assignment


# Capacity


def capacity_matches(academy, year):
    """Offers of support that match the academy's development-plan priorities this year, by theme:
    [(priority, [offers])] for priorities with at least one offer from someone else."""
    return capacity_matches_for([academy], year)[academy.pk]


def capacity_matches_for(academies, year):
    """capacity_matches for several academies in two queries: {academy id: [(priority, [offers])]}."""
    from academies.models import Priority

    from .models import CapacityOffer

    priorities = list(
        Priority.objects.filter(plan__academy__in=academies, plan__academic_year=year)
        .select_related("plan")
        .order_by("plan__academy_id", "order", "pk")
    )
    offers = list(
        CapacityOffer.objects.filter(
            academic_year=year, theme__in={p.theme for p in priorities}, days_available__gt=0
        )
        .select_related("provider")
        .order_by("theme", "-days_available", "pk")
    )
    matches = {academy.pk: [] for academy in academies}
    for priority in priorities:
        academy_id = priority.plan.academy_id
        found = [o for o in offers if o.theme == priority.theme and o.provider_id != academy_id]
        if found:
            matches[academy_id].append((priority, found))
    return matches
