"""The recommendation engine's data: the trust's rules and the recommendations they produced.

A rule reads one piece of evidence and indicates a tier; the recommendation combines the
indications (see tiers.engine) and keeps its whole trace, so a trustee can read why. The
recommendation never changes the agreed tier: only the Trust Board does.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from academies.models.results import PupilGroup, Subject, YearGroup
from trust.access import ScopedQuerySet
from trust.models import AcademicYear

from .definitions import TIER_VALIDATORS


class RuleKind(models.TextChoices):
    INSPECTION = "inspection", "Latest Ofsted inspection (any framework)"
    INSPECTION_SAFEGUARDING = "inspection_safeguarding", "Safeguarding at the latest inspection"
    HEALTH_CHECK = "health_check", "Latest published health check: judgements"
    HEALTH_CHECK_LEADERSHIP = "health_check_leadership", "Latest published health check: leadership"
    HEALTH_CHECK_SAFEGUARDING = "health_check_safeguarding", "Latest published health check: safeguarding"
    MEASURE = "measure", "A measure against national (attendance, outcomes, exclusions)"
    OPEN_RISKS = "open_risks", "Open risks by score"


# Kinds whose thresholds are read from the rule; the others map judgements to tiers in code.
THRESHOLD_KINDS = {RuleKind.MEASURE, RuleKind.OPEN_RISKS}


class TierRule(models.Model):
    """One rule of the engine. For a measure, the thresholds are gaps to national in the
    measure's units, better-than-national positive (so for persistent absence, 2 means two points
    *below* national); for open risks, the highest open score. The academy's figure is compared
    with each threshold in turn: at or better than `lead_from` indicates tier 1, than
    `grow_from` tier 2, than `reinvent_from` tier 3, and anything worse tier 4."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    active = models.BooleanField(default=True)
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        help_text="How much the rule counts in the weighted average of the indicated tiers.",
    )
    decisive = models.BooleanField(
        default=False,
        help_text="The recommendation is never a better tier than this rule indicates "
        "(e.g. ineffective safeguarding means tier 4 whatever else is true).",
    )
    measure = models.ForeignKey(
        "academies.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pupil_group = models.CharField(
        max_length=20, choices=PupilGroup.choices, default=PupilGroup.ALL, blank=True
    )
    year_group = models.CharField(max_length=4, choices=YearGroup.choices, default="", blank=True)
    subject = models.CharField(max_length=20, choices=Subject.choices, default="", blank=True)
    lead_from = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    grow_from = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    reinvent_from = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    use_trend = models.BooleanField(
        default=False,
        help_text="Compare with the year before: a gap that narrowed by at least the trend margin "
        "indicates one tier better (never tier 1), one that widened by as much one tier worse.",
    )
    trend_margin = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    max_age_months = models.PositiveSmallIntegerField(
        default=0,
        help_text="Evidence older than this many months is treated as missing (0: no limit).",
    )
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind == RuleKind.MEASURE and not self.measure_id:
            errors["measure"] = "Choose the measure this rule compares with national."
        if self.kind == RuleKind.MEASURE and self.measure_id and self.measure.higher_is_better is None:
            errors["measure"] = (
                "A context figure is neither better nor worse when higher: choose an outcome measure."
            )
        if self.use_trend and (self.trend_margin is None or self.trend_margin <= 0):
            errors["trend_margin"] = (
                "A trend margin above zero: the change that counts as improving or worsening."
            )
        if self.kind in THRESHOLD_KINDS:
            values = [self.lead_from, self.grow_from, self.reinvent_from]
            if any(v is None for v in values):
                errors["reinvent_from"] = "Give all three thresholds."
            elif self.kind == RuleKind.MEASURE and not values[0] >= values[1] >= values[2]:
                errors["grow_from"] = (
                    "Thresholds run from best to worst: tier 1 from at least the tier 2 figure, "
                    "tier 2 from at least the tier 3 figure."
                )
            elif self.kind == RuleKind.OPEN_RISKS and not values[0] <= values[1] <= values[2]:
                errors["grow_from"] = "For risk scores, lower is better: tier 1 up to the lowest score."
        if self.weight is not None and self.weight < 0:
            errors["weight"] = "A weight cannot be negative."
        if errors:
            raise ValidationError(errors)


class RecommendationQuerySet(ScopedQuerySet):
    academy_path = "academy"

    def current(self):
        return self.filter(current=True)


class TierRecommendation(models.Model):
    """What the engine recommended for one academy and year, with its trace. A new row is kept
    only when the recommendation or its evidence changed, so the history shows each change."""

    academy = models.ForeignKey(
        "academies.Academy", on_delete=models.CASCADE, related_name="tier_recommendations"
    )
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=TIER_VALIDATORS,
        help_text="Empty when there was not enough evidence to recommend.",
    )
    weighted_mean = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    floor = models.PositiveSmallIntegerField(null=True, blank=True)
    trace = models.JSONField(default=list)
    missing = models.JSONField(default=list, help_text="Rules that had no evidence to read.")
    fingerprint = models.CharField(max_length=64)
    agreed_tier = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The agreed tier when this was computed."
    )
    computed_at = models.DateTimeField()
    current = models.BooleanField(default=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "academic_year"],
                condition=Q(current=True),
                name="one_current_recommendation",
            ),
        ]
        indexes = [models.Index(fields=["academic_year", "current"])]

    def __str__(self):
        tier = f"tier {self.tier}" if self.tier else "no recommendation"
        return f"{self.academy.name} {self.academic_year}: {tier}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def differs(self):
        return self.tier is not None and self.agreed_tier is not None and self.tier != self.agreed_tier
