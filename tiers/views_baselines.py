"""Due-diligence baselines of schools joining the trust: written as a draft, then completed,
which proposes the school's first tier to the Trust Board.

Scope: baselines read trust-only evidence, so only trust staff (baseline.view) read them and
everyone else gets 404, as if there were none; writing needs baseline.change for the academy
(in scope but read-only: 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.forms_targets import add_errors
from academies.models import Academy
from trust.access import get_scoped_or_404, require_anywhere, scope_for

from . import services
from .forms_support import BaselineForm
from .models import BaselineAssessment

BASELINES = BaselineAssessment.objects.select_related("academy__hub", "by")
DRAFT = BaselineAssessment.Status.DRAFT


def _baseline(user, uuid, action="baseline.view"):
    require_anywhere(user, "baseline.view")
    return get_scoped_or_404(user, BASELINES, action=action, uuid=uuid)


def _url(baseline):
    return reverse("tiers:baseline", kwargs={"uuid": baseline.uuid})


@login_required
@require_GET
def baseline_list(request):
    require_anywhere(request.user, "baseline.view")
    baselines = list(
        BASELINES.permitting(request.user, "baseline.view").order_by("-assessed_on", "academy__name")
    )
    return render(request, "tiers/baselines/list.html", {
        "baselines": baselines,
        "joining": list(
            Academy.objects.permitting(request.user, "baseline.change")
            .filter(status=Academy.Status.JOINING)
            .order_by("name")
        ),
    })


@login_required
@require_http_methods(["GET", "POST"])
def baseline_create(request, urn):
    require_anywhere(request.user, "baseline.view")
    academy = get_scoped_or_404(
        request.user, Academy.objects.select_related("hub"), action="baseline.change", urn=urn
    )
    if request.method == "POST":
        form = BaselineForm(request.POST)
        if form.is_valid():
            try:
                baseline = services.baseline_create(academy=academy, by=request.user, **form.service_fields())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Baseline of {academy.name} saved as a draft.")
                return redirect(_url(baseline))
    else:
        form = BaselineForm(initial={"assessed_on": timezone.localdate()})
    return render(request, "tiers/baselines/form.html", {"form": form, "academy": academy, "baseline": None})


@login_required
@require_GET
def baseline_detail(request, uuid):
    baseline = _baseline(request.user, uuid)
    can_change = scope_for(request.user).can("baseline.change", baseline.academy)
    return render(request, "tiers/baselines/detail.html", {
        "baseline": baseline,
        "academy": baseline.academy,
        "proposals": list(baseline.assignments.select_related("academic_year").order_by("proposed_at")),
        "can_change": can_change and baseline.status == DRAFT,
    })


@login_required
@require_http_methods(["GET", "POST"])
def baseline_edit(request, uuid):
    baseline = _baseline(request.user, uuid, action="baseline.change")
    if baseline.status != DRAFT:
        messages.error(
            request, "This baseline is complete and its first tier proposed: it can no longer change."
        )
        return redirect(_url(baseline))
    if request.method == "POST":
        form = BaselineForm(request.POST, instance=baseline)
        if form.is_valid():
            try:
                services.baseline_update(
                    baseline, by=request.user, version=form.cleaned_data["version"], **form.service_fields()
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Baseline saved.")
                return redirect(_url(baseline))
    else:
        form = BaselineForm(instance=baseline, initial={"version": baseline.version})
    return render(request, "tiers/baselines/form.html", {
        "form": form, "academy": baseline.academy, "baseline": baseline,
    })


@login_required
@require_POST
def baseline_complete(request, uuid):
    baseline = _baseline(request.user, uuid, action="baseline.change")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = baseline.version
    try:
        baseline, assignment = services.baseline_complete(baseline, by=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Baseline complete: tier {assignment.tier} proposed for {baseline.academy.name} "
            f"in {assignment.academic_year}, for the Trust Board to decide."
        )
    return redirect(_url(baseline))
