"""The tier decision pages: the board's tier table, an academy's tier page, proposals and the
board's decisions on them, the tier definitions and the engine's rules.

Scope: the board and the rules belong to trust staff (tier.recommendation.view) and answer 404
to everyone else; an academy's tier page is read by everyone who sees the academy, but the
engine's recommendation and its trace are trust-only evidence, shown only to trust staff (the
academy's own people never see them, not even a count). The services in tiers/services.py make
every change and decide who may; these views hide the buttons a person could not use.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.forms_targets import add_errors
from academies.models import Academy
from healthchecks.pages import said
from trust.access import get_scoped_or_404, require, require_anywhere, scope_for
from trust.models import AcademicYear
from trust.queue import enqueue_on_commit

from . import engine, selectors, services
from .forms_decisions import (
    FIRST_YEAR,
    AgreeForm,
    AgreeManyForm,
    BoardFilterForm,
    DeclineForm,
    DefinitionForm,
    DescriptorFormSet,
    EditProposalForm,
    EntitlementFormSet,
    ProposeForm,
    RuleForm,
    WithdrawForm,
    kept_rows,
    year_choices,
)
from .models import RuleKind, TierAssignment, TierRecommendation, TierRule
from .tasks import recalculate_tiers

S = TierAssignment.Status
ASSIGNMENTS = TierAssignment.objects.select_related("academy__hub", "academic_year", "proposed_by")
STATUS_TEXT = {
    engine.Status.INDICATED: "Indicated a tier",
    engine.Status.CLEAR: "Read: no effect",
    engine.Status.MISSING: "Missing evidence",
    engine.Status.OUT_OF_DATE: "Evidence out of date",
    engine.Status.NOT_APPLICABLE: "Does not apply",
}
CHANGE_LABELS = {"tier": "Tier", "rationale": "Rationale", "board_meeting": "Board meeting",
                 "board_minute": "Minute"}
RULE_KIND_HELP = {
    RuleKind.INSPECTION: "The latest graded Ofsted inspection, in its own framework: a four-point grade is "
    "its tier; on a report card the lowest area counts (exceptional or strong standard tier 1, expected "
    "standard tier 2, needs attention tier 3, urgent improvement tier 4). A category of concern is tier 4.",
    RuleKind.INSPECTION_SAFEGUARDING: "Safeguarding at the latest inspection that judged it: not effective "
    "(or not met) indicates tier 4; effective adds nothing.",
    RuleKind.HEALTH_CHECK: "The latest published health check: its lowest judged area, on the report-card "
    "scale, gives the tier.",
    RuleKind.HEALTH_CHECK_LEADERSHIP: "The leadership and governance judgement of the latest published "
    "health check.",
    RuleKind.HEALTH_CHECK_SAFEGUARDING: "Safeguarding in the latest published health check: not met "
    "indicates tier 4; met adds nothing.",
    RuleKind.MEASURE: "A published figure against national, as a gap (better than national is positive). "
    "The gap is compared with the rule's three thresholds in turn; with the trend on, a gap that narrowed "
    "or widened since the year before by the trend margin moves the tier by one.",
    RuleKind.OPEN_RISKS: "The highest score among the academy's open risks, compared with the thresholds "
    "(lower is better).",
}


def _day(text):
    try:
        return datetime.date.fromisoformat(text).strftime("%-d %b %Y")
    except (TypeError, ValueError):
        return text or ""


def _current_start():
    return AcademicYear.start_year_for(timezone.localdate())


def _start_year(value, default=None):
    """A start year from the query (2026 or 2026/27) within the years the app knows, else `default`."""
    text = str(value or "").split("/")[0].strip()
    if text.isdigit() and FIRST_YEAR <= int(text) <= _current_start() + 1:
        return int(text)
    return default


def _year(request):
    return selectors.year_or_current(_start_year(request.GET.get("year")))


def _tier_url(academy, year=None):
    url = reverse("tiers:academy", kwargs={"urn": academy.urn})
    return f"{url}?year={year.start_year}" if year else url


def _attempt(request, form, take, *, done, back):
    """Take a service step for a valid form. Taken: `done(result)` as a message and a redirect
    to `back`. Refused: a stale edit or a field's error shown on the form (None: render it
    again), or, for a step no longer possible, the reason as a message and a redirect to `back`."""
    try:
        result = take()
    except services.StaleEdit as error:
        form.add_error(None, error.messages)
    except services.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    except ValidationError as error:
        add_errors(form, error)
    else:
        messages.success(request, done(result))
        return redirect(back)
    return None


def _board_url(start_year=None):
    url = reverse("tiers:board")
    return f"{url}?year={start_year}" if start_year else url


# The board


@login_required
@require_GET
def board(request):
    require_anywhere(request.user, "tier.recommendation.view")
    scope = scope_for(request.user)
    visible = Academy.objects.permitting(request.user, "tier.recommendation.view").exclude(
        status=Academy.Status.LEFT
    )
    query = request.GET.copy()
    query.setdefault("year", str(_current_start()))
    filters = BoardFilterForm(query, academies=visible)
    year = selectors.year_or_current(filters.filters.get("year"))
    definitions = selectors.definitions(year)
    names = {d.number: d for d in definitions}
    rows = selectors.board_rows(filters.apply(visible), year)
    groups = [
        {"number": number, "definition": names.get(number), "rows": group}
        for number, group in selectors.group_by_tier(rows)
    ]
    awaiting = [row for row in rows if row.pending]
    for row in awaiting:
        row.may_decide = scope.can("tier.decide", row.academy)
    may_decide = any(row.may_decide for row in awaiting)
    return render(request, "tiers/board.html", {
        "year": year,
        "filters": filters,
        "groups": groups,
        "rows": rows,
        "awaiting": awaiting,
        "may_decide": may_decide,
        "agree_form": AgreeManyForm(assignments=TierAssignment.objects.none()) if may_decide else None,
        "differ_count": sum(row.differs for row in rows),
        "may_define": scope.can("tier.define"),
    })


@login_required
@require_POST
def agree_many(request):
    require_anywhere(request.user, "tier.recommendation.view")
    if not scope_for(request.user).can_anywhere("tier.decide"):
        raise PermissionDenied
    back = _board_url(_start_year(request.POST.get("year")))
    waiting = TierAssignment.objects.permitting(request.user, "tier.decide").pending()
    form = AgreeManyForm(request.POST, assignments=waiting.select_related("academy", "academic_year"))
    if not form.is_valid():
        messages.error(request, f"Nothing was agreed. {said(form)}")
        return redirect(back)
    data = form.cleaned_data
    chosen = sorted(data["assignments"], key=lambda a: a.academy.name)
    versions = {}
    for assignment in chosen:  # the version of each proposal as the table showed it
        try:
            versions[assignment.pk] = int(request.POST.get(f"version-{assignment.uuid}", ""))
        except ValueError:
            messages.error(request, "Nothing was agreed: the board's table was incomplete. "
                                    "Reload it and try again.")
            return redirect(back)
    try:
        services.agree_many(chosen, by=request.user, board_meeting=data["board_meeting"],
                            board_minute=data["board_minute"], versions=versions)
    except ValidationError as error:
        messages.error(request, f"Nothing was agreed. {' '.join(error.messages)}")
    else:
        names = ", ".join(f"{a.academy.name} (tier {a.tier})" for a in chosen)
        meeting = data["board_meeting"]
        messages.success(request, f"Recorded the Trust Board's agreement of {meeting:%-d %B %Y} "
                                  f"for {len(chosen)} academ{'y' if len(chosen) == 1 else 'ies'}: {names}. "
                                  "Their support schedules are set.")
    return redirect(back)


# One academy's tier


def _change_rows(changes):
    rows = []
    for name, pair in (changes or {}).items():
        if not isinstance(pair, list) or len(pair) != 2:
            continue
        before, after = pair
        if name == "board_meeting":
            before, after = _day(before), _day(after)
        rows.append((CHANGE_LABELS.get(name, name.replace("_", " ").capitalize()), before, after))
    return rows


def _decisions(academy):
    """Every assignment of every year, newest first, each with its events in order."""
    assignments = list(
        TierAssignment.objects.filter(academy=academy)
        .select_related("academic_year", "proposed_by", "decided_by")
        .prefetch_related("events__by")
        .order_by("-academic_year__start_year", "-proposed_at", "-pk")
    )
    for assignment in assignments:
        assignment.event_rows = list(assignment.events.all())
        for event in assignment.event_rows:
            event.change_rows = _change_rows(event.changes)
            event.from_label = dict(S.choices).get(event.from_status, "")
            event.to_label = dict(S.choices).get(event.to_status, "")
    return assignments


def trace_rows(recommendation):
    """The recommendation's trace, one row per rule, with its status and date in words."""
    rows = []
    for line in recommendation.trace if recommendation else []:
        rows.append({
            **line,
            "status_text": STATUS_TEXT.get(line.get("status"), line.get("status", "")),
            "date_text": _day(line.get("date")),
            "counted": line.get("status") == engine.Status.INDICATED,
            "gap": line.get("status") in (engine.Status.MISSING, engine.Status.OUT_OF_DATE),
        })
    return rows


@login_required
@require_GET
def academy_tier(request, urn):
    academy = get_scoped_or_404(request.user, Academy.objects.select_related("hub"), action="tier.view",
                                urn=urn)
    year = _year(request)
    scope = scope_for(request.user)
    trust_view = scope.can("tier.recommendation.view", academy)
    summary = selectors.tier_summary(academy, year, with_recommendation=trust_view)
    definitions = selectors.definitions(year)
    context = {
        "academy": academy,
        "tab": "tier",
        "year": year,
        "years": year_choices(),
        "summary": summary,
        "definition": next((d for d in definitions if d.number == summary.tier), None),
        "definitions": {d.number: d for d in definitions},
        "decisions": _decisions(academy),
        "trust_view": trust_view,
        "may_propose": scope.can("tier.propose", academy),
        "may_decide": scope.can("tier.decide", academy),
    }
    if trust_view:
        recommendation = summary.recommendation
        context.update({
            "trace": trace_rows(recommendation),
            "min_indications": engine.MIN_INDICATIONS,
            "past": list(
                TierRecommendation.objects.filter(academy=academy)
                .select_related("academic_year")
                .defer("trace", "missing")
                .order_by("-computed_at", "-pk")[:20]
            ),
        })
    return render(request, "tiers/academy.html", context)


# Proposals and the board's decisions on them


def _propose_years():
    start = _current_start()
    return [(y, f"{y}/{str(y + 1)[-2:]}") for y in (start, start + 1)]


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, urn):
    academy = get_scoped_or_404(request.user, Academy.objects.select_related("hub"), action="tier.propose",
                                urn=urn)
    years = _propose_years()
    offered = [y for y, _ in years]
    asked = _start_year(request.POST.get("academic_year") or request.GET.get("year"))
    year = selectors.year_or_current(asked if asked in offered else offered[0])
    definitions = services.definitions_for(year)
    summary = selectors.tier_summary(academy, year)
    options = {"definitions": definitions, "agreed_tier": summary.agreed.tier if summary.agreed else None,
               "years": years}
    if request.method == "POST":
        form = ProposeForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            response = _attempt(
                request, form,
                lambda: services.propose(
                    academy=academy, year=year, tier=data["tier"], rationale=data["rationale"],
                    exceptional_reason=data.get("exceptional_reason", ""), by=request.user,
                ),
                done=lambda a: f"Proposed tier {a.tier} for {academy.name} in {year}. "
                               "The trustees and executives are told it awaits the board.",
                back=_tier_url(academy, year),
            )
            if response:
                return response
    else:
        recommended = summary.recommendation.tier if summary.recommendation else None
        form = ProposeForm(initial={"academic_year": year.start_year, "tier": recommended}, **options)
    return render(request, "tiers/proposal_form.html", {
        "academy": academy, "year": year, "form": form, "summary": summary, "assignment": None,
    })


def _assignment(user, uuid, action):
    return get_scoped_or_404(user, ASSIGNMENTS, action=action, uuid=uuid)


def _closed(request, assignment):
    messages.error(request, f"This proposal is no longer open: it was "
                            f"{assignment.get_status_display().lower()}.")
    return redirect(_tier_url(assignment.academy, assignment.academic_year))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, uuid):
    assignment = _assignment(request.user, uuid, "tier.propose")
    if assignment.status != S.PROPOSED:
        return _closed(request, assignment)
    options = {
        "definitions": services.definitions_for(assignment.academic_year),
        "agreed_tier": (
            getattr(services.agreed_for(assignment.academy, assignment.academic_year), "tier", None)
            if assignment.kind == TierAssignment.Kind.RECLASSIFICATION else None
        ),
    }
    if request.method == "POST":
        form = EditProposalForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            response = _attempt(
                request, form,
                lambda: services.edit_proposal(
                    assignment, by=request.user, version=data["version"], tier=data["tier"],
                    rationale=data["rationale"], exceptional_reason=data.get("exceptional_reason", ""),
                ),
                done=lambda a: f"Proposal saved: tier {a.tier} for {a.academy.name} in {a.academic_year}.",
                back=_tier_url(assignment.academy, assignment.academic_year),
            )
            if response:
                return response
    else:
        form = EditProposalForm(initial={
            "tier": assignment.tier, "rationale": assignment.rationale,
            "exceptional_reason": assignment.exceptional_reason, "version": assignment.version,
        }, **options)
    return render(request, "tiers/proposal_form.html", {
        "academy": assignment.academy, "year": assignment.academic_year, "form": form,
        "assignment": assignment, "summary": None,
    })


def _step_view(name, *, action, form_class, take, done, heading, button):
    """A step on a proposal (agree, decline, withdraw): GET shows its form to confirm, POST takes
    it. Out of scope is 404 and the wrong role 403 before the form is read; a refused step is
    shown on the form, a proposal no longer open as a message."""

    def step(request, uuid):
        assignment = _assignment(request.user, uuid, action)
        if assignment.status != S.PROPOSED:
            return _closed(request, assignment)
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                response = _attempt(
                    request, form, lambda: take(assignment, request.user, form.cleaned_data), done=done,
                    back=_tier_url(assignment.academy, assignment.academic_year),
                )
                if response:
                    return response
        else:
            form = form_class(initial={"version": assignment.version})
        return render(request, "tiers/assignment_step.html", {
            "assignment": assignment, "academy": assignment.academy, "form": form, "step": name,
            "heading": heading, "button": button,
        })

    step.__name__ = step.__qualname__ = f"assignment_{name}"
    return login_required(require_http_methods(["GET", "POST"])(step))


assignment_agree = _step_view(
    "agree", action="tier.decide", form_class=AgreeForm,
    heading="Record the Trust Board's agreement", button="Record the agreement",
    take=lambda a, by, data: services.agree(
        a, by=by, board_meeting=data["board_meeting"], board_minute=data["board_minute"],
        effective_from=data["effective_from"], version=data["version"]),
    done=lambda a: f"Agreed by the Trust Board on {a.board_meeting:%-d %B %Y}: {a.academy.name} is in tier "
                   f"{a.tier} from {a.effective_from:%-d %B %Y}, and its support schedule is set.",
)
assignment_decline = _step_view(
    "decline", action="tier.decide", form_class=DeclineForm,
    heading="Record that the Trust Board declined the proposal", button="Record the decision",
    take=lambda a, by, data: services.decline(
        a, by=by, board_meeting=data["board_meeting"], board_minute=data["board_minute"],
        reason=data["reason"], version=data["version"]),
    done=lambda a: f"Declined by the Trust Board on {a.board_meeting:%-d %B %Y}: tier {a.tier} for "
                   f"{a.academy.name}. The proposer is told why.",
)
assignment_withdraw = _step_view(
    "withdraw", action="tier.propose", form_class=WithdrawForm,
    heading="Withdraw the proposal", button="Withdraw the proposal",
    take=lambda a, by, data: services.withdraw(a, by=by, reason=data["reason"], version=data["version"]),
    done=lambda a: f"Proposal withdrawn: tier {a.tier} for {a.academy.name} in {a.academic_year}.",
)


# Definitions


@login_required
@require_GET
def definitions(request):
    require_anywhere(request.user, "tier.view")
    year = _year(request)
    return render(request, "tiers/definitions.html", {
        "year": year,
        "years": year_choices(),
        "definitions": selectors.definitions(year),
        "may_define": scope_for(request.user).can("tier.define"),
        "may_board": scope_for(request.user).can_anywhere("tier.recommendation.view"),
    })


def _initial_rows(rows, fields):
    return [{name: getattr(row, name) for name in fields} for row in rows]


@login_required
@require_http_methods(["GET", "POST"])
def definition_edit(request, start_year, number):
    require_anywhere(request.user, "tier.view")
    require(request.user, "tier.define")
    if _start_year(start_year) is None or number not in (1, 2, 3, 4):
        raise Http404
    year = selectors.year_or_current(start_year)
    definition = next(d for d in services.definitions_for(year) if d.number == number)
    if request.method == "POST":
        form = DefinitionForm(request.POST)
        descriptors = DescriptorFormSet(request.POST, prefix="descriptors")
        entitlements = EntitlementFormSet(request.POST, prefix="entitlements")
        if form.is_valid() and descriptors.is_valid() and entitlements.is_valid():
            data = form.cleaned_data
            response = _attempt(
                request, form,
                lambda: services.definition_update(
                    definition, by=request.user, version=data["version"], name=data["name"],
                    led_by=data["led_by"], summary=data["summary"],
                    descriptors=kept_rows(descriptors, ("area", "text"), "text"),
                    entitlements=kept_rows(entitlements, ("kind", "cadence", "description"), "kind"),
                ),
                done=lambda saved: f"Saved {saved.label} for {year}. The support schedules of academies "
                                   "agreed into it this year follow the change.",
                back=f"{reverse('tiers:definitions')}?year={year.start_year}",
            )
            if response:
                return response
    else:
        form = DefinitionForm(initial={
            "name": definition.name, "led_by": definition.led_by, "summary": definition.summary,
            "version": definition.version,
        })
        descriptors = DescriptorFormSet(
            prefix="descriptors", initial=_initial_rows(definition.descriptors.all(), ("area", "text")))
        entitlements = EntitlementFormSet(
            prefix="entitlements",
            initial=_initial_rows(definition.entitlements.all(), ("kind", "cadence", "description")))
    return render(request, "tiers/definition_form.html", {
        "definition": definition, "year": year, "form": form, "descriptors": descriptors,
        "entitlements": entitlements,
    })


# The engine's rules


def _rules_reader(user):
    """The rules are read by trust staff and by those who keep them; others 404."""
    scope = scope_for(user)
    if not (scope.can_anywhere("tier.recommendation.view") or scope.can_anywhere("tier.define")):
        raise Http404


@login_required
@require_GET
def rules(request):
    _rules_reader(request.user)
    kinds = [(label, RULE_KIND_HELP.get(kind, "")) for kind, label in RuleKind.choices]
    return render(request, "tiers/rules.html", {
        "rules": list(TierRule.objects.select_related("measure").order_by("-active", "order", "pk")),
        "kinds": kinds,
        "min_indications": engine.MIN_INDICATIONS,
        "may_define": scope_for(request.user).can("tier.define"),
    })


def _rule_form(request, pk=None):
    _rules_reader(request.user)
    require(request.user, "tier.define")
    rule = get_object_or_404(TierRule.objects.select_related("measure"), pk=pk) if pk is not None else None
    form = RuleForm(request.POST if request.method == "POST" else None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # Every recommendation follows the rules as they now stand.
            enqueue_on_commit(recalculate_tiers)
        messages.success(request, f"Rule saved: {saved.name}. Every academy's recommendation is being "
                                  "worked out again with the rules as they now stand.")
        return redirect("tiers:rules")
    return render(request, "tiers/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    return _rule_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    return _rule_form(request, pk=pk)
