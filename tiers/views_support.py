"""The support pages: one academy's schedule and log, the trust's overview, the month calendar
and the private calendar feed.

Scope: an academy's schedule is read by everyone who sees the academy (support.view); logging
and deleting support need support.log there (out of scope 404, read-only 403). The overview is
for people who log support or read the trust's tier evidence (a hub lead: their hub). The
calendar shows what falls due in the person's scope; the feed, which a calendar app fetches
without signing in, shows exactly that for the person its secret token belongs to.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.forms_targets import add_errors
from academies.models import Academy
from trust.access import get_scoped_or_404, scope_for

from . import ical, services
from . import support_selectors as selectors
from .forms_support import OverviewFilterForm, SupportLogForm
from .models import CalendarFeed, SupportItem, SupportLogEntry

ACADEMIES = Academy.objects.select_related("hub", "trust")


def support_url(academy):
    return reverse("tiers:support", kwargs={"urn": academy.urn})


def _support_page(request, academy, form=None):
    today = timezone.localdate()
    year = selectors.year_from(request.GET.get("year"), today)
    can_log = scope_for(request.user).can("support.log", academy)
    if can_log and form is None:
        form = SupportLogForm(initial={"held_on": today})
    return render(request, "tiers/support/academy.html", {
        "academy": academy,
        "year": year,
        "previous_year": year.start_year - 1,
        "next_year": year.start_year + 1,
        "schedule": selectors.academy_schedule(academy, year, today),
        "today": today,
        "can_log": can_log,
        "form": form if can_log else None,
    })


@login_required
@require_GET
def academy_support(request, urn):
    academy = get_scoped_or_404(request.user, ACADEMIES, action="support.view", urn=urn)
    return _support_page(request, academy)


@login_required
@require_POST
def support_log(request, urn):
    academy = get_scoped_or_404(request.user, ACADEMIES, action="support.log", urn=urn)
    form = SupportLogForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.log_support(
                academy=academy, kind=data["kind"], held_on=data["held_on"], by=request.user,
                notes=data["notes"], led_by=data["led_by"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            item = SupportItem.objects.filter(delivered_by_entry=entry).first()
            if item is not None:
                settled = f"It counts towards the item due {item.due_on:%-d %B %Y}."
            else:
                settled = "Nothing of that kind was owed, so it is recorded as additional support."
            messages.success(
                request, f"{entry.get_kind_display()} on {entry.held_on:%-d %B %Y} logged. {settled}"
            )
            return redirect(support_url(academy))
    return _support_page(request, academy, form=form)


@login_required
@require_POST
def support_delete(request, uuid):
    entry = get_scoped_or_404(
        request.user, SupportLogEntry.objects.select_related("academy"), action="support.log", uuid=uuid
    )
    academy = entry.academy
    try:
        services.delete_support(entry, by=request.user)
    except services.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{entry.get_kind_display()} on {entry.held_on:%-d %B %Y} taken off the log."
        )
    return redirect(support_url(academy))


def _require_overseer(user):
    scope = scope_for(user)
    if not (scope.can_anywhere("support.log") or scope.can_anywhere("tier.recommendation.view")):
        raise Http404


@login_required
@require_GET
def support_overview(request):
    _require_overseer(request.user)
    today = timezone.localdate()
    year = selectors.year_from(request.GET.get("year"), today)
    form = OverviewFilterForm(request.GET or None, hubs=selectors.overview_hubs(request.user))
    filters = form.filters if form.is_bound else {}
    rows, totals, overdue = selectors.overview(
        request.user, year, today, hub=filters.get("hub"), tier=filters.get("tier")
    )
    return render(request, "tiers/support/overview.html", {
        "form": form,
        "year": year,
        "today": today,
        "rows": rows,
        "totals": totals,
        "overdue": overdue,
        "filtered": bool(filters.get("hub") or filters.get("tier")),
    })


@login_required
@require_GET
def calendar_month(request):
    today = timezone.localdate()
    first, understood = selectors.month_from(request.GET.get("month"), today)
    items = selectors.mark_states(
        selectors.items_due(request.user, first, selectors.month_end(first)), today
    )
    return render(request, "tiers/support/calendar.html", {
        "first": first,
        "understood": understood,
        "weeks": selectors.month_weeks(first, items),
        "items": items,
        "today": today,
        "previous": selectors.previous_month(first),
        "next": selectors.next_month(first),
    })


def _feed_url(request, feed):
    return request.build_absolute_uri(reverse("tiers:calendar-feed", kwargs={"token": feed.token}))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    if request.method == "POST":
        feed.reset()
        messages.success(
            request, "Your calendar address has been reset: the old address no longer works. "
            "Add the new one to your calendar app."
        )
        return redirect("tiers:calendar-feed-settings")
    return render(request, "tiers/support/feed.html", {"feed_url": _feed_url(request, feed)})


def feed_events(user, today):
    first, last = selectors.feed_window(today)
    site = settings.SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1]
    events = []
    for item in selectors.mark_states(selectors.items_due(user, first, last), today):
        status = item.state_label
        if item.state in ("delivered", "late") and item.delivered_by_entry_id:
            status = f"{status} on {item.delivered_by_entry.held_on:%-d %B %Y}"
        events.append(ical.Event(
            uid=f"support-{item.uuid}@{host}",
            day=item.due_on,
            summary=f"{item.academy.name}: {item.get_kind_display()}",
            description=f"Status: {status}. Due by {item.due_on:%-d %B %Y} under the academy's agreed tier.",
            url=f"{site}{support_url(item.academy)}",
        ))
    return events


@require_GET
def calendar_feed(request, token):
    """The person's support calendar for a calendar app: the token is their credential."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    body = ical.calendar(
        name="School improvement support",
        events=feed_events(feed.user, timezone.localdate()),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response

