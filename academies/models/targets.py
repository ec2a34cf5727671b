"""The annual cycle: the trust's aims and performance standards, each academy's targets (proposed,
reviewed by the local governing board, agreed by the Trust Board, then locked), and the live
progress of every target against the latest result."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from trust.access import ScopedQuerySet
from trust.models import AcademicYear, HistoryEntry

from .results import PupilGroup, Subject, YearGroup


class StrategicAim(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"


class PerformanceStandard(models.Model):
    """A standard every academy is held to, measured by a rule over results and inspections."""

    class Rule(models.TextChoices):
        GAP_CLOSED = "gap_closed", "Disadvantaged pupils do as well as other pupils nationally"
        OFSTED_TOP = "ofsted_top", "Judged at the top of the Ofsted scale"
        NO_PERMANENT_EXCLUSIONS = "no_permanent_exclusions", "No permanent exclusions"
        GROUPS_ABOVE_NATIONAL = "groups_above_national", "Every pupil group above national"
        BEHAVIOUR_AND_ATTENDANCE = "behaviour_and_attendance", "Attendance and behaviour better than national"
        READY_FOR_NEXT_STAGE = "ready_for_next_stage", "Ready for the next stage"

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    aim = models.ForeignKey(StrategicAim, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="standards")
    rule = models.CharField(max_length=30, choices=Rule.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class TargetPolicy(models.Model):
    """The trust's settings for targets: how close counts as at risk, the default challenge for
    suggestions, and the board's deadline for agreeing the year's targets."""

    trust = models.OneToOneField("trust.Trust", on_delete=models.CASCADE, related_name="target_policy")
    at_risk_margin = models.DecimalField(
        max_digits=6, decimal_places=2, default=3,
        help_text="A target is at risk when the latest result falls short of it by no more than this "
                  "(in the measure's units); further short is off track.",
    )
    default_challenge = models.DecimalField(
        max_digits=6, decimal_places=2, default=2,
        help_text="Added to last year's result (or taken off, where lower is better) to suggest a target.",
    )
    deadline_month = models.PositiveSmallIntegerField(default=10)
    deadline_day = models.PositiveSmallIntegerField(default=31)

    def __str__(self):
        return f"Target settings of {self.trust}"

    def deadline(self, year):
        """The board's deadline for agreeing the targets of `year` (an AcademicYear)."""
        return datetime.date(year.start_year, self.deadline_month, self.deadline_day)

    @classmethod
    def for_trust(cls, trust):
        policy, _ = cls.objects.get_or_create(trust=trust)
        return policy


class TargetQuerySet(ScopedQuerySet):
    academy_path = "academy"


class Target(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        REVIEWED = "reviewed", "Reviewed by the LGB"
        AGREED = "agreed", "Agreed by the Trust Board"

    class Progress(models.TextChoices):
        NO_DATA = "no_data", "No data yet"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        NOT_JUDGED = "not_judged", "Not judged (latest result not published)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="targets")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey("academies.Measure", on_delete=models.PROTECT, related_name="targets")
    pupil_group = models.CharField(max_length=20, choices=PupilGroup.choices, default=PupilGroup.ALL)
    year_group = models.CharField(max_length=4, choices=YearGroup.choices, default="", blank=True)
    subject = models.CharField(max_length=20, choices=Subject.choices, default="", blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    rationale = models.TextField(blank=True)
    standard = models.ForeignKey(PerformanceStandard, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="targets")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    lgb_comments = models.TextField(blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    board_meeting = models.DateField(null=True, blank=True)
    board_minute = models.CharField(max_length=50, blank=True)
    # Live progress, recomputed after every import.
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NO_DATA)
    progress_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    progress_result = models.ForeignKey("academies.Result", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    progress_at = models.DateTimeField(null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "academic_year", "measure__category", "measure__order", "pupil_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "academic_year", "measure", "pupil_group", "year_group", "subject"],
                name="target_once_per_figure",
            ),
        ]
        indexes = [models.Index(fields=["academic_year", "status"])]

    def __str__(self):
        return f"{self.academy.name} {self.academic_year}: {self.measure} {self.value}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def is_locked(self):
        """Agreed targets change only through an amendment with a reason."""
        return self.status == self.Status.AGREED

    def clean(self):
        if self.measure_id and self.academy_id and not self.measure.applies_to(self.academy.phase):
            raise ValidationError({"measure": "This measure does not apply to the academy's phase."})
        if (self.measure_id and self.measure.unit == "percent" and self.value is not None
                and not 0 <= self.value <= 100):
            raise ValidationError({"value": "A percentage target must be between 0 and 100."})


class TargetEvent(HistoryEntry):
    """The history of a target: every step and every change, with who, when and why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        PROPOSED = "proposed", "Proposed"
        REVIEWED = "reviewed", "Reviewed by the LGB"
        RETURNED = "returned", "Returned to draft"
        AGREED = "agreed", "Agreed by the Trust Board"
        AMENDED = "amended", "Changed after agreement"

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["target", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by} at {self.at:%d %b %Y %H:%M}"
