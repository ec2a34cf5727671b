"""Development plans: the writes (services) and the reads the plan pages, the API and the
objectives export share.

Every write checks "plan.change" for the plan's academy, runs in one transaction and validates
the rows it saves, so the pages, the API and any later caller keep the same rules.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from trust.access import require
from trust.models import AcademicYear

from .models import DevelopmentPlan, PlanAction, Priority, ProgressReview, Target, Theme
from .selectors import parse_year_label

PRIORITY_FIELDS = ("title", "description", "theme", "order")
PRIORITY_LINKS = ("targets", "standards", "aims")
ACTION_FIELDS = ("title", "owner", "starts_on", "due_on", "milestones", "status")
# The model asks for a plan "focused on a few big moves": past this many the page says so.
FEW_PRIORITIES = 5
FINISHED = frozenset({PlanAction.Status.DONE, PlanAction.Status.DROPPED})


# ---------------------------------------------------------------------------------------------
# Academic years


def year_of(start_year):
    """The AcademicYear starting in `start_year`, or an unsaved one when no row exists yet (a page
    that only reads must not create rows)."""
    return AcademicYear.objects.filter(start_year=start_year).first() or AcademicYear(start_year=start_year)


def current_start_year():
    return AcademicYear.start_year_for(timezone.localdate())


def plannable_years(academy):
    """Start years offered for an academy's plan: the current year, the next one (plans are
    written in the summer), and every year the academy already has a plan for."""
    current = current_start_year()
    years = set(
        DevelopmentPlan.objects.filter(academy=academy).values_list("academic_year__start_year", flat=True)
    )
    return sorted(years | {current, current + 1}, reverse=True)


def visible_plan_years(user):
    """Start years of the plans in the person's scope, and the current year, newest first."""
    plans = DevelopmentPlan.objects.visible_to(user)
    years = set(plans.values_list("academic_year__start_year", flat=True).distinct())
    return sorted(years | {current_start_year()}, reverse=True)


def parse_year(text, *, default=None):
    """(start year, error text) from a label such as 2025/26; blank gives `default` (the current year)."""
    if not text:
        return (default if default is not None else current_start_year()), ""
    try:
        return parse_year_label(text), ""
    except ValueError as exc:
        return (default if default is not None else current_start_year()), str(exc)


# ---------------------------------------------------------------------------------------------
# Reads


def target_label(target):
    """A target in words: measure, and the group, year group and subject it is about."""
    parts = [target.measure.label]
    if target.pupil_group != "all":
        parts.append(target.get_pupil_group_display().lower())
    if target.year_group:
        parts.append(target.get_year_group_display())
    if target.subject:
        parts.append(target.get_subject_display())
    return ", ".join(parts)


def describe(target):
    """Give a target (with its measure) its words and its figure as the measure writes it."""
    target.label = target_label(target)
    target.value_text = target.measure.format(target.value)
    return target


def is_overdue(action, today=None):
    """Past its due date and neither done nor dropped (or marked overdue by its owner)."""
    if action.status == PlanAction.Status.OVERDUE:
        return True
    return action.status not in FINISHED and action.due_on < (today or timezone.localdate())


def milestone_lines(action):
    return [line.strip() for line in action.milestones.splitlines() if line.strip()]


def priorities_prefetch():
    """Everything shown with each priority, in one query per kind of row."""
    return Priority.objects.order_by("order", "pk").prefetch_related(
        Prefetch("targets", queryset=Target.objects.select_related("measure").order_by(
            "measure__category", "measure__order", "pupil_group", "year_group", "subject", "pk")),
        "standards",
        "aims",
        Prefetch("actions", queryset=PlanAction.objects.order_by("due_on", "pk")),
        Prefetch("reviews", queryset=ProgressReview.objects.select_related("by").order_by(
            "-reviewed_on", "-pk")),
    )


def plans_with_priorities():
    return DevelopmentPlan.objects.select_related("academy", "academic_year").prefetch_related(
        Prefetch("priorities", queryset=priorities_prefetch())
    )


def plan_for(academy, start_year):
    """The academy's plan for the year with its priorities, their links, actions and reviews
    (seven queries), or None. Each action knows whether it is overdue."""
    plan = plans_with_priorities().filter(academy=academy, academic_year__start_year=start_year).first()
    if plan is not None:
        annotate(plan.priorities.all())
    return plan


def annotate(priorities):
    """Give each prefetched target its words and figure, and each action its overdue flag and
    milestones, so that templates and exports only read."""
    today = timezone.localdate()
    for priority in priorities:
        for target in priority.targets.all():
            describe(target)
        for action in priority.actions.all():
            action.overdue = is_overdue(action, today)
            action.milestone_list = milestone_lines(action)


def targets_for_plan(academy, start_year):
    """The targets a priority of this plan may be linked to: the academy's, for that year."""
    return Target.objects.filter(academy=academy, academic_year__start_year=start_year).select_related(
        "measure"
    ).order_by("measure__category", "measure__order", "pupil_group", "year_group", "subject", "pk")


@dataclass
class ThemeGroup:
    theme: str
    label: str
    priorities: list

    @property
    def academy_count(self):
        return len({p.plan.academy_id for p in self.priorities})


def common_priorities(user, start_year):
    """Priorities of the year in the person's scope, grouped by theme, the most shared theme first,
    so that academies working on the same thing can find each other. One query."""
    priorities = list(
        Priority.objects.visible_to(user)
        .filter(plan__academic_year__start_year=start_year)
        .select_related("plan__academy__hub")
        .order_by("plan__academy__name", "order", "pk")
    )
    labels = dict(Theme.choices)
    by_theme = {}
    for priority in priorities:
        by_theme.setdefault(priority.theme, []).append(priority)
    groups = [ThemeGroup(theme, labels.get(theme, theme), rows) for theme, rows in by_theme.items()]
    return sorted(groups, key=lambda g: (-g.academy_count, g.label))


# ---------------------------------------------------------------------------------------------
# Writes


def _check_targets(plan, targets):
    stray = [t for t in targets
             if (t.academy_id, t.academic_year_id) != (plan.academy_id, plan.academic_year_id)]
    if stray:
        raise ValidationError(
            {"targets": "A priority can be linked only to targets of its own academy and year."}
        )


def _set_links(priority, links):
    for name in PRIORITY_LINKS:
        if name in links:
            getattr(priority, name).set(links[name])


@transaction.atomic
def plan_get_or_create(*, academy, year, by):
    """The academy's plan for `year` (an AcademicYear), made on first use."""
    require(by, "plan.change", academy)
    if year.pk is None:
        year = AcademicYear.for_date(datetime.date(year.start_year, 9, 1))
    plan, _ = DevelopmentPlan.objects.get_or_create(academy=academy, academic_year=year)
    return plan


@transaction.atomic
def priority_create(*, plan, by, title, theme, description="", order=None, targets=(), standards=(),
                    aims=()):
    require(by, "plan.change", plan.academy)
    targets = list(targets)
    _check_targets(plan, targets)
    if order is None:
        # Locks the plan so that two priorities added at once do not take the same place.
        DevelopmentPlan.objects.select_for_update().filter(pk=plan.pk).first()
        highest = plan.priorities.aggregate(highest=Max("order"))["highest"]
        order = 1 if highest is None else highest + 1
    priority = Priority(plan=plan, title=title, description=description, theme=theme, order=order)
    priority.full_clean()
    priority.save()
    _set_links(priority, {"targets": targets, "standards": standards, "aims": aims})
    return priority


@transaction.atomic
def priority_update(*, priority, by, **changes):
    """Change a priority's text, theme, place or links (targets, standards, aims)."""
    require(by, "plan.change", priority.plan.academy)
    unknown = set(changes) - set(PRIORITY_FIELDS) - set(PRIORITY_LINKS)
    if unknown:
        raise TypeError(f"priority_update() cannot change {', '.join(sorted(unknown))}")
    if "targets" in changes:
        changes["targets"] = list(changes["targets"])
        _check_targets(priority.plan, changes["targets"])
    for name in PRIORITY_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(priority, name, changes[name])
    priority.full_clean()
    priority.save()
    _set_links(priority, changes)
    return priority


@transaction.atomic
def priority_delete(*, priority, by):
    """Remove a priority with its actions and reviews."""
    require(by, "plan.change", priority.plan.academy)
    priority.delete()


def _check_dates(action):
    if action.starts_on and action.due_on and action.due_on < action.starts_on:
        raise ValidationError({"due_on": "The due date cannot be before the start date."})


@transaction.atomic
def action_create(*, priority, by, title, owner, due_on, starts_on=None, milestones="",
                  status=PlanAction.Status.NOT_STARTED):
    require(by, "plan.change", priority.plan.academy)
    action = PlanAction(priority=priority, title=title, owner=owner, starts_on=starts_on, due_on=due_on,
                        milestones=milestones, status=status)
    _check_dates(action)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_update(*, action, by, **changes):
    require(by, "plan.change", action.priority.plan.academy)
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"action_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(action, name, value)
    _check_dates(action)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def review_record(*, priority, by, reviewed_on, rag, commentary, next_review=None):
    """Record a dated progress review; the priority then carries the RAG rating and next review date
    of its latest review (by date, so a review entered late for an earlier date changes nothing)."""
    require(by, "plan.change", priority.plan.academy)
    if next_review is not None and next_review <= reviewed_on:
        raise ValidationError({"next_review": "The next review must come after this one."})
    # Lock the priority: two reviews recorded at once must leave it with the latest one's rating.
    locked = Priority.objects.select_for_update().get(pk=priority.pk)
    review = ProgressReview(priority=locked, reviewed_on=reviewed_on, rag=rag, commentary=commentary,
                            next_review=next_review, by=by)
    review.full_clean()
    review.save()
    latest = locked.reviews.order_by("-reviewed_on", "-pk").first()
    locked.rag, locked.next_review = latest.rag, latest.next_review
    locked.save(update_fields=["rag", "next_review"])
    priority.rag, priority.next_review = locked.rag, locked.next_review
    return review
