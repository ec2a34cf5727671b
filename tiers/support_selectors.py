"""Reads behind the support pages: one academy's schedule against its log, the trust's overview
of support delivered and owed, and the support falling due in a month or a calendar feed.

"Owed to date" counts the items (not cancelled) due on or before today; "overdue" the items
still owed after their due date. Every list starts from the person's scope (`visible_to`).
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery
from django.utils import timezone

from academies.models import Academy
from trust.access import scope_for
from trust.models import AcademicYear, Hub

from . import services
from .models import Cadence, SupportItem, SupportLogEntry, TierAssignment

ITEM = SupportItem.Status
FEED_DAYS_BEFORE = 60
# Years a page may be asked for, either side of this one: enough for any real use, and no more
# rows made for a guessed address.
YEARS_EITHER_SIDE = 5

STATES = {
    "owed": "Owed",
    "delivered": "Delivered",
    "late": "Delivered late",
    "overdue": "Overdue",
    "cancelled": "No longer owed",
}


def year_from(value, today=None):
    """The academic year named by its start year in `value` (e.g. "2025"), or this year."""
    today = today or timezone.localdate()
    this_year = AcademicYear.start_year_for(today)
    try:
        start_year = int(value)
    except (TypeError, ValueError):
        start_year = this_year
    if abs(start_year - this_year) > YEARS_EITHER_SIDE:
        start_year = this_year
    return AcademicYear.for_date(datetime.date(start_year, 9, 1))


def state_of(item, today):
    """owed / delivered / late / overdue / cancelled: what the item's row says."""
    if item.status == ITEM.CANCELLED:
        return "cancelled"
    if item.status == ITEM.DELIVERED:
        return "late" if item.delivered_late else "delivered"
    return "overdue" if item.due_on < today else "owed"


def mark_states(items, today):
    for item in items:
        item.state = state_of(item, today)
        item.state_label = STATES[item.state]
    return items


@dataclass
class Tally:
    label: str = ""
    owed_to_date: int = 0
    delivered: int = 0
    overdue: int = 0
    scheduled: int = 0

    def add(self, item, today):
        if item.state == "cancelled":
            return
        self.scheduled += 1
        if item.due_on <= today:
            self.owed_to_date += 1
            if item.state in ("delivered", "late"):
                self.delivered += 1
        if item.state == "overdue":
            self.overdue += 1


@dataclass
class Schedule:
    year: object
    assignment: object = None
    definition: object = None
    items: list = field(default_factory=list)
    ongoing: list = field(default_factory=list)
    summary: Tally = field(default_factory=Tally)
    by_kind: list = field(default_factory=list)
    log: list = field(default_factory=list)


def academy_schedule(academy, year, today=None):
    """The academy's schedule for `year` from its agreed tier, with its log of support given."""
    today = today or timezone.localdate()
    schedule = Schedule(year=year)
    schedule.log = list(
        SupportLogEntry.objects.filter(
            academy=academy, held_on__gte=year.starts_on, held_on__lte=year.ends_on
        ).select_related("health_check", "recorded_by", "item")
    )
    assignment = services.agreed_for(academy, year)
    if assignment is None:
        return schedule
    schedule.assignment = assignment
    schedule.definition = next(d for d in services.definitions_for(year) if d.number == assignment.tier)
    schedule.ongoing = [
        e for e in schedule.definition.entitlements.all() if e.cadence == Cadence.ONGOING
    ]
    items = list(
        SupportItem.objects.filter(academy=academy, academic_year=year)
        .select_related("delivered_by_entry")
        .order_by("due_on", "kind", "pk")
    )
    schedule.items = mark_states(items, today)
    kinds = {}
    for item in items:
        schedule.summary.add(item, today)
        kinds.setdefault(item.kind, Tally(label=item.get_kind_display())).add(item, today)
    schedule.by_kind = [tally for tally in kinds.values() if tally.scheduled]
    return schedule


# The trust's overview


def overview_academies(user):
    """Academies whose support the person oversees: where they may log support or read the
    trust's tier evidence (a hub lead: their hub)."""
    scope = scope_for(user)
    filters = [scope.academy_q(action) for action in ("support.log", "tier.recommendation.view")]
    # An empty Q means every academy; OR-ing it with another Q would drop it instead.
    q = Q() if not all(filters) else filters[0] | filters[1]
    return Academy.objects.filter(q).exclude(status=Academy.Status.LEFT)


def overview_hubs(user):
    return Hub.objects.filter(academies__in=overview_academies(user)).distinct().order_by("name")


def overview(user, year, today, *, hub=None, tier=None):
    """(rows, totals, overdue items): one row per academy with its agreed tier and its support
    delivered, owed and overdue to date, and the next due date. Three queries whatever the
    number of academies."""
    academies = overview_academies(user)
    if hub is not None:
        academies = academies.filter(hub=hub)
    agreed = TierAssignment.objects.agreed().filter(academy=OuterRef("pk"), academic_year=year)
    in_year = Q(support_items__academic_year=year)
    to_date = in_year & Q(support_items__due_on__lte=today)
    owed = Q(support_items__status=ITEM.OWED)
    rows = academies.annotate(
        tier=Subquery(agreed.values("tier")[:1], output_field=IntegerField()),
        owed_to_date=Count("support_items", filter=to_date & ~Q(support_items__status=ITEM.CANCELLED)),
        delivered_to_date=Count("support_items", filter=to_date & Q(support_items__status=ITEM.DELIVERED)),
        overdue=Count("support_items", filter=in_year & owed & Q(support_items__due_on__lt=today)),
        next_due=Min("support_items__due_on", filter=in_year & owed & Q(support_items__due_on__gte=today)),
    ).select_related("hub").order_by("name")
    if tier == "none":
        rows = rows.filter(tier__isnull=True)
    elif tier:
        rows = rows.filter(tier=int(tier))
    rows = list(rows)
    totals = Tally(
        owed_to_date=sum(r.owed_to_date for r in rows),
        delivered=sum(r.delivered_to_date for r in rows),
        overdue=sum(r.overdue for r in rows),
    )
    overdue_items = list(
        SupportItem.objects.overdue(today)
        .filter(academic_year=year, academy__in=[r.pk for r in rows])
        .select_related("academy")
        .order_by("due_on", "academy__name", "kind")
    )
    return rows, totals, overdue_items


# Calendars


def items_due(user, first, last):
    """Support items (owed or delivered) due from `first` to `last` in the person's scope."""
    return list(
        SupportItem.objects.visible_to(user)
        .exclude(status=ITEM.CANCELLED)
        .filter(due_on__gte=first, due_on__lte=last)
        .select_related("academy", "delivered_by_entry")
        .order_by("due_on", "academy__name", "kind")
    )


def month_from(value, today):
    """The first day of the month named in `value` ("2026-11"), or of this month; and whether
    `value` was understood."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-"))
            if abs(year - today.year) <= 10:  # a calendar of support, not of the millennium
                return datetime.date(year, month, 1), True
        except (TypeError, ValueError):
            pass
        return today.replace(day=1), False
    return today.replace(day=1), True


def month_weeks(first, items):
    """The month's weeks, Monday first: [[(day, in_month, [items due that day])]]."""
    by_day = {}
    for item in items:
        by_day.setdefault(item.due_on, []).append(item)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[(day, day.month == first.month, by_day.get(day, [])) for day in week] for week in weeks]


def next_month(first):
    return (first + datetime.timedelta(days=32)).replace(day=1)


def previous_month(first):
    return (first - datetime.timedelta(days=1)).replace(day=1)


def month_end(first):
    return next_month(first) - datetime.timedelta(days=1)


def feed_window(today):
    """From 60 days ago to the end of next academic year."""
    next_year_start = AcademicYear.start_year_for(today) + 1
    return today - datetime.timedelta(days=FEED_DAYS_BEFORE), datetime.date(next_year_start + 1, 8, 31)

