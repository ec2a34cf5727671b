"""An academy's performance data, its inspections and self-evaluation, and the measures catalogue."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trust.access import get_scoped_or_404, require, require_anywhere, scope_for

from . import selectors
from .forms_data import MeasureForm, NextDueForm, ResultFilterForm, SEFForm
from .models import Academy, Inspection, Measure


def _academy(user, urn, action="results.view"):
    return get_scoped_or_404(user, Academy.objects.select_related("trust", "hub"), action=action, urn=urn)


@login_required
@require_GET
def academy_data(request, urn):
    academy = _academy(request.user, urn)
    form = ResultFilterForm(request.GET or None)
    data = selectors.academy_results(academy, user=request.user, **form.filters)
    form.offer_years(data.years)
    year_asked = form.filters.get("year")
    return render(request, "academies/data/academy_data.html", {
        "academy": academy,
        "form": form,
        "data": data,
        "year_missing": bool(year_asked and (data.year is None or data.year.start_year != year_asked)),
        "last_upload": selectors.last_upload(academy),
        "tab": "data",
    })


def _ofsted_page(request, academy, *, sef_form=None, due_form=None, due_for=None):
    scope = scope_for(request.user)
    inspections = selectors.inspections_for(academy)
    sef = selectors.latest_sef(academy)
    can_sef = scope.can("sef.change", academy)
    can_inspection = scope.can("inspection.change", academy)
    latest = inspections[0] if inspections else None
    if can_inspection and due_form is None and latest is not None:
        due_form, due_for = NextDueForm(instance=latest), latest
    return render(request, "academies/data/academy_ofsted.html", {
        "academy": academy,
        "inspections": [(i, selectors.overall_text(i)) for i in inspections],
        "latest": latest,
        "sef": sef,
        "comparison": selectors.sef_comparison(academy, inspections=inspections, sef=sef,
                                                user=request.user),
        "sef_form": (sef_form or SEFForm(academy=academy)) if can_sef else None,
        "due_form": due_form,
        "due_for": due_for,
        "tab": "ofsted",
    })


@login_required
@require_GET
def academy_ofsted(request, urn):
    return _ofsted_page(request, _academy(request.user, urn))


@login_required
@require_POST
def sef_create(request, urn):
    academy = _academy(request.user, urn, action="sef.change")
    form = SEFForm(request.POST, academy=academy)
    if not form.is_valid():
        return _ofsted_page(request, academy, sef_form=form)
    judgement = form.save(commit=False)
    judgement.entered_by = request.user
    judgement.save()
    messages.success(
        request, f"Self-evaluation of {judgement.get_area_display()} recorded: {judgement.label}."
    )
    return redirect(reverse("academies:ofsted", kwargs={"urn": academy.urn}) + "#sef")


@login_required
@require_POST
def inspection_next_due(request, urn, uuid):
    inspection = get_scoped_or_404(
        request.user, Inspection.objects.select_related("academy__trust", "academy__hub"),
        action="inspection.change", uuid=uuid, academy__urn=urn,
    )
    academy = inspection.academy
    # The form works on a copy, so that a refused date is never shown as the saved one.
    form = NextDueForm(request.POST, instance=copy.copy(inspection))
    if not form.is_valid():
        return _ofsted_page(request, academy, due_form=form, due_for=inspection)
    form.save()
    saved = form.instance.next_due_override
    messages.success(
        request,
        f"Next inspection due: {saved:%-d %B %Y} (set by the trust)." if saved
        else "Next inspection due: back to the computed date.",
    )
    return redirect(reverse("academies:ofsted", kwargs={"urn": academy.urn}))


@login_required
@require_http_methods(["GET", "POST"])
def measure_list(request):
    require_anywhere(request.user, "results.view")
    can_add = scope_for(request.user).can("measure.change")
    form = None
    if request.method == "POST":
        require(request.user, "measure.change")
        form = MeasureForm(request.POST)
        if form.is_valid():
            measure = form.save()
            messages.success(request, f"{measure.label} ({measure.code}) has been added to the measures.")
            return redirect("academies:measures")
    measures = list(Measure.objects.order_by("category", "order", "label"))
    phases = dict(Academy.Phase.choices)
    for measure in measures:
        measure.phase_labels = [phases.get(p, p) for p in measure.phases]
    categories = [
        (label, [m for m in measures if m.category == value])
        for value, label in Measure.Category.choices
    ]
    return render(request, "academies/data/measure_list.html", {
        "categories": [(label, ms) for label, ms in categories if ms],
        "form": (form or MeasureForm()) if can_add else None,
    })
