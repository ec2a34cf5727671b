"""Health-check reports: the lists, filing and editing a report, each step of its workflow (submit
to the headteacher, their factual-accuracy response, return to draft, publish), the report and
its PDF, and progress on its actions.

Which reports a person reads is the HealthCheck queryset's rule (a draft is the trust's alone; a
headteacher reads from submission, other academy roles once published); the services decide
who may take which step and when. These views only hide the buttons a person could not use, show
a refused step with its reason, and answer 403 to the wrong role and 404 out of scope.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.forms_targets import add_errors
from academies.models import Academy
from academies.selectors import latest_sef
from trust.access import get_scoped_or_404, require, scope_for

from . import pdf, services
from .forms_reports import (
    ActionUpdateForm,
    HealthCheckForm,
    ReportFilterForm,
    ResponseForm,
    ReturnForm,
    recommendation_formset,
    recommendation_initial,
)
from .models import Action, HealthCheck
from .pages import private_download, query_without_page, said

S = HealthCheck.Status
PAGE_SIZE = 25

REPORTS = HealthCheck.objects.select_related(
    "academy__hub", "academy__trust", "lead_reviewer", "responded_by", "published_by",
)


@dataclass(frozen=True)
class Steps:
    """What one person may do to one academy's reports, and so which buttons to show. The
    services decide; this mirrors them so that nobody is offered a step they would be refused."""

    file: bool
    respond: bool
    update: bool

    @classmethod
    def of(cls, user, academy):
        scope = scope_for(user)
        return cls(*(scope.can(action, academy)
                     for action in ("healthcheck.file", "healthcheck.respond", "healthaction.update")))

    def for_report(self, report):
        status = report.status
        return {
            "edit": self.file and status != S.PUBLISHED,
            "submit": self.file and status == S.DRAFT,
            "respond": self.respond and status == S.SUBMITTED,
            "return": self.file and status in (S.SUBMITTED, S.RESPONDED),
            "publish": self.file and status in (S.SUBMITTED, S.RESPONDED),
            "update": self.update and status == S.PUBLISHED,
            # Earlier actions are reviewed against this report by whoever tracks actions.
            "review_earlier": self.update,
        }


def _academy(user, urn, action="healthcheck.view"):
    return get_scoped_or_404(user, Academy.objects.select_related("trust", "hub"), action=action, urn=urn)


def _report(user, uuid, action="healthcheck.view"):
    return get_scoped_or_404(user, REPORTS, action=action, uuid=uuid)


def _detail_url(report, anchor=""):
    return reverse("healthchecks:detail", kwargs={"uuid": report.uuid}) + anchor


def _with_open_actions(reports):
    return reports.select_related("academy", "lead_reviewer").annotate(
        open_actions=Count("actions", filter=Q(actions__status__in=Action.OPEN))
    ).order_by("-visit_start", "-created_at", "-pk")


def _open_published_actions(user, academy):
    """The academy's actions still open from its published reports, that the person sees."""
    return (
        Action.objects.visible_to(user).open()
        .filter(health_check__academy=academy, health_check__status=S.PUBLISHED)
        .select_related("health_check", "owner")
        .order_by("due_on", "health_check__visit_start", "number")
    )


def _marked_overdue(actions, today):
    """The actions, each marked overdue or not: every list of them says which are late."""
    actions = list(actions)
    for action in actions:
        action.overdue = action.is_overdue(today)
    return actions


@login_required
@require_GET
def health_check_list(request):
    """Every report the person may read, newest first, filtered by academy, state and kind."""
    user = request.user
    academies = Academy.objects.visible_to(user)
    form = ReportFilterForm(request.GET or None, academies=academies)
    reports = form.apply(_with_open_actions(HealthCheck.objects.visible_to(user)))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "healthchecks/reports/list.html", {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "filtered": form.is_bound,
    })


@login_required
@require_GET
def academy_health_checks(request, urn):
    """One academy's reports the person may read, with the actions still open from the published ones."""
    academy = _academy(request.user, urn)
    reports = list(_with_open_actions(HealthCheck.objects.visible_to(request.user).filter(academy=academy)))
    actions = _marked_overdue(_open_published_actions(request.user, academy), timezone.localdate())
    return render(request, "healthchecks/reports/academy_list.html", {
        "academy": academy,
        "reports": reports,
        "actions": actions,
        "overdue": sum(a.overdue for a in actions),
        "can_file": scope_for(request.user).can("healthcheck.file", academy),
    })


def _form_page(request, academy, form, formset, *, report=None):
    sef = latest_sef(academy)
    earlier = _open_published_actions(request.user, academy)
    if report is not None:
        earlier = earlier.exclude(health_check=report)
    return render(request, "healthchecks/reports/form.html", {
        "academy": academy,
        "report": report,
        "form": form,
        "formset": formset,
        "area_rows": form.area_rows({j.area: j for j in sef}),
        "sef": sef,
        "earlier": _marked_overdue(earlier, timezone.localdate()),
        "page_title": "Edit the health-check report" if report else "File a health check",
    })


def _refusal(form, formset):
    """Why a save was refused, when the cause is on a recommendation row rather than the form."""
    if not formset.is_valid() and form.is_valid() and not form.non_field_errors():
        form.add_error(None, "A recommendation needs correcting: see the recommendations below.")


@login_required
@require_http_methods(["GET", "POST"])
def health_check_create(request, urn):
    academy = _academy(request.user, urn, action="healthcheck.file")
    data = request.POST if request.method == "POST" else None
    form = HealthCheckForm(data, academy=academy, by=request.user)
    formset = recommendation_formset(academy, data)
    if data is not None:
        if form.is_valid() and formset.is_valid():
            try:
                report = services.health_check_create(
                    academy=academy, by=request.user, judgements=form.judgements(),
                    recommendations=formset.recommendations(), **form.report_fields(),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Health-check report saved as a draft: {report}.")
                return redirect(_detail_url(report))
        _refusal(form, formset)
    return _form_page(request, academy, form, formset)


@login_required
@require_http_methods(["GET", "POST"])
def health_check_edit(request, uuid):
    report = _report(request.user, uuid, action="healthcheck.file")
    if report.is_published:
        # A published report is the academy's record: it is not changed afterwards.
        raise PermissionDenied
    academy = report.academy
    if request.method == "POST":
        form = HealthCheckForm(request.POST, academy=academy, by=request.user, report=report)
        formset = recommendation_formset(academy, request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.health_check_edit(
                    health_check=report, by=request.user, version=form.cleaned_data["version"],
                    judgements=form.judgements(), recommendations=formset.recommendations(),
                    **form.report_fields(),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if saved.version == report.version:
                    messages.info(request, "Nothing had changed, so nothing was saved.")
                else:
                    messages.success(request, f"Health-check report saved: {saved}.")
                return redirect(_detail_url(saved))
        _refusal(form, formset)
    else:
        form = HealthCheckForm(initial=HealthCheckForm.initial_for(report), academy=academy, by=request.user,
                               report=report)
        formset = recommendation_formset(academy, initial=recommendation_initial(report))
    return _form_page(request, academy, form, formset, report=report)


def _update_form(action, report=None):
    return ActionUpdateForm(
        auto_id=f"update-{action.uuid}-%s",
        initial={"status": action.status, "evidence": action.evidence,
                 "health_check": report.uuid if report is not None else None},
    )


def _detail_page(request, report, *, failed="", form=None):
    """The report; `failed` names a refused step, whose `form` comes back with the reason."""
    content = pdf.report_content(report, request.user)
    steps = Steps.of(request.user, report.academy)
    can = steps.for_report(report)
    if can["update"]:
        for action in content.actions:
            action.update_form = _update_form(action) if action.is_open else None
    earlier = _marked_overdue(
        _open_published_actions(request.user, report.academy).exclude(health_check=report)
        .filter(health_check__visit_start__lte=report.visit_start),
        content.today,
    )
    for action in earlier:
        action.update_form = _update_form(action, report) if can["review_earlier"] else None
    return render(request, "healthchecks/reports/detail.html", {
        "academy": report.academy,
        "report": report,
        "c": content,
        "can": can,
        "earlier": earlier,
        "failed": failed,
        "form": form,
        "response_form": form if failed == "respond" else ResponseForm(auto_id="respond-%s"),
        "return_form": form if failed == "return" else ReturnForm(auto_id="return-%s"),
    })


@login_required
@require_GET
def health_check_detail(request, uuid):
    return _detail_page(request, _report(request.user, uuid))


def _step_view(name, *, action, form_class, done):
    """The view of one workflow step from a button, taken by the service of the same name given
    what the form asked: the wrong role is refused (403) before the form is read; a refused step
    is shown on the report's page with its reason and the form as it was sent. Every step works
    alike, so one view serves them all."""
    service = f"health_check_{name}"

    def step(request, uuid):
        report = _report(request.user, uuid, action=action)
        form = form_class(request.POST, auto_id=f"{name}-%s")
        if form.is_valid():
            try:
                # The service is found when the step is taken, as any call to it would be.
                take = getattr(services, service)
                report = take(health_check=report, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, done(report))
                return redirect(_detail_url(report))
        # As it is now: a refusal may be because someone else has just moved it, perhaps out of sight.
        current = REPORTS.visible_to(request.user).filter(pk=report.pk).first()
        if current is None:
            messages.error(request, " ".join(form.non_field_errors()) or "The step was not taken.")
            return redirect("healthchecks:list")
        return _detail_page(request, current, failed=name, form=form)

    step.__name__ = step.__qualname__ = service
    return login_required(require_POST(step))


health_check_submit = _step_view(
    "submit", action="healthcheck.file", form_class=forms.Form,
    done=lambda report: f"Sent to the headteacher of {report.academy.name} to check its facts.",
)
health_check_respond = _step_view(
    "respond", action="healthcheck.respond", form_class=ResponseForm,
    done=lambda report: "Your factual-accuracy response is recorded and the trust has been told.",
)
health_check_return = _step_view(
    "return", action="healthcheck.file", form_class=ReturnForm,
    done=lambda report: "Returned to draft, with the reason kept in the report's history.",
)
health_check_publish = _step_view(
    "publish", action="healthcheck.file", form_class=forms.Form,
    done=lambda report: f"Published to {report.academy.name}'s headteacher and governors; its actions "
                        f"are now tracked.",
)


@login_required
@require_GET
def health_check_pdf(request, uuid):
    # Only a published report has a PDF: for a draft or a report in its factual-accuracy check
    # there is none, for anyone.
    report = get_scoped_or_404(request.user, REPORTS.filter(status=S.PUBLISHED), action="healthcheck.view",
                               uuid=uuid)
    return private_download(pdf.report_pdf(report), "application/pdf", pdf.file_name(report))


@login_required
@require_POST
def action_update(request, uuid):
    """Progress on an action, from its report's page or from a later report's (`health_check`)."""
    try:
        action = Action.objects.visible_to(request.user).select_related(
            "health_check__academy", "owner").get(uuid=uuid)
    except Action.DoesNotExist:
        raise Http404 from None
    academy = action.health_check.academy
    require(request.user, "healthaction.update", academy)
    form = ActionUpdateForm(request.POST)
    back, later = action.health_check, None
    if form.is_valid() and form.cleaned_data["health_check"]:
        later = HealthCheck.objects.visible_to(request.user).filter(
            uuid=form.cleaned_data["health_check"], academy=academy).first()
        if later is None or later.pk == action.health_check_id or (
            later.visit_start < action.health_check.visit_start
        ):
            form.add_error(None, "Only a later health check of the same academy reviews an action.")
            later = None
        else:
            back = later
    anchor = f"#action-{action.uuid}"
    if not form.is_valid():
        messages.error(request, f"Progress on action {action.number} was not recorded. {said(form)}")
        return redirect(_detail_url(back, anchor))
    data = form.cleaned_data
    # Evidence left out of the form leaves the action's evidence as it was.
    evidence = data["evidence"] if "evidence" in request.POST else None
    try:
        review = services.action_update(
            action=action, by=request.user, status=data["status"], commentary=data["commentary"],
            reviewed_on=data["reviewed_on"], evidence=evidence, health_check=later,
        )
    except ValidationError as error:
        messages.error(request, f"Progress on action {action.number} was not recorded. "
                                f"{' '.join(error.messages)}")
    else:
        messages.success(request, f"Progress on action {action.number} recorded: "
                                  f"{review.get_status_display().lower()}, {review.reviewed_on:%-d %B %Y}.")
    return redirect(_detail_url(back, anchor))
