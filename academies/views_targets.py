"""An academy's targets and each step of their year: added and proposed by the academy, reviewed
by the local governing board, agreed by the Trust Board (one at a time or a meeting's list at
once), amended after agreement with a reason; and each target's history.

The services decide who may take which step and when; these views only hide the buttons a person
could not use, show a refused step as an error on the page, and answer 403 to the wrong role.
"""

from decimal import Decimal
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trust.access import get_scoped_or_404, scope_for
from trust.models import AcademicYear

from . import selectors, services
from .forms_targets import (
    AgreeForm,
    AmendForm,
    BoardAgreeForm,
    BoardFilterForm,
    ReturnForm,
    ReviewForm,
    Steps,
    TargetForm,
    YearForm,
    add_errors,
    settable_years,
    year_label,
)
from .models import Academy, PupilGroup, Target, TargetPolicy
from .models.results import Subject, YearGroup

S = Target.Status
P = Target.Progress

STATUS_NOTES = {
    S.DRAFT: "Being prepared by the academy; not yet proposed.",
    S.PROPOSED: "Proposed by the academy, awaiting the local governing board's review.",
    S.REVIEWED: "Reviewed by the local governing board, awaiting the Trust Board's decision.",
    S.AGREED: "Agreed by the Trust Board: they change only by an amendment with a reason.",
}

# Progress is said in words with a symbol; the colour only repeats them.
PROGRESS_MARKS = {
    P.ON_TRACK: ("✔", "success"),
    P.AT_RISK: ("⚠", "warning"),
    P.OFF_TRACK: ("✖", "danger"),
    P.NO_DATA: ("○", "secondary"),
    P.NOT_JUDGED: ("?", "secondary"),
}

FIELD_LABELS = {
    "measure": "Measure", "pupil_group": "Pupil group", "year_group": "Year group", "subject": "Subject",
    "value": "Target", "rationale": "Rationale", "standard": "Standard",
}
# A change to a choice is kept as its code; the history says it in words.
CHOICE_LABELS = {"pupil_group": dict(PupilGroup.choices), "year_group": dict(YearGroup.choices),
                 "subject": dict(Subject.choices)}

TARGETS = Target.objects.select_related(
    "academy__trust", "academy__hub", "academic_year", "measure", "standard", "progress_result",
    "proposed_by", "reviewed_by", "agreed_by",
)


def _academy(user, urn, action="target.view"):
    return get_scoped_or_404(user, Academy.objects.select_related("trust", "hub"), action=action, urn=urn)


def _target(user, urn, uuid, action="target.view"):
    return get_scoped_or_404(user, TARGETS, action=action, uuid=uuid, academy__urn=urn)


def describe(target):
    """A target in a few words: what, for whom, and the year."""
    parts = [target.get_pupil_group_display()]
    if target.year_group:
        parts.append(target.get_year_group_display())
    if target.subject:
        parts.append(target.get_subject_display())
    return f"{target.measure.label} ({', '.join(parts)}), {target.academic_year}"


def _decorate(targets, steps, policy, today, *, hide_small=False):
    """Everything the templates show of each target, worked out once, before rendering.

    With `hide_small` (a governor), a latest result for a group too small to report is not
    shown, and neither is the progress it gives, which would narrow the hidden figure down."""
    for target in targets:
        target.can = steps.for_target(target) if steps else {}
        target.overdue = services.is_overdue(target, today=today, policy=policy)
        target.deadline = policy.deadline(target.academic_year)
        symbol, tone = PROGRESS_MARKS[target.progress]
        target.mark = {"symbol": symbol, "tone": tone, "text": target.get_progress_display()}
        target.describe = describe(target)
        target.value_text = target.measure.format(target.value)
        target.latest = target.measure.format(target.progress_value)
        result = target.progress_result
        if hide_small and result is not None and selectors.is_small_cohort(
            result, target.academy.trust.small_cohort_threshold
        ):
            target.mark = {"symbol": "c", "tone": "secondary",
                           "text": "Hidden: the group is too small to report"}
            target.latest, result = "", None
        target.latest_source = (
            "" if result is None else "published" if result.source == "published"
            else f"in-year assessment, {result.get_term_display().lower()}"
        )
    return targets


def _list_url(target):
    url = reverse("academies:targets", kwargs={"urn": target.academy.urn})
    return f"{url}?year={target.academic_year.label}#target-{target.uuid}"


def _detail_url(target):
    return reverse("academies:target", kwargs={"urn": target.academy.urn, "uuid": target.uuid})


def _back(request, target):
    return redirect(_detail_url(target) if request.POST.get("next") == "detail" else _list_url(target))


@login_required
@require_GET
def academy_targets(request, urn):
    academy = _academy(request.user, urn)
    today = timezone.localdate()
    current = AcademicYear.start_year_for(today)
    form = YearForm(request.GET or None, initial={"year": year_label(current)})
    start = form.start_year(current)
    years = set(Target.objects.filter(academy=academy).values_list("academic_year__start_year", flat=True))
    form.offer_years(sorted(years | {*settable_years(today), start}, reverse=True))
    # A year nobody has set targets for is shown empty, without creating it.
    year = AcademicYear.objects.filter(start_year=start).first() or AcademicYear(start_year=start)
    policy = TargetPolicy.for_trust(academy.trust)
    steps = Steps.of(request.user, academy)
    targets = _decorate(list(TARGETS.filter(academy=academy, academic_year__start_year=start)),
                        steps, policy, today,
                        hide_small=selectors.hides_small_cohorts(request.user, academy))
    by_status = {status: list(rows) for status, rows in groupby(
        sorted(targets, key=lambda t: S.values.index(t.status)), key=lambda t: t.status)}
    return render(request, "academies/targets/academy_targets.html", {
        "academy": academy,
        "tab": "targets",
        "form": form,
        "year": year,
        "deadline": policy.deadline(year),
        "overdue": sum(t.overdue for t in targets),
        "groups": [(status, label, STATUS_NOTES[status], by_status.get(status, []))
                   for status, label in S.choices],
        "count": len(targets),
        "today": today,
        "may_agree": steps.agree,
        "can_add": steps.edit and start in settable_years(today),
        "may_act": any(any(t.can.values()) for t in targets),
        "next": "list",
    })


def _detail_page(request, target, *, failed="", form=None):
    academy = target.academy
    policy = TargetPolicy.for_trust(academy.trust)
    _decorate([target], Steps.of(request.user, academy), policy, timezone.localdate(),
              hide_small=selectors.hides_small_cohorts(request.user, academy))
    events = list(target.events.select_related("by"))
    for event in events:
        event.change_rows = [
            (FIELD_LABELS.get(name, name), *(_change_text(target, name, v) for v in (before, after)))
            for name, (before, after) in event.changes.items()
        ]
    return render(request, "academies/targets/target_detail.html", {
        "academy": academy,
        "tab": "targets",
        "t": target,
        "crumb": target.describe,
        "today": timezone.localdate(),
        "events": events,
        "failed": failed,
        "form": form,
        "next": "detail",
    })


def _change_text(target, name, value):
    """A value from a change in the history, in words: a target in its measure's units, a choice
    by its label."""
    if name == "value" and value is not None:
        try:
            return target.measure.format(Decimal(value))
        except ArithmeticError:
            return value
    return CHOICE_LABELS.get(name, {}).get(value, value)


@login_required
@require_GET
def target_detail(request, urn, uuid):
    return _detail_page(request, _target(request.user, urn, uuid))


def _suggestions(academy, dimensions, start_year):
    """What to start from, for the figure chosen so far: None until a measure is chosen."""
    measure = dimensions.get("measure")
    if measure is None or start_year is None:
        return None
    found = services.target_suggestions(
        academy=academy, academic_year=AcademicYear(start_year=start_year), measure=measure,
        pupil_group=dimensions.get("pupil_group") or "all", year_group=dimensions.get("year_group") or "",
        subject=dimensions.get("subject") or "",
    )
    places = Decimal(1).scaleb(-min(measure.decimal_places, 2))
    return {
        "rows": [
            (f"Last year's result ({year_label(start_year - 1)})", measure.format(found["last_year"])),
            ("National (latest published)", measure.format(found["national"])),
            ("Last year's result with the trust's challenge", measure.format(found["challenge"])),
        ],
        "challenge": None if found["challenge"] is None else found["challenge"].quantize(places),
    }


def _initial(target):
    return {"measure": target.measure_id, "pupil_group": target.pupil_group, "year_group": target.year_group,
            "subject": target.subject, "value": target.value, "rationale": target.rationale,
            "standard": target.standard_id}


def _as_asked(request, academy, target):
    """The form as filled in so far (a link's query, or "Suggest values"), not yet checked, with
    the suggestions for the figure chosen; a new target's value starts at the challenge."""
    data = request.POST if request.method == "POST" else request.GET
    fields = TargetForm(academy=academy, target=target).fields
    initial = {name: data[name] for name in fields if data.get(name)}
    if target is not None and request.method == "GET":
        initial = _initial(target)
    dimensions = TargetForm(initial, academy=academy, target=target).dimensions()
    if target is not None:
        start = target.academic_year.start_year
    else:
        start = initial["academic_year"] = dimensions.get("academic_year") or settable_years()[0]
    suggestions = _suggestions(academy, dimensions, start)
    if not initial.get("value") and suggestions and suggestions["challenge"] is not None:
        initial["value"] = suggestions["challenge"]
    return TargetForm(academy=academy, target=target, initial=initial), suggestions


def _target_form(request, academy, *, target=None, save):
    """Add a target or edit a draft: "Suggest values" shows the form again with the suggestions
    for the figure chosen; saving goes through the services (`save`)."""
    if request.method == "POST" and "suggest" not in request.POST:
        form = TargetForm(request.POST, academy=academy, target=target)
        if form.is_valid():
            try:
                saved = save(form)
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect(_list_url(saved))
        dimensions = form.dimensions()
        start = target.academic_year.start_year if target else dimensions.get("academic_year")
        suggestions = _suggestions(academy, dimensions, start)
    else:
        form, suggestions = _as_asked(request, academy, target)
    return render(request, "academies/targets/target_form.html", {
        "academy": academy, "tab": "targets", "form": form, "t": target, "suggestions": suggestions,
        "crumb": f"Edit: {describe(target)}" if target else "Add a target",
        "may_amend": target is not None and scope_for(request.user).can("target.amend", academy),
    })


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request, urn):
    academy = _academy(request.user, urn, action="target.edit")

    def save(form):
        target = services.target_create(academy=academy, academic_year=form.cleaned_data["academic_year"],
                                        by=request.user, **form.service_fields())
        messages.success(request, f"Target added as a draft: {describe(target)}.")
        return target

    return _target_form(request, academy, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, urn, uuid):
    target = _target(request.user, urn, uuid, action="target.edit")

    def save(form):
        saved = services.target_edit(target=target, by=request.user, **form.service_fields())
        messages.success(request, f"Draft saved: {describe(saved)}.")
        return saved

    return _target_form(request, target.academy, target=target, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def target_amend(request, urn, uuid):
    target = _target(request.user, urn, uuid, action="target.amend")
    if request.method == "POST":
        form = AmendForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = services.target_amend(target=target, by=request.user, reason=data["reason"],
                                               value=data["value"], rationale=data["rationale"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Agreed target changed, with the reason kept in its history: "
                                          f"{describe(target)}.")
                return redirect(_detail_url(target))
    else:
        form = AmendForm(initial={"value": target.value, "rationale": target.rationale})
    _decorate([target], None, TargetPolicy.for_trust(target.academy.trust), timezone.localdate())
    return render(request, "academies/targets/target_amend.html", {
        "academy": target.academy, "tab": "targets", "form": form, "t": target,
    })


def _step(request, urn, uuid, *, name, action, form_class, take, done):
    """One workflow step from a button: the wrong role is refused (403) before the form is
    read; a refused step is shown on the target's page, with the form as it was sent."""
    target = _target(request.user, urn, uuid, action=action or "target.view")
    if action is None and not Steps.of(request.user, target.academy).may_return:
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            target = take(target, request.user, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done(target))
            return _back(request, target)
    # As it is now: a refusal may be because someone else has just taken a step on it.
    return _detail_page(request, TARGETS.get(pk=target.pk), failed=name, form=form)


@login_required
@require_POST
def target_propose(request, urn, uuid):
    return _step(
        request, urn, uuid, name="propose", action="target.edit", form_class=forms.Form,
        take=lambda target, by, data: services.target_propose(target=target, by=by),
        done=lambda target: f"Proposed to the local governing board: {describe(target)}.",
    )


@login_required
@require_POST
def target_review(request, urn, uuid):
    return _step(
        request, urn, uuid, name="review", action="target.review", form_class=ReviewForm,
        take=lambda target, by, data: services.target_review(target=target, by=by, comments=data["comments"]),
        done=lambda target: f"The LGB's review is recorded; the target goes to the Trust Board: "
                            f"{describe(target)}.",
    )


@login_required
@require_POST
def target_return(request, urn, uuid):
    return _step(
        request, urn, uuid, name="return", action=None, form_class=ReturnForm,
        take=lambda target, by, data: services.target_return(target=target, by=by, comments=data["comments"]),
        done=lambda target: f"Returned to draft: {describe(target)}.",
    )


@login_required
@require_POST
def target_agree(request, urn, uuid):
    return _step(
        request, urn, uuid, name="agree", action="target.agree", form_class=AgreeForm,
        take=lambda target, by, data: services.target_agree(
            target=target, by=by, meeting=data["meeting"], minute=data["minute"]),
        done=lambda target: f"Agreed by the Trust Board on {target.board_meeting:%-d %B %Y}: "
                            f"{describe(target)}.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_board(request):
    """The Trust Board's list: targets reviewed by their LGBs and awaiting the board, agreed
    together for one meeting."""
    if not scope_for(request.user).can_anywhere("target.agree"):
        raise PermissionDenied
    mine = Target.objects.permitting(request.user, "target.agree")
    academies = Academy.objects.permitting(request.user, "target.agree")
    waiting = mine.filter(status=S.REVIEWED)
    years = sorted(set(waiting.values_list("academic_year__start_year", flat=True)), reverse=True)
    filters = BoardFilterForm(request.GET or None, academies=academies, years=years)
    if request.method == "POST":
        form = BoardAgreeForm(request.POST,
                              targets=mine.select_related("academy", "measure", "academic_year"))
        if form.is_valid():
            data = form.cleaned_data
            agreed, refused = services.targets_agree(targets=data["targets"], by=request.user,
                                                     meeting=data["meeting"], minute=data["minute"])
            _report(request, agreed, refused, data["meeting"])
            return redirect(request.get_full_path())
        selected = set(request.POST.getlist("targets"))
    else:
        form = BoardAgreeForm(targets=mine)
        selected = None
    rows = list(filters.apply(waiting).select_related(
        "academy__hub", "academy__trust", "academic_year", "measure", "standard", "reviewed_by",
        "progress_result",
    ).order_by("academy__name", "-academic_year__start_year", "measure__category", "measure__order",
               "pupil_group", "pk"))
    policies, today = {}, timezone.localdate()
    tick_all = bool(request.GET.get("all"))
    for target in rows:
        trust = target.academy.trust
        if trust.pk not in policies:
            policies[trust.pk] = TargetPolicy.for_trust(trust)
        _decorate([target], None, policies[trust.pk], today)
        target.selected = str(target.uuid) in selected if selected is not None else tick_all
    query = request.GET.copy()
    query.pop("all", None)
    return render(request, "academies/targets/board.html", {
        "filters": filters,
        "form": form,
        "rows": rows,
        "query": query.urlencode(),
        "today": today,
    })


def _report(request, agreed, refused, meeting):
    if agreed:
        messages.success(request, f"Agreed {len(agreed)} target{'s' if len(agreed) != 1 else ''} "
                                  f"for the Trust Board meeting of {meeting:%-d %B %Y}.")
    reasons = {}
    for target, why in refused:
        reasons.setdefault(why, []).append(f"{target.academy.name}: {describe(target)}")
    for why, names in reasons.items():
        messages.error(request, f"Not agreed ({len(names)}): {why} {'; '.join(names)}.")
