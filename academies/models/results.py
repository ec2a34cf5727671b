"""Measures and results: the evidence base every card, target and tier decision reads.

A result is an aggregate figure (never a pupil's) for one academy: a measure, for a pupil group,
a year group or key stage and a subject where relevant, in an academic year and term. A figure
that DfE did not publish keeps its symbol (suppressed, not applicable, ...) as a state: it is
never stored as zero and never as a bare blank.
"""

import uuid
from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from trust.access import ScopedQuerySet
from trust.models import AcademicYear


class Symbol(models.TextChoices):
    """Why a figure has no value. The raw code from the file is kept on the row as well."""

    SUPPRESSED = "suppressed", "Suppressed (small numbers)"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    UNAVAILABLE = "unavailable", "Not available"
    LOW = "low", "Rounds to zero, but is not zero"
    LOW_RELIABILITY = "low_reliability", "Low reliability"
    NO_ENTRIES = "no_entries", "No entries or no eligible pupils"
    NOT_PUBLISHED = "not_published", "Not published"
    LOW_COVERAGE = "low_coverage", "Not published: too few pupils with a baseline"
    NEW_SCHOOL = "new_school", "New school: no data yet"
    SMALL_COHORT = "small_cohort", "Hidden: the group is too small to report"


# The symbols DfE and its files use, and what each means (matched case-insensitively, except
# the one-letter EES symbols which are lower case by standard).
SYMBOL_CODES = {
    "c": Symbol.SUPPRESSED, "supp": Symbol.SUPPRESSED,
    "z": Symbol.NOT_APPLICABLE, "na": Symbol.NOT_APPLICABLE, "n/a": Symbol.NOT_APPLICABLE,
    "not applicable": Symbol.NOT_APPLICABLE, "does not apply": Symbol.NOT_APPLICABLE,
    "x": Symbol.UNAVAILABLE, ":": Symbol.UNAVAILABLE, "..": Symbol.UNAVAILABLE,
    ".": Symbol.UNAVAILABLE, "-": Symbol.UNAVAILABLE, "null": Symbol.UNAVAILABLE,
    "nr": Symbol.UNAVAILABLE, "dns": Symbol.UNAVAILABLE, "not recorded": Symbol.UNAVAILABLE,
    "low": Symbol.LOW, "k": Symbol.LOW, "~": Symbol.LOW,
    "u": Symbol.LOW_RELIABILITY,
    "ne": Symbol.NO_ENTRIES,
    "np": Symbol.NOT_PUBLISHED,
    "lowcov": Symbol.LOW_COVERAGE,
    "new": Symbol.NEW_SCHOOL,
}

# How a symbol is shown in tables, with the legend beside it.
SYMBOL_SHORT = {
    Symbol.SUPPRESSED: "c", Symbol.NOT_APPLICABLE: "z", Symbol.UNAVAILABLE: "x",
    Symbol.LOW: "low", Symbol.LOW_RELIABILITY: "u", Symbol.NO_ENTRIES: "NE",
    Symbol.NOT_PUBLISHED: "NP", Symbol.LOW_COVERAGE: "LOWCOV", Symbol.NEW_SCHOOL: "NEW",
    Symbol.SMALL_COHORT: "c",
}


class PupilGroup(models.TextChoices):
    ALL = "all", "All pupils"
    DISADVANTAGED = "disadvantaged", "Disadvantaged"
    NOT_DISADVANTAGED = "not_disadvantaged", "Not disadvantaged"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHCP = "ehcp", "EHC plan"
    SEN = "sen", "SEN (support or EHC plan)"
    EAL = "eal", "English as an additional language"
    BOYS = "boys", "Boys"
    GIRLS = "girls", "Girls"
    LOW_PRIOR = "low_prior", "Low prior attainers"
    MIDDLE_PRIOR = "middle_prior", "Middle prior attainers"
    HIGH_PRIOR = "high_prior", "High prior attainers"
    NON_MOBILE = "non_mobile", "Non-mobile pupils"


class YearGroup(models.TextChoices):
    WHOLE_SCHOOL = "", "Whole school"
    NURSERY = "N", "Nursery"
    RECEPTION = "R", "Reception (EYFS)"
    Y1 = "Y1", "Year 1"
    Y2 = "Y2", "Year 2"
    Y3 = "Y3", "Year 3"
    Y4 = "Y4", "Year 4"
    Y5 = "Y5", "Year 5"
    Y6 = "Y6", "Year 6"
    Y7 = "Y7", "Year 7"
    Y8 = "Y8", "Year 8"
    Y9 = "Y9", "Year 9"
    Y10 = "Y10", "Year 10"
    Y11 = "Y11", "Year 11"
    KS1 = "KS1", "Key stage 1"
    KS2 = "KS2", "Key stage 2"
    KS4 = "KS4", "Key stage 4"
    KS5 = "KS5", "16 to 18"


class Subject(models.TextChoices):
    NONE = "", "No subject"
    READING = "reading", "Reading"
    WRITING = "writing", "Writing"
    MATHS = "maths", "Maths"
    RWM = "rwm", "Reading, writing and maths"
    GPS = "gps", "Grammar, punctuation and spelling"
    SCIENCE = "science", "Science"
    ENGLISH_MATHS = "english_maths", "English and maths"
    COMMUNICATION = "communication", "Communication and language"
    LITERACY = "literacy", "Literacy"


class Source(models.TextChoices):
    PUBLISHED = "published", "Published statutory data"
    IN_YEAR = "in_year", "Academy's in-year assessment"


class Measure(models.Model):
    class Category(models.TextChoices):
        CONTEXT = "context", "Context"
        EYFS = "eyfs", "Early years"
        PHONICS = "phonics", "Phonics"
        IN_YEAR = "in_year", "In-year attainment"
        KS2 = "ks2", "Key stage 2"
        KS4 = "ks4", "Key stage 4"
        SEN = "sen", "SEN progress"
        ATTENDANCE = "attendance", "Attendance"
        BEHAVIOUR = "behaviour", "Suspensions and exclusions"
        ENFORCEMENT = "enforcement", "Attendance enforcement"
        PROVISION = "provision", "Alternative provision and part-time timetables"

    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        COUNT = "count", "number"
        SCORE = "score", "score"
        RATE = "rate", "per 100 pupils"
        INDEX = "index", "index"

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=150)
    category = models.CharField(max_length=20, choices=Category.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    higher_is_better = models.BooleanField(
        null=True, blank=True,
        help_text="Empty for context figures that are neither better nor worse when higher.",
    )
    phases = models.JSONField(
        default=list, blank=True,
        help_text="The academy phases the measure applies to; empty means every phase.",
    )
    decimal_places = models.PositiveSmallIntegerField(default=1)
    description = models.TextField(blank=True)
    trust_defined = models.BooleanField(
        default=False, help_text="Added by the trust rather than seeded from the academy card."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "order", "label"]

    def __str__(self):
        return self.label

    def applies_to(self, phase):
        return not self.phases or phase in self.phases

    def format(self, value):
        if value is None:
            return ""
        text = f"{Decimal(value):,.{self.decimal_places}f}"
        return f"{text}%" if self.unit == self.Unit.PERCENT else text


class Dimensions(models.Model):
    """What identifies one figure: measure, year, term, pupil group, year group and subject."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    term = models.PositiveSmallIntegerField(
        default=0, choices=[(0, "Whole year"), (1, "Autumn"), (2, "Spring"), (3, "Summer")],
        help_text="0 for a whole-year or published figure.",
    )
    pupil_group = models.CharField(max_length=20, choices=PupilGroup.choices, default=PupilGroup.ALL)
    year_group = models.CharField(max_length=4, choices=YearGroup.choices, default="", blank=True)
    subject = models.CharField(max_length=20, choices=Subject.choices, default="", blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=Symbol.choices, blank=True,
        help_text="Why there is no value; empty when there is one.",
    )
    raw = models.CharField(max_length=50, blank=True, help_text="The cell exactly as the file had it.")
    batch = models.ForeignKey(
        "academies.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def has_value(self):
        return self.value is not None


class ResultQuerySet(ScopedQuerySet):
    academy_path = "academy"


class Result(Dimensions):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="results")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="results")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PUBLISHED)
    cohort = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pupils in the group the figure is about."
    )
    as_at = models.DateField(null=True, blank=True, help_text="For figures taken on a day (a census).")

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "-academic_year__start_year", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "measure", "academic_year", "term", "pupil_group",
                        "year_group", "subject", "source"],
                name="result_one_fact",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False, state="") | Q(value__isnull=True) & ~Q(state=""),
                name="result_value_or_state",
            ),
        ]
        indexes = [models.Index(fields=["academy", "academic_year"])]

    def __str__(self):
        return f"{self.measure} {self.academic_year}: {self.raw or self.value}"

    @property
    def access_academy(self):
        return self.academy


class Comparator(Dimensions):
    """A national or local-authority figure the academies are compared with."""

    class Area(models.TextChoices):
        NATIONAL = "national", "England"
        LA = "la", "Local authority"

    area = models.CharField(max_length=10, choices=Area.choices)
    area_code = models.CharField(
        max_length=9, blank=True, validators=[RegexValidator(r"^([0-9]{3})?\Z")],
        help_text="The three-digit LA code; empty for England.",
    )
    area_name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "area_code", "measure", "academic_year", "term", "pupil_group",
                        "year_group", "subject"],
                name="comparator_one_fact",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False, state="") | Q(value__isnull=True) & ~Q(state=""),
                name="comparator_value_or_state",
            ),
        ]

    def __str__(self):
        return f"{self.get_area_display()} {self.measure} {self.academic_year}"
