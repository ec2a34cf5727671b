"""Tier decisions: each academy's tier for each academic year, proposed by the trust's
executives or the School Improvement Executive Lead and agreed by the Trust Board.

An assignment moves proposed -> agreed (or declined, or withdrawn by its proposer). Agreeing a
new tier for a year that already has one supersedes it: that is a mid-year reclassification,
which needs a recorded exceptional reason. At most one tier is agreed and one proposal is open
per academy and year, and the database holds both rules.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from trust.access import ScopedQuerySet
from trust.models import AcademicYear, HistoryEntry

from .definitions import TIER_VALIDATORS


class AssignmentQuerySet(ScopedQuerySet):
    academy_path = "academy"

    def agreed(self):
        return self.filter(status=TierAssignment.Status.AGREED)

    def pending(self):
        return self.filter(status=TierAssignment.Status.PROPOSED)


class TierAssignment(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed by the Trust Board"
        DECLINED = "declined", "Declined by the Trust Board"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Superseded"

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Start of the year"
        RECLASSIFICATION = "reclassification", "Mid-year reclassification"
        JOINING = "joining", "Joining the trust (due-diligence baseline)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey(
        "academies.Academy", on_delete=models.CASCADE, related_name="tier_assignments"
    )
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField(validators=TIER_VALIDATORS)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    rationale = models.TextField(help_text="Why this tier: what the evidence shows.")
    exceptional_reason = models.TextField(
        blank=True, help_text="Required for a mid-year reclassification: the exceptional circumstances."
    )
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text="Links to the evidence: [{'label': ..., 'url': '/path/in/the/app/'}].",
    )
    recommendation = models.ForeignKey(
        "tiers.TierRecommendation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The engine's recommendation the proposal was made beside, with its trace.",
    )
    baseline = models.ForeignKey(
        "tiers.BaselineAssessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    board_meeting = models.DateField(null=True, blank=True, help_text="The Trust Board meeting that decided.")
    board_minute = models.CharField(
        max_length=50, blank=True, help_text="The minute reference, e.g. TB/24/117."
    )
    effective_from = models.DateField(
        null=True,
        blank=True,
        help_text="From when the tier applies: the year's start, or the day of a reclassification.",
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "-academic_year__start_year", "-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "academic_year"],
                condition=Q(status="agreed"),
                name="one_agreed_tier_per_year",
            ),
            models.UniqueConstraint(
                fields=["academy", "academic_year"],
                condition=Q(status="proposed"),
                name="one_open_tier_proposal",
            ),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=4), name="assignment_tier_1_4"),
            models.CheckConstraint(
                condition=~Q(status="agreed") | Q(board_meeting__isnull=False, effective_from__isnull=False),
                name="agreed_tier_has_board_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reclassification") | ~Q(exceptional_reason=""),
                name="reclassification_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["academic_year", "status"])]

    def __str__(self):
        status = self.get_status_display().lower()
        return f"{self.academy.name} {self.academic_year}: tier {self.tier} ({status})"

    @property
    def access_academy(self):
        return self.academy


class TierEvent(HistoryEntry):
    """The history of tier decisions: every step with who, when and why."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        EDITED = "edited", "Proposal edited"
        AGREED = "agreed", "Agreed by the Trust Board"
        DECLINED = "declined", "Declined by the Trust Board"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Superseded by a reclassification"

    assignment = models.ForeignKey(TierAssignment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)

    class Meta:
        ordering = ["assignment", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.at:%d %b %Y %H:%M}"


class BaselineQuerySet(ScopedQuerySet):
    academy_path = "academy"


class BaselineAssessment(models.Model):
    """The due-diligence baseline of a school joining the trust, which proposes its first tier."""

    class Curriculum(models.TextChoices):
        EFFECTIVE = "effective", "Broad, balanced and effective"
        DEVELOPING = "developing", "Broad and balanced in intent, not yet effective in practice"
        NARROW = "narrow", "Not broad and balanced"

    class Capacity(models.TextChoices):
        GIVER = "giver", "Capacity giver"
        NEUTRAL = "neutral", "Self-sustaining"
        TAKER = "taker", "Capacity taker"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete (first tier proposed)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="baselines")
    assessed_on = models.DateField()
    data_summary = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Published figures against national and the trust's measures, as read on the day.",
    )
    data_commentary = models.TextField(blank=True, help_text="What the published and in-year data show.")
    improvement_plan_review = models.TextField(
        blank=True, help_text="Review of the school's improvement plan."
    )
    sef_review = models.TextField(blank=True, help_text="Review of the school's latest self-evaluation.")
    curriculum = models.CharField(max_length=12, choices=Curriculum.choices)
    curriculum_commentary = models.TextField(blank=True)
    capacity = models.CharField(max_length=8, choices=Capacity.choices)
    proposed_tier = models.PositiveSmallIntegerField(validators=TIER_VALIDATORS)
    rationale = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = BaselineQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "-assessed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_tier__gte=1, proposed_tier__lte=4), name="baseline_tier_1_4"
            ),
        ]

    def __str__(self):
        return f"Baseline of {self.academy.name} ({self.assessed_on:%d %b %Y})"

    @property
    def access_academy(self):
        return self.academy
