"""Link-governor visits: an academy's record of what its governors looked at, each linked to the
development-plan priority it followed up.

Everyone who sees the academy reads its visits. Only a governor of the academy records one, and
only the governor who recorded a visit changes it. The services in healthchecks/services.py do
the writes and check both again.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from academies.forms_plans import year_label
from academies.models import Academy
from trust.access import get_scoped_or_404, scope_for

from . import services
from .forms_visits import VisitForm, show_refusal
from .models import GovernorVisit

PER_PAGE = 20

VISITS = GovernorVisit.objects.select_related("academy", "governor", "priority__plan__academic_year")


def _academy(user, urn, action="visit.view"):
    return get_scoped_or_404(user, Academy.objects.select_related("trust", "hub"), action=action, urn=urn)


def _visits_url(academy):
    return reverse("healthchecks:visits", kwargs={"urn": academy.urn})


def priority_url(priority):
    """The development plan page, at the priority."""
    plan = priority.plan
    url = reverse("academies:plan", kwargs={"urn": plan.academy.urn})
    return f"{url}?year={year_label(plan.academic_year.start_year)}#priority-{priority.uuid}"


@login_required
@require_GET
def visit_list(request, urn):
    academy = _academy(request.user, urn)
    page = Paginator(VISITS.filter(academy=academy), PER_PAGE).get_page(request.GET.get("page"))
    visits = list(page)
    for visit in visits:
        if visit.priority_id:
            visit.priority.plan.academy = academy  # for the priority's link, without another query
            visit.priority_link = priority_url(visit.priority)
    can_record = scope_for(request.user).can("visit.record", academy)
    for visit in visits:
        visit.editable = can_record and visit.governor_id == request.user.pk
    return render(request, "healthchecks/visits/visit_list.html", {
        "academy": academy,
        "visits": visits,
        "page": page,
        "can_record": can_record,
    })


def _form_page(request, academy, form, **context):
    return render(request, "healthchecks/visits/visit_form.html", {
        "academy": academy, "form": form, "visits_url": _visits_url(academy), **context,
    })


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, urn):
    academy = _academy(request.user, urn, action="visit.record")
    form = VisitForm(request.POST or None, academy=academy)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(academy=academy, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request, f"Visit of {visit.visited_on:%-d %B %Y} recorded: {visit.focus}."
            )
            return redirect(_visits_url(academy))
    return _form_page(
        request, academy, form, page_title="Record a link-governor visit", submit="Record the visit",
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, uuid):
    visit = get_scoped_or_404(request.user, VISITS, action="visit.record", uuid=uuid)
    if visit.governor_id != request.user.pk:
        raise PermissionDenied  # another governor's record of their visit
    academy = visit.academy
    # The form works on a copy, so that refused text is never shown as the saved record.
    form = VisitForm(request.POST or None, instance=copy.copy(visit), academy=academy)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_edit(visit=visit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Visit of {visit.visited_on:%-d %B %Y} saved: {visit.focus}.")
            return redirect(_visits_url(academy))
    return _form_page(
        request, academy, form, visit=visit, page_title="Edit your record of a visit",
        submit="Save the visit",
    )
