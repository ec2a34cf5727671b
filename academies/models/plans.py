"""Each academy's development plan for the year: a few priorities (the "big moves"), each tied to
targets, standards and aims, with actions and dated progress reviews."""

import uuid

from django.conf import settings
from django.db import models

from trust.access import ScopedQuerySet
from trust.models import AcademicYear

from .targets import PerformanceStandard, StrategicAim, Target


class Theme(models.TextChoices):
    """Common themes, so that academies with the same priority can find each other."""

    READING = "reading", "Reading and phonics"
    WRITING = "writing", "Writing"
    MATHS = "maths", "Mathematics"
    CURRICULUM = "curriculum", "Curriculum and teaching"
    DISADVANTAGED = "disadvantaged", "Disadvantaged pupils"
    SEND = "send", "SEND and inclusion"
    ATTENDANCE = "attendance", "Attendance"
    BEHAVIOUR = "behaviour", "Behaviour and culture"
    EARLY_YEARS = "early_years", "Early years"
    LEADERSHIP = "leadership", "Leadership and governance"
    STAFFING = "staffing", "Staffing and development"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    OTHER = "other", "Other"


class PlanQuerySet(ScopedQuerySet):
    academy_path = "academy"


class DevelopmentPlan(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="plans")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["academy", "academic_year"], name="plan_once_a_year"),
        ]

    def __str__(self):
        return f"Development plan {self.academic_year}: {self.academy.name}"

    @property
    def access_academy(self):
        return self.academy


class PriorityQuerySet(ScopedQuerySet):
    academy_path = "plan__academy"


class Priority(models.Model):
    class Rag(models.TextChoices):
        NONE = "", "Not yet reviewed"
        RED = "red", "Red: not on track"
        AMBER = "amber", "Amber: some concerns"
        GREEN = "green", "Green: on track"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    order = models.PositiveSmallIntegerField(default=0)
    targets = models.ManyToManyField(Target, blank=True, related_name="priorities")
    standards = models.ManyToManyField(PerformanceStandard, blank=True, related_name="priorities")
    aims = models.ManyToManyField(StrategicAim, blank=True, related_name="priorities")
    # The latest review's rating and next date, kept here so lists need no extra query.
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    next_review = models.DateField(null=True, blank=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self):
        return self.title

    @property
    def access_academy(self):
        return self.plan.academy


class PlanAction(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        OVERDUE = "overdue", "Overdue"
        DROPPED = "dropped", "Dropped"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=150, help_text="Who leads it (a name or a role).")
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    milestones = models.TextField(blank=True, help_text="One per line.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["priority", "due_on", "pk"]

    def __str__(self):
        return self.title


class ProgressReview(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    rag = models.CharField(max_length=5, choices=[c for c in Priority.Rag.choices if c[0]])
    commentary = models.TextField()
    next_review = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["priority", "-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.priority}: {self.get_rag_display()} on {self.reviewed_on:%d %b %Y}"
