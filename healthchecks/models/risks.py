"""The live risk register: risk issues about an academy or the trust, their history, and the
rules over data that raise them.

A risk's score is likelihood x impact (each 1 to 5) and its RAG follows from the score: green
1-5, amber 6-12, red 15-25. A risk is shared with the academy's headteacher and governors, or
kept to the trust; a trust-only risk (and any trust-level risk) is absent for academy roles from
every list, count, export and API answer.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from academies.models import PupilGroup
from trust.access import ScopedQuerySet, scope_for

from .reports import staff_or_academy_q

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}
AMBER_FROM = 6
RED_FROM = 15


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


def rag_for(score):
    if score >= RED_FROM:
        return RAG.RED
    if score >= AMBER_FROM:
        return RAG.AMBER
    return RAG.GREEN


class Category(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    STANDARDS = "standards", "Standards"
    ATTENDANCE = "attendance", "Attendance"
    BEHAVIOUR = "behaviour", "Behaviour"
    LEADERSHIP = "leadership", "Leadership"
    GOVERNANCE = "governance", "Governance"
    STAFFING = "staffing", "Staffing"
    FINANCE = "finance", "Finance"
    ESTATES = "estates", "Estates"
    SEND = "send", "SEND"
    REPUTATION = "reputation", "Reputation"
    OTHER = "other", "Other"


class Visibility(models.TextChoices):
    SHARED = "shared", "Shared with the academy and its governors"
    TRUST_ONLY = "trust_only", "Trust only"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"
    HALF_TERMLY = "half_termly", "Every half term"
    TERMLY = "termly", "Every term"


FREQUENCY_DAYS = {
    Frequency.WEEKLY: 7,
    Frequency.FORTNIGHTLY: 14,
    Frequency.MONTHLY: 30,
    Frequency.HALF_TERMLY: 49,
    Frequency.TERMLY: 91,
}


class RiskQuerySet(ScopedQuerySet):
    academy_path = "academy"

    def visible_to(self, user):
        """Trust-wide roles: every risk. A hub lead: every risk about the hub's academies.
        Academy roles: the shared risks of their academy. Trust-level risks are the trust's."""
        return self.filter(staff_or_academy_q(scope_for(user), _shared_q))

    def open(self):
        return self.filter(status=Risk.Status.OPEN)

    def review_overdue(self, today):
        return self.open().filter(next_review_on__lt=today)


def _shared_q(scope):
    if not scope.academy_roles:
        return Q(pk__in=[])
    return Q(academy_id__in=sorted(scope.academy_roles), visibility=Visibility.SHARED)


class Risk(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        max_length=12, unique=True, editable=False, help_text="R-0001: how the board and minutes refer to it."
    )
    academy = models.ForeignKey(
        "academies.Academy",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risks",
        help_text="Empty for a risk to the trust as a whole.",
    )
    category = models.CharField(max_length=15, choices=Category.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(validators=SCALE, choices=list(LIKELIHOOD.items()))
    impact = models.PositiveSmallIntegerField(validators=SCALE, choices=list(IMPACT.items()))
    score = models.PositiveSmallIntegerField(editable=False)
    rag = models.CharField("RAG", max_length=5, choices=RAG.choices, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks_owned"
    )
    mitigations = models.TextField(blank=True, help_text="What is being done to reduce it.")
    review_frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    next_review_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    # A risk a rule raised: the rule, the evidence it saw, and the key that stops it raising the
    # same risk twice.
    rule = models.ForeignKey(
        "RiskRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    rule_key = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "next_review_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
            models.CheckConstraint(
                condition=Q(score=models.F("likelihood") * models.F("impact")),
                name="risk_score_is_likelihood_times_impact",
            ),
            models.UniqueConstraint(
                fields=["rule", "academy", "rule_key"],
                condition=~Q(rule_key=""),
                name="risk_rule_raises_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_review_on"]),
            models.Index(fields=["academy", "status"]),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_trust_only(self):
        return self.visibility == Visibility.TRUST_ONLY or self.academy_id is None

    @property
    def likelihood_label(self):
        return LIKELIHOOD.get(self.likelihood, "")

    @property
    def impact_label(self):
        return IMPACT.get(self.impact, "")

    def review_overdue(self, today):
        return self.is_open and self.next_review_on < today

    def derive(self):
        """Score and RAG from likelihood and impact."""
        self.score = self.likelihood * self.impact
        self.rag = rag_for(self.score)

    def next_review_after(self, day):
        return day + datetime.timedelta(days=FREQUENCY_DAYS[self.review_frequency])

    def clean(self):
        errors = {}
        for name in ("likelihood", "impact"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 5:
                errors[name] = f"Give the {name} from 1 to 5."
        if self.academy_id is None and self.visibility == Visibility.SHARED:
            self.visibility = Visibility.TRUST_ONLY  # a trust-level risk has no academy to share with
        if errors:
            raise ValidationError(errors)
        if self.likelihood and self.impact:
            self.derive()

    def save(self, *args, **kwargs):  # noqa: DJ012 (beside derive, which it calls)
        if self.likelihood and self.impact:
            self.derive()
        numbered = bool(self.reference)
        if not numbered:
            self.reference = f"new-{uuid.uuid4().hex[:8]}"
        super().save(*args, **kwargs)
        if not numbered:  # numbered by its row, so two risks raised at once never collide
            self.reference = f"R-{self.pk:04d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)


class RiskEvent(models.Model):
    """The history of a risk: every change with who (or which rule or task), when and why."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        RAISED_BY_RULE = "raised_by_rule", "Raised by a rule"
        CHANGED = "changed", "Changed"
        REVIEWED = "reviewed", "Reviewed"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        EVIDENCE = "evidence", "New evidence from its rule"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_task = models.CharField(
        max_length=100, blank=True, help_text="The rule or task, when no person acted."
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="field -> [before, after]")

    class Meta:
        ordering = ["risk", "at", "pk"]

    def __str__(self):
        return f"{self.risk.reference}: {self.get_kind_display()} at {self.at:%d %b %Y %H:%M}"

    @property
    def who(self):
        if self.by_id:
            return self.by.full_name or self.by.email
        return self.by_task or "The system"


class RiskRule(models.Model):
    """A rule the trust sets that raises a risk when the data says so, with the evidence."""

    class Kind(models.TextChoices):
        MEASURE_VS_NATIONAL = (
            "measure_vs_national",
            "A measure worse than national by a margin, period after period",
        )
        SAFEGUARDING = "safeguarding", "Safeguarding judged ineffective (inspection or health check)"
        OFSTED_CONCERN = (
            "ofsted_concern",
            "Latest inspection: a category of concern or the lowest grade in an area",
        )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)
    measure = models.ForeignKey(
        "academies.Measure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a measure rule: the figure to watch.",
    )
    pupil_group = models.CharField(
        max_length=20, choices=PupilGroup.choices, default=PupilGroup.ALL, blank=True
    )
    margin = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text="How far worse than national (in the measure's unit, e.g. percentage points) counts.",
    )
    periods = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="How many of the latest periods running (terms for termly figures, else years).",
    )
    termly = models.BooleanField(default=True, help_text="Look at termly figures (else whole-year ones).")
    category = models.CharField(max_length=15, choices=Category.choices)
    likelihood = models.PositiveSmallIntegerField(
        default=4, validators=SCALE, choices=list(LIKELIHOOD.items())
    )
    impact = models.PositiveSmallIntegerField(default=4, validators=SCALE, choices=list(IMPACT.items()))
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    review_frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.MEASURE_VS_NATIONAL:
            if not self.measure_id:
                raise ValidationError({"measure": "A measure rule needs the measure to watch."})
            if self.measure.higher_is_better is None:
                raise ValidationError(
                    {"measure": "Choose a measure that is better higher or lower, not context."}
                )
            if self.margin is not None and self.margin < 0:
                raise ValidationError({"margin": "Give the margin as a positive number (0 or more)."})
