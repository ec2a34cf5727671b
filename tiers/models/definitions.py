"""The four school-improvement tiers, as trust data versioned per academic year.

Each year has its own copy of the four definitions (name, who leads, descriptors grouped by
area, and the support the tier is owed), so changing this year's wording or cadences never
rewrites what an earlier year's board agreed to. A new year starts as a copy of the latest year.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from trust.models import AcademicYear

TIER_NUMBERS = (1, 2, 3, 4)
TIER_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class LedBy(models.TextChoices):
    ACADEMY = "academy", "Academy led"
    TRUST = "trust", "Trust led"


class DescriptorArea(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance"
    TEACHING = "teaching", "Teaching and curriculum"
    ASSESSMENT = "assessment", "Assessment and outcomes"
    LEADERSHIP = "leadership", "Leadership and governance"
    BEHAVIOUR = "behaviour", "Behaviour and culture"
    STAFFING = "staffing", "Staffing"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    RESEARCH = "research", "Research and development"


class SupportKind(models.TextChoices):
    """The kinds of support a tier can be owed. Those with a cadence are scheduled and logged."""

    CEO_ONE_TO_ONE = "ceo_one_to_one", "CEO one-to-one"
    HEALTH_CHECK = "health_check", "Health check by the School Improvement Executive Lead"
    GOVERNOR_COMMITTEE = "governor_committee", "Governor challenge and improvement committee"
    BOARD_REVIEW = "board_review", "Trust Board review of standards and progress"
    STATEMENT_OF_ACTION = "statement_of_action", "Trust-led statement of action"
    EXECUTIVE_LEADERS = "executive_leaders", "Trust executive leaders deployed"
    RISK_REVIEW = "risk_review", "Review of live risk issues"
    MASTER_PLAN = "master_plan", "Two-to-five-year master plan"
    DEVELOPMENT_PLAN = "development_plan", "Development-plan focus"
    CHALLENGE_PARTNER = "challenge_partner", "Challenge partner"
    NETWORKS = "networks", "Trust networks"
    IMPROVEMENT_TEAM = "improvement_team", "Trust school-improvement team"
    NATIONAL_PROGRAMMES = "national_programmes", "National improvement programmes"
    STRATEGIC_CAPACITY = "strategic_capacity", "Strategic capacity for the trust"


class Cadence(models.TextChoices):
    """How often an entitlement falls due. Week-based cadences count teaching weeks only, so a
    holiday does not use up an interval; termly and yearly ones fall due by a term's end."""

    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    HALF_TERMLY = "half_termly", "Every half term"
    TERMLY = "termly", "Every term"
    TWICE_A_YEAR = "twice_a_year", "Twice a year"
    ANNUALLY = "annually", "Once a year"
    ONCE = "once", "Once, at the start of the tier"
    ONGOING = "ongoing", "Ongoing (not scheduled)"


# Teaching weeks between due dates, for the week-based cadences.
WEEKS = {Cadence.WEEKLY: 1, Cadence.FORTNIGHTLY: 2, Cadence.FOUR_WEEKLY: 4, Cadence.HALF_TERMLY: 6}


class TierDefinition(models.Model):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="tier_definitions")
    number = models.PositiveSmallIntegerField(validators=TIER_VALIDATORS)
    name = models.CharField(max_length=40, help_text="One word the trust uses for the tier, e.g. Lead.")
    led_by = models.CharField(max_length=10, choices=LedBy.choices)
    summary = models.TextField(blank=True, help_text="A sentence or two on what the tier means.")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["academic_year__start_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="tier_once_per_year"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="tier_number_1_4"),
        ]

    def __str__(self):
        return f"Tier {self.number} {self.name}"

    @property
    def label(self):
        return f"Tier {self.number} {self.name}"


class Descriptor(models.Model):
    definition = models.ForeignKey(TierDefinition, on_delete=models.CASCADE, related_name="descriptors")
    area = models.CharField(max_length=15, choices=DescriptorArea.choices)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition", "order", "pk"]

    def __str__(self):
        return self.text


class Entitlement(models.Model):
    """One kind of support a tier is owed, and how often."""

    definition = models.ForeignKey(TierDefinition, on_delete=models.CASCADE, related_name="entitlements")
    kind = models.CharField(max_length=25, choices=SupportKind.choices)
    cadence = models.CharField(max_length=15, choices=Cadence.choices)
    description = models.TextField(help_text="What the academy can expect, in the trust's words.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "kind"], name="entitlement_once_per_tier"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_cadence_display().lower()}"

    @property
    def scheduled(self):
        return self.cadence != Cadence.ONGOING
