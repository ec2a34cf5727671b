"""The risk register: the trust's register with its filters, heatmap and exports, the board view,
each risk with its evidence and history, one academy's risks, and the rules that raise risks
from data.

Scope: the register, the board view and the exports belong to roles with risk.register (the
academy's own people read their academy's page instead, and get 404 here). Every list, count
and heatmap starts from `Risk.objects.visible_to`, so a trust-only risk is absent for academy
roles: a trust-only risk answers them 404, exactly as a missing one. The services in
healthchecks/risks.py make every change and decide who may; these views hide the buttons a
person could not use and show a refusal on the form or as a message.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.forms_targets import add_errors
from academies.models import Academy
from trust.access import get_scoped_or_404, require, require_anywhere, scope_for
from trust.queue import enqueue_on_commit

from . import exports, selectors
from . import risks as services
from .forms_risks import (
    BoardForm,
    CloseForm,
    RegisterFilterForm,
    ReopenForm,
    ReviewForm,
    RiskForm,
    RuleForm,
)
from .history import risk_events
from .models import Category, Risk, RiskRule, Visibility
from .models.risks import RAG, Frequency
from .pages import private_download, query_without_page, said
from .rules import visible_evidence
from .tasks import run_risk_rules

PER_PAGE = 25
BOARD_DAYS = 90
RISKS = Risk.objects.select_related("academy__hub", "owner", "rule__measure", "raised_by")

FIELD_LABELS = {
    "category": "Category", "title": "Title", "description": "Description", "likelihood": "Likelihood",
    "impact": "Impact", "owner": "Owner", "mitigations": "Mitigations", "review_frequency": "Review",
    "next_review_on": "Next review", "visibility": "Visibility", "score": "Score", "rag": "RAG",
    "status": "Status", "review_due_on": "Review due",
}
# A change to a choice is kept as its code; the history says it in words.
CHOICE_LABELS = {
    "category": dict(Category.choices), "visibility": dict(Visibility.choices),
    "review_frequency": dict(Frequency.choices), "rag": dict(RAG.choices),
    "status": dict(Risk.Status.choices),
}
DATE_FIELDS = {"next_review_on", "review_due_on"}


def _risk(user, uuid, action="risk.view"):
    return get_scoped_or_404(user, RISKS, action=action, uuid=uuid)


def _risk_url(risk):
    return reverse("healthchecks:risk", kwargs={"uuid": risk.uuid})


def _day(text):
    """An ISO date from stored history or evidence, as words; anything else as it is."""
    try:
        return datetime.date.fromisoformat(text).strftime("%-d %b %Y")
    except (TypeError, ValueError):
        return text or ""


def _mark_overdue(risks, today):
    for risk in risks:
        risk.overdue = risk.review_overdue(today)
    return risks


def _filtered(request, today):
    """(the filter form, the person's risks with every filter, the same without the status filter)."""
    visible = selectors.register(request.user)
    form = RegisterFilterForm(request.GET, user=request.user, risks=visible)
    filters = form.filters
    risks = selectors.apply_filters(visible, filters, today)
    any_status = selectors.apply_filters(visible, {**filters, "status": selectors.ALL_STATUSES}, today)
    return form, risks, any_status


@login_required
@require_GET
def risk_register(request):
    require_anywhere(request.user, "risk.register")
    today = timezone.localdate()
    form, risks, any_status = _filtered(request, today)
    sort = form.filters.get("sort", selectors.DEFAULT_SORT)
    page = Paginator(selectors.ordered(risks, sort), PER_PAGE).get_page(request.GET.get("page"))
    _mark_overdue(page.object_list, today)
    overdue, overdue_count = selectors.overdue_reviews(any_status, today)
    query = query_without_page(request)
    return render(request, "healthchecks/risks/register.html", {
        "form": form,
        "page": page,
        "risks": page.object_list,
        "sort_label": selectors.SORTS[sort][0],
        "heatmap": selectors.heatmap(any_status),
        "overdue": overdue,
        "overdue_count": overdue_count,
        "query": query,
        "export_query": f"?{query}" if query else "",
        "today": today,
        "can_raise": scope_for(request.user).can_anywhere("risk.change"),
    })


@login_required
@require_GET
def risk_export(request, fmt):
    if fmt not in exports.MAKERS:
        raise Http404
    require_anywhere(request.user, "risk.register")
    today = timezone.localdate()
    form, risks, _ = _filtered(request, today)
    rows = selectors.ordered(risks, form.filters.get("sort"))
    return private_download(*exports.register_file(rows, fmt, today))


@login_required
@require_GET
def risk_board(request):
    """The board's view of the register: counts, the heatmap, the top risks, what changed."""
    require_anywhere(request.user, "risk.register")
    today = timezone.localdate()
    form = BoardForm(request.GET if request.GET.get("since") else None,
                     default=today - datetime.timedelta(days=BOARD_DAYS))
    since = form.day
    risks = Risk.objects.visible_to(request.user)
    overdue, overdue_count = selectors.overdue_reviews(risks, today, limit=None)
    return render(request, "healthchecks/risks/board.html", {
        "form": form,
        "since": since,
        "today": today,
        "made_at": timezone.localtime(),
        "summary": selectors.summary(risks),
        "heatmap": selectors.heatmap(risks),
        "top": _mark_overdue(selectors.top_risks(risks), today),
        "changes": selectors.score_changes(risks, since),
        "overdue": overdue,
        "overdue_count": overdue_count,
        "closed": selectors.closed_since(risks, since),
        "whole_trust": scope_for(request.user).trust_wide,
    })


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request):
    require_anywhere(request.user, "risk.change")
    if request.method == "POST":
        form = RiskForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                risk = services.risk_raise(by=request.user, academy=form.chosen_academy,
                                           reason=data["reason"], **form.service_fields())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Risk raised: {risk.reference}, {risk.title} "
                                          f"({risk.get_rag_display().lower()}, score {risk.score}).")
                return redirect(_risk_url(risk))
    else:
        form = RiskForm(user=request.user, initial={"academy": request.GET.get("academy", "")})
    return render(request, "healthchecks/risks/form.html", {"form": form, "risk": None})


def _events(risk, user):
    events = risk_events(risk, user)
    for event in events:
        event.change_rows = [
            (FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
             *(_change_text(name, value) for value in [*pair, "", ""][:2]))
            for name, pair in event.changes.items() if isinstance(pair, list)
        ]
    return events


def _change_text(name, value):
    if name in DATE_FIELDS:
        return _day(value)
    return CHOICE_LABELS.get(name, {}).get(value, value)


def evidence_rows(evidence):
    """The evidence a rule saw, one row per entry: a figure against national, or a judgement."""
    rows = []
    for entry in evidence or []:
        if not isinstance(entry, dict):
            continue
        what = entry.get("judgement") or entry.get("measure", "")
        if entry.get("pupil_group") and not entry.get("judgement"):
            what = f"{what} ({entry['pupil_group'].lower()})"
        rows.append({
            "when": entry.get("period") or _day(entry.get("date")),
            "what": what,
            "value": entry.get("value", ""),
            "national": entry.get("national", ""),
            "worse_by": entry.get("worse_by", ""),
            "source": entry.get("source", ""),
            "reference": entry.get("inspection_number", ""),
            "as_at": _day(entry.get("as_at")),
        })
    return rows


def _detail_page(request, risk):
    can_change = scope_for(request.user).can("risk.change", risk.academy)
    initial = {"version": risk.version}
    return render(request, "healthchecks/risks/detail.html", {
        "risk": risk,
        "today": timezone.localdate(),
        "overdue": risk.review_overdue(timezone.localdate()),
        "evidence": evidence_rows(visible_evidence(risk, request.user)),
        "events": _events(risk, request.user),
        "can_change": can_change,
        "review_form": ReviewForm(initial=initial, auto_id="review-%s") if can_change else None,
        "close_form": CloseForm(initial=initial, auto_id="close-%s") if can_change else None,
        "reopen_form": ReopenForm(initial=initial, auto_id="reopen-%s") if can_change else None,
        "may_register": scope_for(request.user).can_anywhere("risk.register"),
    })


@login_required
@require_GET
def risk_detail(request, uuid):
    return _detail_page(request, _risk(request.user, uuid))


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, uuid):
    risk = _risk(request.user, uuid, action="risk.change")
    if request.method == "POST":
        form = RiskForm(request.POST, user=request.user, risk=risk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.risk_change(risk=risk, by=request.user, reason=data["reason"],
                                             version=data.get("version"), **form.service_fields())
            except ValidationError as error:
                add_errors(form, error)
            else:
                if saved.version == risk.version:
                    messages.info(request, f"Nothing changed on {risk.reference}: the risk is as it was.")
                else:
                    messages.success(request, f"Risk saved, with the reason kept in its history: "
                                              f"{saved.reference}, {saved.title}.")
                return redirect(_risk_url(risk))
    else:
        form = RiskForm(initial=RiskForm.initial_for(risk), user=request.user, risk=risk)
    return render(request, "healthchecks/risks/form.html", {"form": form, "risk": risk})


def _step_view(name, *, form_class, done, refused):
    """The view of a review, closure or reopening from the risk's page, taken by the service of
    the same name given what the form asked: the wrong role is refused (403) and a risk out of
    scope is 404 before the form is read; a refusal comes back as a message. Every step works
    alike, so one view serves them all."""
    service = f"risk_{name}"

    def step(request, uuid):
        risk = _risk(request.user, uuid, action="risk.change")
        form = form_class(request.POST)
        if form.is_valid():
            try:
                # The service is found when the step is taken, as any call to it would be.
                take = getattr(services, service)
                risk = take(risk=risk, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, f"{refused} {' '.join(error.messages)}")
            else:
                messages.success(request, done(risk))
        else:
            messages.error(request, f"{refused} {said(form)}")
        return redirect(_risk_url(risk))

    step.__name__ = step.__qualname__ = service
    return login_required(require_POST(step))


risk_review = _step_view(
    "review", form_class=ReviewForm, refused="The review was not recorded.",
    done=lambda risk: f"Review recorded: the next review of {risk.reference} is due on "
                      f"{risk.next_review_on:%-d %B %Y}.",
)
risk_close = _step_view(
    "close", form_class=CloseForm, refused="The risk was not closed.",
    done=lambda risk: f"Risk closed, with the reason kept in its history: {risk.reference}.",
)
risk_reopen = _step_view(
    "reopen", form_class=ReopenForm, refused="The risk was not reopened.",
    done=lambda risk: f"Risk reopened: {risk.reference}. Its next review is due on "
                      f"{risk.next_review_on:%-d %B %Y}.",
)


@login_required
@require_GET
def academy_risks(request, urn):
    academy = get_scoped_or_404(request.user, Academy.objects.select_related("hub", "trust"),
                                action="risk.view", urn=urn)
    today = timezone.localdate()
    risks = _mark_overdue(selectors.academy_risks(request.user, academy), today)
    scope = scope_for(request.user)
    return render(request, "healthchecks/risks/academy.html", {
        "academy": academy,
        "risks": risks,
        "open_count": sum(risk.is_open for risk in risks),
        "heatmap": selectors.heatmap(Risk.objects.visible_to(request.user).filter(academy=academy)),
        "today": today,
        "can_raise": scope.can("risk.change", academy),
        "may_register": scope.can_anywhere("risk.register"),
    })


# Risk rules


def _rules_reader(user):
    """The rules are read by those who keep them and by the register's readers; others 404."""
    scope = scope_for(user)
    if not (scope.can_anywhere("riskrule.change") or scope.can_anywhere("risk.register")):
        raise Http404


@login_required
@require_GET
def rule_list(request):
    _rules_reader(request.user)
    rules = list(RiskRule.objects.select_related("measure").order_by("-active", "name"))
    counts = {
        row["rule_id"]: row
        for row in Risk.objects.visible_to(request.user).filter(rule__isnull=False).order_by()
        .values("rule_id").annotate(raised=Count("pk"), open=Count("pk", filter=Q(status=Risk.Status.OPEN)))
    }
    for rule in rules:
        rule.raised = counts.get(rule.pk, {}).get("raised", 0)
        rule.open = counts.get(rule.pk, {}).get("open", 0)
    return render(request, "healthchecks/risks/rules.html", {
        "rules": rules,
        "can_change": scope_for(request.user).can("riskrule.change"),
        "whole_trust": scope_for(request.user).trust_wide,
    })


def _rule_form(request, rule=None):
    _rules_reader(request.user)
    require(request.user, "riskrule.change")
    if rule is not None:
        rule = get_object_or_404(RiskRule.objects.select_related("measure"), uuid=rule)
    form = RuleForm(request.POST if request.method == "POST" else None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # The rule takes effect now, over every academy; a rule never raises a risk twice.
            enqueue_on_commit(run_risk_rules)
        messages.success(request, f"Rule saved: {saved.name}. "
                                  + ("It runs over the data now and each night." if saved.active
                                     else "It is not active, so it raises no risks."))
        return redirect("healthchecks:rules")
    return render(request, "healthchecks/risks/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    return _rule_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, uuid):
    return _rule_form(request, rule=uuid)
