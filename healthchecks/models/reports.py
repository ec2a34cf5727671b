"""Health-check reports by the School Improvement Executive Lead.

A report moves draft -> submitted (to the headteacher for a factual-accuracy check) ->
responded (the headteacher's response recorded) -> published. A draft is the trust's alone;
the headteacher reads a report from submission, to check its facts; governors and other academy
staff read it once published. Judgements are on the current Ofsted scale (report-card areas,
five points, safeguarding met or not met). Each recommendation is a tracked action.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from academies.models.ofsted import FIVE_POINT, FRAMEWORK_AREAS, Area
from trust.access import ScopedQuerySet, scope_for
from trust.models import ACADEMY_ROLES, HistoryEntry, Role

SCALE = "five_point"
AREAS = FRAMEWORK_AREAS[SCALE]


class HealthCheckQuerySet(ScopedQuerySet):
    academy_path = "academy"

    def visible_to(self, user):
        """Trust staff read every state in their academies (a hub lead, their hub's); a
        headteacher reads their academy's reports from submission, other academy roles once
        published. A draft is never counted, listed or found for academy roles."""
        return self.filter(staff_or_academy_q(scope_for(user), _academy_role_q))

    def published(self):
        return self.filter(status=HealthCheck.Status.PUBLISHED)


def staff_or_academy_q(scope, academy_role_q):
    """Trust-wide roles: everything; hub roles: their hubs' academies; academy roles: what
    `academy_role_q(scope)` allows. An empty scope matches nothing."""
    if scope.trust_roles:
        return Q()
    q = Q(pk__in=[])
    if scope.hub_roles:
        q |= Q(academy__hub_id__in=sorted(scope.hub_roles))
    return q | academy_role_q(scope)


def _academy_role_q(scope):
    """What academy roles read: a headteacher from submission, everyone else once published."""
    S = HealthCheck.Status
    q = Q(pk__in=[])
    for academy_id, roles in scope.academy_roles.items():
        if Role.HEADTEACHER in roles:
            q |= Q(academy_id=academy_id, status__in=[S.SUBMITTED, S.RESPONDED, S.PUBLISHED])
        elif roles & ACADEMY_ROLES:
            q |= Q(academy_id=academy_id, status=S.PUBLISHED)
    return q


class LeadershipQA(models.TextChoices):
    AGREES = "agrees", "Agrees with the academy's self-evaluation"
    PARTLY = "partly", "Agrees in part"
    DISAGREES = "disagrees", "Disagrees with the academy's self-evaluation"


class HealthCheck(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual health check"
        TERMLY = "termly", "Termly health check"
        ADDITIONAL = "additional", "Additional health check"
        DUE_DILIGENCE = "due_diligence", "Due diligence (a school joining)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting factual-accuracy check"
        RESPONDED = "responded", "Factual-accuracy response received"
        PUBLISHED = "published", "Published"

    class Safeguarding(models.TextChoices):
        NOT_REVIEWED = "", "Not reviewed"
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="health_checks")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.ANNUAL)
    visit_start = models.DateField("first day of the visit")
    visit_end = models.DateField(
        "last day of the visit", null=True, blank=True, help_text="Leave empty for a one-day visit."
    )
    lead_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commissioned_expert = models.CharField(
        max_length=200,
        blank=True,
        help_text="Any subject or educational expert the trust commissioned, with their specialism.",
    )
    focus_areas = models.TextField(blank=True, help_text="What the visit looked at, one area a line.")
    safeguarding = models.CharField(
        "safeguarding",
        max_length=10,
        choices=Safeguarding.choices,
        blank=True,
        default="",
    )
    leadership_qa = models.CharField(
        "leadership judgement quality assurance",
        max_length=10,
        choices=LeadershipQA.choices,
        blank=True,
        help_text="Whether the reviewer agrees with the academy's self-evaluation of leadership.",
    )
    leadership_qa_reasons = models.TextField("reasons", blank=True)
    key_findings = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField("factual-accuracy response", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every save; an edit made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = HealthCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-visit_start", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_end__isnull=True) | Q(visit_end__gte=models.F("visit_start")),
                name="healthcheck_visit_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["academy", "status", "-visit_start"])]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.academy.name}, {self.visit_start:%d %B %Y}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def focus_list(self):
        return [line.strip() for line in self.focus_areas.splitlines() if line.strip()]

    @property
    def visit_text(self):
        """"12 November 2025", "12 to 13 November 2025", "30 November to 1 December 2025"."""
        start, end = self.visit_start, self.visit_end
        if not end or end == start:
            return f"{start:%-d %B %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%-d} to {end:%-d %B %Y}"
        if start.year == end.year:
            return f"{start:%-d %B} to {end:%-d %B %Y}"
        return f"{start:%-d %B %Y} to {end:%-d %B %Y}"

    def clean(self):
        if self.visit_start and self.visit_end and self.visit_end < self.visit_start:
            raise ValidationError({"visit_end": "The visit cannot end before it starts."})


class HealthCheckJudgement(models.Model):
    """The reviewer's judgement of one area, on the report-card scale."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=40, choices=[(a.value, a.label) for a in AREAS])
    grade = models.CharField(max_length=20, choices=list(FIVE_POINT.items()))
    commentary = models.TextField(blank=True)

    class Meta:
        ordering = ["health_check", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "area"], name="healthcheck_area_once"),
        ]

    def __str__(self):
        return f"{Area(self.area).label}: {FIVE_POINT.get(self.grade, self.grade)}"

    @property
    def scale(self):
        return SCALE

    @property
    def label(self):
        return FIVE_POINT.get(self.grade, self.grade)


class ActionQuerySet(ScopedQuerySet):
    """An action is seen by whoever sees its health check."""

    academy_path = "health_check__academy"

    def visible_to(self, user):
        return self.filter(health_check__in=HealthCheck.objects.visible_to(user))

    def open(self):
        return self.filter(status__in=Action.OPEN)


class Action(models.Model):
    """A recommendation of a health check, tracked until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    OPEN = (Status.OPEN, Status.IN_PROGRESS)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    recommendation = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="health_check_actions",
        help_text="Someone with an account, who hears when it is overdue.",
    )
    owner_name = models.CharField(
        max_length=150, blank=True, help_text="Who leads it, if they have no account (e.g. 'Maths lead')."
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True, help_text="What shows it is done or working.")
    completed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["health_check", "number"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "number"], name="action_number_once"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.number}. {self.recommendation[:60]}"

    @property
    def access_academy(self):
        return self.health_check.academy

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def owner_text(self):
        if self.owner_id:
            return self.owner.full_name or self.owner.email
        return self.owner_name or "Not assigned"

    def is_overdue(self, today):
        return self.is_open and self.due_on < today


class ActionReview(models.Model):
    """A dated review of an action's progress, at a later health check or in between."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    status = models.CharField(max_length=12, choices=Action.Status.choices)
    commentary = models.TextField()
    health_check = models.ForeignKey(
        HealthCheck,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_reviews",
        help_text="The later health check that reviewed it, if any.",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "reviewed_on", "pk"]

    def __str__(self):
        return f"{self.action}: {self.get_status_display()} on {self.reviewed_on}"


class HealthCheckEvent(HistoryEntry):
    """The history of a report: every step and every change, with who, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for a factual-accuracy check"
        RESPONDED = "responded", "Factual-accuracy response recorded"
        RETURNED = "returned", "Returned to draft"
        PUBLISHED = "published", "Published"
        ACTION_UPDATED = "action_updated", "Action updated"

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)

    class Meta:
        ordering = ["health_check", "at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.by} at {self.at:%d %b %Y %H:%M}"
