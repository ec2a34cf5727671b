"""An academy's development plan (priorities, their actions and progress reviews), the trust's
view of common priorities, and the export of a senior leader's objectives."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trust.access import get_scoped_or_404, require, require_anywhere, scope_for

from . import exports, plans
from .forms_plans import ActionForm, PlanYearForm, PriorityForm, ReviewForm, year_label
from .models import Academy, PlanAction, Priority


def _academy(user, urn, action="plan.view"):
    return get_scoped_or_404(user, Academy.objects.select_related("trust", "hub"), action=action, urn=urn)


def _priority(user, urn, uuid):
    return get_scoped_or_404(
        user, Priority.objects.select_related("plan__academy__hub", "plan__academic_year"),
        action="plan.change", uuid=uuid, plan__academy__urn=urn,
    )


def _action(user, urn, uuid):
    # An action is in scope when its priority is.
    priorities = Priority.objects.visible_to(user).filter(plan__academy__urn=urn)
    try:
        action = PlanAction.objects.select_related(
            "priority__plan__academy__hub", "priority__plan__academic_year"
        ).get(uuid=uuid, priority__in=priorities)
    except PlanAction.DoesNotExist:
        raise Http404 from None
    require(user, "plan.change", action.priority.plan.academy)
    return action


def _plan_url(academy, start_year, anchor=""):
    url = reverse("academies:plan", kwargs={"urn": academy.urn})
    return f"{url}?year={year_label(start_year)}{anchor}"


def _priority_url(priority):
    """The plan page, at the priority."""
    plan = priority.plan
    return _plan_url(plan.academy, plan.academic_year.start_year, f"#priority-{priority.uuid}")


def _page(request, academy, start_year, *, year_form=None, priority_form=None, failed=None):
    """The plan page; `failed` is (kind, priority id, bound form) after a refused action or review."""
    can_change = scope_for(request.user).can("plan.change", academy)
    plan = plans.plan_for(academy, start_year)
    priorities = list(plan.priorities.all()) if plan else []
    if can_change:
        for priority in priorities:
            for kind, form_class in (("action", ActionForm), ("review", ReviewForm)):
                form = None
                if failed and failed[0] == kind and failed[1] == priority.pk:
                    form = failed[2]
                setattr(priority, f"{kind}_form", form or form_class(auto_id=f"{kind}-{priority.uuid}-%s"))
        priority_form = priority_form or PriorityForm(academy=academy, start_year=start_year)
    return render(request, "academies/plans/plan.html", {
        "academy": academy,
        "year_label": year_label(start_year),
        "year_form": year_form or PlanYearForm(academy=academy),
        "plan": plan,
        "priorities": priorities,
        "too_many": len(priorities) > plans.FEW_PRIORITIES,
        "can_change": can_change,
        "priority_form": priority_form if can_change else None,
    })


@login_required
@require_GET
def plan_page(request, urn):
    academy = _academy(request.user, urn)
    year_form = PlanYearForm(request.GET if "year" in request.GET else None, academy=academy)
    return _page(request, academy, year_form.start_year, year_form=year_form)


@login_required
@require_POST
def priority_create(request, urn):
    academy = _academy(request.user, urn, action="plan.change")
    year_form = PlanYearForm(request.POST, academy=academy)
    start_year = year_form.start_year
    form = PriorityForm(request.POST, academy=academy, start_year=start_year)
    if form.is_valid() and not year_form.is_valid():
        form.add_error(None, year_form.errors["year"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The plan is made with its first priority, or not at all.
            with transaction.atomic():
                year = plans.year_of(start_year)
                plan = plans.plan_get_or_create(academy=academy, year=year, by=request.user)
                priority = plans.priority_create(plan=plan, by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Priority added to the {plan.academic_year} plan: {priority.title}.")
            return redirect(_priority_url(priority))
    return _page(request, academy, start_year, priority_form=form)


def _saved(request, form, priority, save):
    """When the form is valid, run `save(**cleaned_data)` and go back to the priority with the message
    it returns; otherwise (or when the service refuses) None, to show the form again with why."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message = save(**form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, message)
    return redirect(_priority_url(priority))


def _edit_page(request, priority, form, **context):
    plan = priority.plan
    return render(request, "academies/plans/edit.html", {
        "academy": plan.academy, "plan": plan, "priority": priority, "form": form,
        "year_label": plan.academic_year.label, "plan_url": _priority_url(priority), **context,
    })


def _refused(request, priority, kind, form):
    """The plan page again, with the refused form open under its priority."""
    plan = priority.plan
    return _page(request, plan.academy, plan.academic_year.start_year, failed=(kind, priority.pk, form))


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request, urn, uuid):
    priority = _priority(request.user, urn, uuid)
    plan = priority.plan
    # The form works on a copy, so that refused text is never shown as the saved title.
    form = PriorityForm(request.POST or None, instance=copy.copy(priority), academy=plan.academy,
                        start_year=plan.academic_year.start_year)

    def save(**data):
        plans.priority_update(priority=priority, by=request.user, **data)
        return f"Priority saved: {priority.title}."

    return _saved(request, form, priority, save) or _edit_page(
        request, priority, form, page_title="Edit a priority", submit="Save the priority", deletable=True,
        intro=f"{priority.title}, in the {plan.academic_year} development plan of {plan.academy.name}.",
    )


@login_required
@require_POST
def priority_delete(request, urn, uuid):
    priority = _priority(request.user, urn, uuid)
    plan = priority.plan
    plans.priority_delete(priority=priority, by=request.user)
    messages.success(request, f"Priority removed from the plan: {priority.title}.")
    return redirect(_plan_url(plan.academy, plan.academic_year.start_year))


# What is added under a priority from the plan page: its form, the service, and what to say after.
ADDITIONS = {
    "action": (ActionForm, plans.action_create,
               lambda priority, action: f"Action added to \u201c{priority.title}\u201d: {action.title}."),
    "review": (ReviewForm, plans.review_record,
               lambda priority, review: f"Review of \u201c{priority.title}\u201d recorded: "
                                        f"{review.get_rag_display()}."),
}


def _add(request, urn, uuid, kind):
    form_class, service, done = ADDITIONS[kind]
    priority = _priority(request.user, urn, uuid)
    form = form_class(request.POST, auto_id=f"{kind}-{priority.uuid}-%s")

    def save(**data):
        return done(priority, service(priority=priority, by=request.user, **data))

    return _saved(request, form, priority, save) or _refused(request, priority, kind, form)


@login_required
@require_POST
def action_create(request, urn, uuid):
    return _add(request, urn, uuid, "action")


@login_required
@require_POST
def review_create(request, urn, uuid):
    return _add(request, urn, uuid, "review")


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, urn, uuid):
    action = _action(request.user, urn, uuid)
    priority = action.priority
    form = ActionForm(request.POST or None, instance=copy.copy(action))

    def save(**data):
        plans.action_update(action=action, by=request.user, **data)
        return f"Action saved: {action.title} ({action.get_status_display().lower()})."

    return _saved(request, form, priority, save) or _edit_page(
        request, priority, form, page_title="Edit an action", submit="Save the action",
        intro=f"An action of the priority \u201c{priority.title}\u201d in the {priority.plan.academic_year} "
              f"development plan of {priority.plan.academy.name}.",
    )


@login_required
@require_GET
def common_priorities(request):
    require_anywhere(request.user, "plan.view")
    start_year, error = plans.parse_year(request.GET.get("year"))
    scope = scope_for(request.user)
    return render(request, "academies/plans/common_priorities.html", {
        "groups": plans.common_priorities(request.user, start_year),
        "year_label": year_label(start_year),
        "year_error": error,
        "years": [year_label(y) for y in plans.visible_plan_years(request.user)],
        "whole_scope": scope.trust_wide or bool(scope.hub_roles),
    })


@login_required
@require_GET
def objectives_export(request, urn, fmt):
    academy = _academy(request.user, urn)
    require(request.user, "target.view", academy)
    start_year, error = plans.parse_year(request.GET.get("year"))
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    content, content_type, file_name = exports.objectives_file(academy, start_year, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Performance-management records: not kept by browsers or proxies.
    patch_cache_control(response, private=True, no_store=True)
    return response
