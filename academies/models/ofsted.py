"""Ofsted inspections, each kept in its own framework, and the academy's own self-evaluation.

Three frameworks: four-point grades with an overall effectiveness grade (to August 2024);
the same sub-judgements without an overall grade (September 2024 to 9 November 2025); report
cards with a five-point scale per evaluation area and safeguarding met or not met (from
10 November 2025). Ofsted says the scales cannot be compared, so the product never converts
one into the other: a comparison is made only between judgements on the same scale.
"""

import datetime
import uuid

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models

from trust.access import ScopedQuerySet

FOUR_POINT = {"1": "Outstanding", "2": "Good", "3": "Requires improvement", "4": "Inadequate"}
FIVE_POINT = {
    "exceptional": "Exceptional",
    "strong": "Strong standard",
    "expected": "Expected standard",
    "needs_attention": "Needs attention",
    "urgent_improvement": "Urgent improvement",
}
SCALES = {"four_point": FOUR_POINT, "five_point": FIVE_POINT}
# Best first, so that a lower index is a better grade within one scale.
SCALE_ORDER = {"four_point": list(FOUR_POINT), "five_point": list(FIVE_POINT)}

REPORT_CARDS_FROM = datetime.date(2025, 11, 10)
NO_OVERALL_FROM = datetime.date(2024, 9, 1)


class Framework(models.TextChoices):
    GRADED = "graded", "Four-point grades with overall effectiveness (to August 2024)"
    NO_OVERALL = "no_overall", "Sub-judgements without an overall grade (September 2024 to November 2025)"
    REPORT_CARD = "report_card", "Report card (from November 2025)"

    @classmethod
    def for_date(cls, day):
        if day >= REPORT_CARDS_FROM:
            return cls.REPORT_CARD
        if day >= NO_OVERALL_FROM:
            return cls.NO_OVERALL
        return cls.GRADED


FRAMEWORK_SCALE = {
    Framework.GRADED: "four_point",
    Framework.NO_OVERALL: "four_point",
    Framework.REPORT_CARD: "five_point",
}


class Area(models.TextChoices):
    # Education inspection framework (2019 to 2025)
    QUALITY_OF_EDUCATION = "quality_of_education", "Quality of education"
    BEHAVIOUR_AND_ATTITUDES = "behaviour_and_attitudes", "Behaviour and attitudes"
    PERSONAL_DEVELOPMENT = "personal_development", "Personal development"
    LEADERSHIP_AND_MANAGEMENT = "leadership_and_management", "Leadership and management"
    EARLY_YEARS = "early_years", "Early years provision"
    SIXTH_FORM = "sixth_form", "Sixth form provision"
    # Report cards (from November 2025)
    INCLUSION = "inclusion", "Inclusion"
    CURRICULUM_AND_TEACHING = "curriculum_and_teaching", "Curriculum and teaching"
    ACHIEVEMENT = "achievement", "Achievement"
    ATTENDANCE_AND_BEHAVIOUR = "attendance_and_behaviour", "Attendance and behaviour"
    PERSONAL_DEVELOPMENT_AND_WELLBEING = (
        "personal_development_and_wellbeing", "Personal development and well-being"
    )
    LEADERSHIP_AND_GOVERNANCE = "leadership_and_governance", "Leadership and governance"
    POST_16 = "post_16", "Post-16 provision"


FRAMEWORK_AREAS = {
    "four_point": [
        Area.QUALITY_OF_EDUCATION, Area.BEHAVIOUR_AND_ATTITUDES, Area.PERSONAL_DEVELOPMENT,
        Area.LEADERSHIP_AND_MANAGEMENT, Area.EARLY_YEARS, Area.SIXTH_FORM,
    ],
    "five_point": [
        Area.INCLUSION, Area.CURRICULUM_AND_TEACHING, Area.ACHIEVEMENT,
        Area.ATTENDANCE_AND_BEHAVIOUR, Area.PERSONAL_DEVELOPMENT_AND_WELLBEING,
        Area.LEADERSHIP_AND_GOVERNANCE, Area.EARLY_YEARS, Area.POST_16,
    ],
}


def grade_label(scale, grade):
    return SCALES.get(scale, {}).get(grade, "")


class InspectionQuerySet(ScopedQuerySet):
    academy_path = "academy"


class Inspection(models.Model):
    class Concern(models.TextChoices):
        NONE = "", "None"
        SERIOUS_WEAKNESSES = "serious_weaknesses", "Serious weaknesses"
        SPECIAL_MEASURES = "special_measures", "Special measures"
        NOTICE_TO_IMPROVE = "notice_to_improve", "Notice to improve"
        SIGNIFICANT_IMPROVEMENT = "significant_improvement", "Requires significant improvement"

    class Safeguarding(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="inspections")
    urn_at_inspection = models.CharField(
        "URN at inspection", max_length=6,
        help_text="Differs from the academy's URN when the school inspected was its predecessor.",
    )
    inspection_number = models.CharField(max_length=20, blank=True)
    inspection_type = models.CharField(max_length=100, blank=True)
    framework = models.CharField(max_length=12, choices=Framework.choices)
    start_date = models.DateField()
    publication_date = models.DateField(null=True, blank=True)
    overall_effectiveness = models.CharField(
        max_length=1, blank=True, choices=list(FOUR_POINT.items()),
        help_text="Only inspections to August 2024 carry one.",
    )
    category_of_concern = models.CharField(max_length=25, choices=Concern.choices, blank=True)
    safeguarding = models.CharField(max_length=15, choices=Safeguarding.choices, blank=True)
    graded = models.BooleanField(
        default=True, help_text="False for an ungraded inspection that confirmed the previous grade."
    )
    outcome_text = models.CharField(
        max_length=100, blank=True, help_text="The outcome of an ungraded inspection, as Ofsted wrote it."
    )
    areas_for_improvement = models.TextField(
        blank=True, help_text="What the school needs to do to improve (next steps), one per line."
    )
    report_url = models.URLField(blank=True)
    next_due_override = models.DateField(
        null=True, blank=True, help_text="Set when the trust knows better than the usual interval."
    )
    batch = models.ForeignKey(
        "academies.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "urn_at_inspection", "start_date"], name="inspection_once"
            ),
        ]

    def __str__(self):
        return f"{self.academy.name}: inspection of {self.start_date:%d %B %Y}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def scale(self):
        return FRAMEWORK_SCALE[self.framework]

    @property
    def of_predecessor(self):
        return self.urn_at_inspection != self.academy.urn

    @property
    def headline(self):
        """The overall grade where there is one, on its own scale; never converted."""
        if self.overall_effectiveness:
            return FOUR_POINT[self.overall_effectiveness]
        return ""

    @property
    def next_due(self):
        """When the next inspection is due: the override, or the usual interval after this one.

        The usual intervals: within about four years of a good or better outcome; about 30
        months after requires improvement or needs attention; within months for a category of
        concern or urgent improvement (monitoring follows). The trust sets an override when it
        knows the actual window."""
        if self.next_due_override:
            return self.next_due_override
        grades = set(self.judgements_cached())
        if self.category_of_concern or self.overall_effectiveness == "4" or "urgent_improvement" in grades:
            months = 6
        elif self.overall_effectiveness == "3" or grades & {"3", "needs_attention"}:
            months = 30
        else:
            months = 48
        return self.start_date + relativedelta(months=months)

    def judgements_cached(self):
        return [j.grade for j in self.judgements.all()]


class InspectionJudgement(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=40, choices=Area.choices)
    grade = models.CharField(max_length=20)
    grade_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="judgement_once_per_area"),
        ]

    def __str__(self):
        return f"{self.get_area_display()}: {self.label}"

    @property
    def label(self):
        return grade_label(self.inspection.scale, self.grade)


class SEFQuerySet(ScopedQuerySet):
    academy_path = "academy"


class SEFJudgement(models.Model):
    """The academy's own judgement of one area, on the scale of the framework it evaluates against."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey(
        "academies.Academy", on_delete=models.CASCADE, related_name="sef_judgements"
    )
    area = models.CharField(max_length=40, choices=Area.choices)
    scale = models.CharField(
        max_length=10,
        choices=[("four_point", "Four-point (1 to 4)"), ("five_point", "Report card (five-point)")],
    )
    grade = models.CharField(max_length=20)
    judged_on = models.DateField()
    rationale = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SEFQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "area", "-judged_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "area", "judged_on"], name="sef_once_per_area_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.academy.name} SEF {self.get_area_display()}: {self.label}"

    @property
    def access_academy(self):
        return self.academy

    @property
    def label(self):
        return grade_label(self.scale, self.grade)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.grade not in SCALES.get(self.scale, {}):
            raise ValidationError({"grade": "Choose a grade on the scale chosen."})
        if self.area not in FRAMEWORK_AREAS.get(self.scale, []):
            raise ValidationError({"area": "That area is not judged on this scale."})
