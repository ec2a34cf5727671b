"""Whether each academy meets each of the trust's performance standards, year by year.

`evaluate(standard, academies, years)` answers, for every academy and academic year, *meets*,
*does not meet* or *no data*, with the evidence: each figure compared and what it was compared
with. Everything the six rules read (published results, England's figures and inspections) is
loaded by `load_facts` in five queries, whatever the number of academies and years; the rules
then work in Python.

What every rule shares
- Only published, whole-year results count (not the academy's in-year assessments), and only
  whole-school or key-stage figures (not a single year group).
- A figure DfE did not publish (suppressed, not applicable, not available...) or one hidden from
  the viewer as a small cohort means *no data* for that comparison, never a failure. The same
  holds when England's figure to compare with is missing.
- Each rule makes one or more comparisons and combines them in one of two ways:
  *all required* (every comparison must be made and pass: a missing one gives no data) or
  *on the figures published* (any failing comparison fails the standard; otherwise one passing
  comparison is enough, so an all-through academy whose KS4 figure is suppressed is judged on
  its KS2 figure, and the evidence shows the suppressed one).
- "Key stages" are KS2 (primary phases) and KS4 (secondary phases): a comparison is made for each
  key stage whose measure applies to the academy's phase, or for which the academy has a figure
  that year. Special schools and alternative provision are compared only on the key stages they
  have figures for.
- The thresholds a trust may want to set differently are the fields of `Thresholds`; the
  defaults are the model's standards taken literally (at or above national, zero exclusions).

The rules
- gap_closed: disadvantaged pupils' figure on the key attainment measure (KS2 reading, writing
  and maths at the expected standard; KS4 English and maths at grade 4 or above) is at least
  England's figure for *other* (not disadvantaged) pupils, less `gap_margin` points. Combined on
  the figures published.
- ofsted_top: the latest inspection that gave grades, as at the end of the academic year (today,
  for the year in progress), judged in its own framework and never converted to another scale:
  to August 2024, overall effectiveness Outstanding; September 2024 to November 2025 (no overall
  grade), every sub-judgement Outstanding and safeguarding not found ineffective; report cards,
  every evaluation area graded Exceptional or Strong standard (`report_card_top`: a trust may
  ask for Exceptional alone) and safeguarding met. A category of concern never meets. An
  inspection of a predecessor school counts until the academy is inspected itself, as DfE
  shows it, and the evidence says so. An ungraded inspection leaves the previous grades
  standing. No inspection yet: no data. All required.
- no_permanent_exclusions: the number of permanent exclusions in the year is at most
  `max_permanent_exclusions` (0); where only the rate is published, the rate is at most
  `max_permanent_exclusion_rate` (0). A rate that "rounds to zero but is not zero" (DfE's `low`)
  is not zero, so it does not meet a zero threshold.
- groups_above_national: on the key attainment measure, every pupil group with a figure (all
  pupils, disadvantaged, boys, girls, SEN, EAL, prior attainment...) at or above England's figure
  for the same group. A group without a published figure, or without a national figure for the
  group, is left out. Combined on the figures published.
- behaviour_and_attendance: attendance at least England's (less `attendance_margin` points), and
  the suspension rate no higher than England's (plus `suspension_margin`). Where attendance or
  England's attendance is not recorded, overall absence is compared instead, lower being better:
  it is the same figure from the other side (100 minus attendance), not a conversion. All
  required: attendance and behaviour both.
- ready_for_next_stage: primary phases, all pupils at the KS2 expected standard in reading,
  writing and maths at or above England's figure; secondary phases, all pupils with English and
  maths at grade 4 or above at or above England's; special schools and alternative provision,
  the share of pupils with SEN making the progress expected of them (sen_progress) at least
  `sen_progress_minimum` (70%). Combined on the figures published.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import F
from django.utils import timezone

from trust.models import AcademicYear

from .models import Comparator, Inspection, Measure, PerformanceStandard, PupilGroup, Result
from .models.ofsted import FIVE_POINT, FOUR_POINT, Area, Framework
from .models.results import SYMBOL_SHORT, Source, Subject, Symbol
from .selectors import hides_small_cohorts

Rule = PerformanceStandard.Rule
ALL, DISADVANTAGED, OTHERS = PupilGroup.ALL, PupilGroup.DISADVANTAGED, PupilGroup.NOT_DISADVANTAGED
GROUP_ORDER = {value: i for i, value in enumerate(PupilGroup.values)}
# Whole-school and key-stage figures; a key-stage figure is preferred where there are both.
YEAR_GROUPS = ("", "KS2", "KS4")
TREND_YEARS = 5
NO_FIGURE = "No figure"


class Status(models.TextChoices):
    MEETS = "meets", "Meets"
    NOT_MET = "not_met", "Does not meet"
    NO_DATA = "no_data", "No data"


SYMBOLS = {Status.MEETS: "\u2713", Status.NOT_MET: "\u2717", Status.NO_DATA: "\u2013"}


@dataclass(frozen=True)
class Thresholds:
    """What the rules compare with, where a trust may choose (see the module's docstring)."""

    ks2: tuple = ("ks2_expected", Subject.RWM)
    ks4: tuple = ("ks4_english_maths_4", Subject.NONE)
    gap_margin: Decimal = Decimal(0)
    report_card_top: frozenset = frozenset({"exceptional", "strong"})
    max_permanent_exclusions: Decimal = Decimal(0)
    max_permanent_exclusion_rate: Decimal = Decimal(0)
    attendance_margin: Decimal = Decimal(0)
    suspension_margin: Decimal = Decimal(0)
    sen_progress_minimum: Decimal = Decimal(70)
    sen_phases: frozenset = frozenset({"special", "ap"})

    @property
    def key_stages(self):
        return (self.ks2, self.ks4)

    @property
    def report_card_text(self):
        return " or ".join(FIVE_POINT[g] for g in FIVE_POINT if g in self.report_card_top)

    @property
    def measure_codes(self):
        return {self.ks2[0], self.ks4[0], "sen_progress", "attendance", "absence_overall",
                "suspension_rate", "permanent_exclusions", "permanent_exclusion_rate"}


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Evidence:
    """One comparison: what was compared, the academy's figure, what it had to reach, the result."""

    what: str
    figure: str
    against: str
    status: str

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def symbol(self):
        return SYMBOLS[self.status]


@dataclass(frozen=True)
class Outcome:
    status: str
    evidence: tuple = ()
    note: str = ""  # what the evidence comes from, where it is not in each line (the inspection)

    @property
    def label(self):
        return Status(self.status).label

    @property
    def symbol(self):
        return SYMBOLS[self.status]


def all_required(evidence, note=""):
    """Every comparison made and passed; any failure fails; any gap leaves no data."""
    statuses = {e.status for e in evidence}
    if Status.NOT_MET in statuses:
        status = Status.NOT_MET
    elif not evidence or Status.NO_DATA in statuses:
        status = Status.NO_DATA
    else:
        status = Status.MEETS
    return Outcome(status, tuple(evidence), note)


def on_published(evidence):
    """Any failing comparison fails; otherwise one passing comparison is enough."""
    statuses = {e.status for e in evidence}
    if Status.NOT_MET in statuses:
        status = Status.NOT_MET
    elif Status.MEETS in statuses:
        status = Status.MEETS
    else:
        status = Status.NO_DATA
    return Outcome(status, tuple(evidence))


# ---------------------------------------------------------------------------------------------
# What the rules read


@dataclass
class Facts:
    measures: dict  # code -> Measure
    results: dict  # (academy id, start year, code, subject) -> {pupil group: Result}
    national: dict  # (start year, code, subject, pupil group) -> Comparator
    inspections: dict  # academy id -> [Inspection], newest first
    today: datetime.date


def load_facts(academies, years, *, thresholds=DEFAULT_THRESHOLDS, today=None):
    """Everything the rules need for these academies and years: five queries (measures, results,
    England's figures, inspections and their judgements)."""
    today = today or timezone.localdate()
    academies = list(academies)
    ids = [a.pk for a in academies]
    years = sorted(set(years))
    measures = {m.code: m for m in Measure.objects.filter(code__in=thresholds.measure_codes)}
    results = defaultdict(dict)
    rows = (
        Result.objects.filter(
            academy_id__in=ids, measure__in=list(measures.values()), academic_year__start_year__in=years,
            source=Source.PUBLISHED, term=0, year_group__in=YEAR_GROUPS,
        )
        .annotate(start_year=F("academic_year__start_year"))
        .order_by("year_group", "pk")  # "" first, so that a key-stage figure wins
    )
    by_id = {m.pk: m for m in measures.values()}
    for row in rows:
        row.measure = by_id[row.measure_id]
        results[(row.academy_id, row.start_year, row.measure.code, row.subject)][row.pupil_group] = row
    national = {}
    comparators = (
        Comparator.objects.filter(
            area=Comparator.Area.NATIONAL, measure__in=list(measures.values()),
            academic_year__start_year__in=years, term=0, year_group__in=YEAR_GROUPS,
        )
        .annotate(start_year=F("academic_year__start_year"))
        .order_by("year_group", "pk")
    )
    for row in comparators:
        row.measure = by_id[row.measure_id]
        national[(row.start_year, row.measure.code, row.subject, row.pupil_group)] = row
    inspections = defaultdict(list)
    if years:
        by_pk = {a.pk: a for a in academies}
        last_day = min(datetime.date(years[-1] + 1, 8, 31), today)
        found = (
            Inspection.objects.filter(academy_id__in=ids, start_date__lte=last_day)
            .prefetch_related("judgements").order_by("academy_id", "-start_date", "-pk")
        )
        for inspection in found:
            inspection.academy = by_pk[inspection.academy_id]  # spares a query per inspection
            inspections[inspection.academy_id].append(inspection)
    return Facts(measures, dict(results), national, dict(inspections), today)


def _date(day):
    return f"{day:%-d %B %Y}"


class _Judge:
    """The comparisons for one academy in one academic year."""

    def __init__(self, facts, academy, year, thresholds, small_cohort):
        self.facts, self.academy, self.year, self.th = facts, academy, year, thresholds
        self.small_cohort = small_cohort  # groups this size or smaller are hidden; None: none are

    def groups(self, code, subject):
        return self.facts.results.get((self.academy.pk, self.year, code, subject), {})

    def key_stages(self):
        """The key-stage measures that apply to the academy (see the module's docstring)."""
        stages = []
        for code, subject in self.th.key_stages:
            measure = self.facts.measures.get(code)
            if measure is None:
                continue
            applies = measure.applies_to(self.academy.phase) and self.academy.phase not in self.th.sen_phases
            if applies or self.groups(code, subject):
                stages.append((code, subject))
        return stages

    def what(self, code, subject, group):
        measure = self.facts.measures[code]
        parts = [measure.label]
        if subject:
            parts.append(Subject(subject).label.lower())
        return f"{', '.join(parts)}: {PupilGroup(group).label.lower()}"

    def hidden(self, result):
        return (self.small_cohort is not None and result.cohort is not None
                and result.cohort <= self.small_cohort)

    def against_national(self, code, subject, group, national_group=None, *, margin=Decimal(0)):
        """The academy's figure for `group` against England's for `national_group` (the same
        group unless said), in the direction the measure counts as better."""
        national_group = national_group or group
        measure = self.facts.measures[code]
        ours = self.groups(code, subject).get(group)
        hidden = ours is not None and self.hidden(ours)
        england = self.facts.national.get((self.year, code, subject, national_group))
        higher = measure.higher_is_better is not False
        status = Status.NO_DATA
        if _valued(ours) and not hidden and _valued(england):
            met = ours.value >= england.value - margin if higher else ours.value <= england.value + margin
            status = Status.MEETS if met else Status.NOT_MET
        places = _places(measure, ours if not hidden else None, england)
        who = "" if national_group == group else f", {PupilGroup(national_group).label.lower()}"
        against = f"England{who}: {_text(england, measure, places=places)}"
        if margin:
            points = " points" if measure.unit == Measure.Unit.PERCENT else ""
            against += f" ({'less' if higher else 'plus'} {margin}{points} allowed)"
        figure = _text(ours, measure, hidden=hidden, places=places)
        return Evidence(self.what(code, subject, group), figure, against, status)

    def against_value(self, code, subject, group, *, at_most=None, at_least=None, low_exceeds=False):
        """The academy's figure against a fixed threshold. With `low_exceeds`, DfE's "rounds to
        zero but is not zero" fails a threshold of zero."""
        measure = self.facts.measures[code]
        ours = self.groups(code, subject).get(group)
        hidden = ours is not None and self.hidden(ours)
        status = Status.NO_DATA
        if _valued(ours) and not hidden:
            met = ours.value <= at_most if at_most is not None else ours.value >= at_least
            status = Status.MEETS if met else Status.NOT_MET
        elif ours is not None and not hidden and low_exceeds and ours.state == Symbol.LOW and at_most == 0:
            status = Status.NOT_MET
        limit = at_most if at_most is not None else at_least
        against = f"{'at most' if at_most is not None else 'at least'} {_number(measure, limit)}"
        return Evidence(self.what(code, subject, group), _text(ours, measure, hidden=hidden), against, status)


def _valued(row):
    return row is not None and row.value is not None


def _number(measure, value, places=None):
    places = measure.decimal_places if places is None else places
    text = f"{Decimal(value):,.{places}f}"
    if measure.unit == Measure.Unit.PERCENT:
        return f"{text}%"
    if measure.unit == Measure.Unit.RATE:
        return f"{text} per 100 pupils"
    return text


def _places(measure, a, b):
    """Enough decimal places to tell two different figures apart: 69.4% and 68.6% both show as
    69% at the measure's own precision, and one of them falls short of the other."""
    places = measure.decimal_places
    if _valued(a) and _valued(b) and a.value != b.value:
        while places < measure.decimal_places + 2 and _number(measure, a.value, places) == _number(
                measure, b.value, places):
            places += 1
    return places


def _text(row, measure, *, hidden=False, places=None):
    if row is None:
        return NO_FIGURE
    if hidden:
        return f"{SYMBOL_SHORT[Symbol.SMALL_COHORT]} ({Symbol.SMALL_COHORT.label.lower()})"
    if row.value is None:
        return f"{SYMBOL_SHORT.get(row.state, row.state)} ({Symbol(row.state).label.lower()})"
    return _number(measure, row.value, places)


# ---------------------------------------------------------------------------------------------
# The rules


def _gap_closed(judge):
    return on_published([
        judge.against_national(code, subject, DISADVANTAGED, OTHERS, margin=judge.th.gap_margin)
        for code, subject in judge.key_stages()
    ])


def _groups_above_national(judge):
    evidence = []
    for code, subject in judge.key_stages():
        groups = sorted(judge.groups(code, subject) or [ALL], key=lambda g: GROUP_ORDER.get(g, 99))
        evidence += [judge.against_national(code, subject, group) for group in groups]
    return on_published(evidence)


def _ready_for_next_stage(judge):
    if judge.academy.phase in judge.th.sen_phases:
        return all_required([
            judge.against_value("sen_progress", "", ALL, at_least=judge.th.sen_progress_minimum)
        ])
    return on_published([judge.against_national(code, subject, ALL) for code, subject in judge.key_stages()])


def _no_permanent_exclusions(judge):
    th = judge.th
    count = judge.against_value("permanent_exclusions", "", ALL, at_most=th.max_permanent_exclusions)
    if count.status != Status.NO_DATA:
        return all_required([count])
    rate = judge.against_value("permanent_exclusion_rate", "", ALL, at_most=th.max_permanent_exclusion_rate,
                               low_exceeds=True)
    if rate.status != Status.NO_DATA:
        return all_required([rate])
    # Neither decides: show what there is (a suppressed count, say), or that there is nothing.
    return all_required([e for e in (count, rate) if e.figure != NO_FIGURE] or [count])


def _behaviour_and_attendance(judge):
    th = judge.th
    attendance = judge.against_national("attendance", "", ALL, margin=th.attendance_margin)
    if attendance.status == Status.NO_DATA:
        absence = judge.against_national("absence_overall", "", ALL, margin=th.attendance_margin)
        if absence.status != Status.NO_DATA:
            attendance = absence
    suspensions = judge.against_national("suspension_rate", "", ALL, margin=th.suspension_margin)
    return all_required([attendance, suspensions])


OUTSTANDING = f"{FOUR_POINT['1']} (1)"
INSPECTION_NAMES = {
    Framework.GRADED: "Graded inspection",
    Framework.NO_OVERALL: "Inspection without an overall grade",
    Framework.REPORT_CARD: "Report card",
}


def _ofsted_top(judge):
    as_at = min(datetime.date(judge.year + 1, 8, 31), judge.facts.today)
    inspection = next(
        (i for i in judge.facts.inspections.get(judge.academy.pk, [])
         if i.start_date <= as_at and (i.overall_effectiveness or i.judgements.all())),
        None,
    )
    if inspection is None:
        return Outcome(Status.NO_DATA, note="Not inspected yet")
    note = f"{INSPECTION_NAMES[inspection.framework]}, {_date(inspection.start_date)}"
    if inspection.of_predecessor:
        note += f", of the predecessor school (URN {inspection.urn_at_inspection})"
    evidence = []

    def judged(what, grade, needed, met):  # met: True, False, or None when not recorded
        status = Status.NO_DATA if met is None else Status.MEETS if met else Status.NOT_MET
        evidence.append(Evidence(what, grade, needed, status))

    safeguarding, recorded = inspection.safeguarding, inspection.get_safeguarding_display()
    if inspection.category_of_concern:
        judged("Category of concern", inspection.get_category_of_concern_display(), "None", False)
    if inspection.framework == Framework.GRADED:
        grade = inspection.overall_effectiveness
        judged("Overall effectiveness", f"{FOUR_POINT[grade]} ({grade})", OUTSTANDING, grade == "1")
    elif inspection.framework == Framework.NO_OVERALL:
        for j in inspection.judgements.all():
            judged(Area(j.area).label, f"{FOUR_POINT.get(j.grade, j.grade)} ({j.grade})", OUTSTANDING,
                   j.grade == "1")
        if safeguarding in {Inspection.Safeguarding.EFFECTIVE, Inspection.Safeguarding.NOT_EFFECTIVE}:
            judged("Safeguarding", recorded, "Effective", safeguarding == Inspection.Safeguarding.EFFECTIVE)
    else:
        for j in inspection.judgements.all():
            judged(Area(j.area).label, FIVE_POINT.get(j.grade, j.grade), judge.th.report_card_text,
                   j.grade in judge.th.report_card_top)
        met = {Inspection.Safeguarding.MET: True, Inspection.Safeguarding.NOT_MET: False}.get(safeguarding)
        judged("Safeguarding", recorded if safeguarding else "Not recorded", "Met", met)
    return all_required(evidence, note=note)


RULES = {
    Rule.GAP_CLOSED: _gap_closed,
    Rule.OFSTED_TOP: _ofsted_top,
    Rule.NO_PERMANENT_EXCLUSIONS: _no_permanent_exclusions,
    Rule.GROUPS_ABOVE_NATIONAL: _groups_above_national,
    Rule.BEHAVIOUR_AND_ATTENDANCE: _behaviour_and_attendance,
    Rule.READY_FOR_NEXT_STAGE: _ready_for_next_stage,
}


def evaluate(standard, academies, years, *, facts=None, thresholds=DEFAULT_THRESHOLDS, small_cohorts=None,
             today=None):
    """{academy id: {start year: Outcome}} for one standard.

    `years` are academic years by the year they start (2024 for 2024/25). `small_cohorts` maps
    an academy's id to the group size at or below which its figures are hidden from the viewer
    (governors); those figures then count as no data. Pass `facts` to share one load between
    several standards.
    """
    academies = list(academies)
    years = list(years)
    if facts is None:
        facts = load_facts(academies, years, thresholds=thresholds, today=today)
    rule = RULES[standard.rule]
    small_cohorts = small_cohorts or {}
    return {
        academy.pk: {
            year: rule(_Judge(facts, academy, year, thresholds, small_cohorts.get(academy.pk)))
            for year in years
        }
        for academy in academies
    }


# ---------------------------------------------------------------------------------------------
# Every standard across a set of academies: the trust page and the API


def year_label(start_year):
    return AcademicYear(start_year=start_year).label


@dataclass
class YearCount:
    year: int
    meets: int
    not_met: int
    no_data: int

    @property
    def label(self):
        return year_label(self.year)


@dataclass
class AcademyOutcome:
    academy: object
    outcome: Outcome  # in the standard's latest year
    history: list  # (year label, Outcome), oldest first


@dataclass
class StandardSummary:
    standard: PerformanceStandard
    year: int | None  # the latest year with a verdict for any of the academies
    rows: list = field(default_factory=list)  # AcademyOutcome, by academy name
    trend: list = field(default_factory=list)  # YearCount, oldest first

    @property
    def year_label(self):
        return year_label(self.year) if self.year is not None else None

    def with_status(self, status):
        return [row for row in self.rows if row.outcome.status == status]

    @property
    def meeting(self):
        return self.with_status(Status.MEETS)

    @property
    def not_meeting(self):
        return self.with_status(Status.NOT_MET)

    @property
    def no_data(self):
        return self.with_status(Status.NO_DATA)

    @property
    def counts(self):
        return {status: len(self.with_status(status)) for status in Status.values}


def window(today=None):
    """The academic years the page weighs: this one (for Ofsted) and the five before it."""
    current = AcademicYear.start_year_for(today or timezone.localdate())
    return list(range(current - TREND_YEARS, current + 1))


def summarise(standards, academies, *, user=None, today=None, thresholds=DEFAULT_THRESHOLDS):
    """For each standard: who meets it, who does not and who has no data in the latest year with
    any verdict, and the number in each for the five years to that one. Five queries, whatever
    the number of academies, standards and years. Figures of small groups are hidden (as no data)
    from a viewer who sees them suppressed on the data page."""
    today = today or timezone.localdate()
    academies = sorted(academies, key=lambda a: (a.name, a.urn))
    years = window(today)
    facts = load_facts(academies, years, thresholds=thresholds, today=today)
    small_cohorts = {}
    if user is not None:
        small_cohorts = {a.pk: a.trust.small_cohort_threshold for a in academies
                         if hides_small_cohorts(user, a)}
    summaries = []
    for standard in standards:
        outcomes = evaluate(standard, academies, years, facts=facts, thresholds=thresholds,
                            small_cohorts=small_cohorts)
        judged = [y for y in years if any(outcomes[a.pk][y].status != Status.NO_DATA for a in academies)]
        latest = judged[-1] if judged else None
        summary = StandardSummary(standard, latest)
        if latest is not None:
            shown = [y for y in years if latest - TREND_YEARS < y <= latest]
            for year in shown:
                statuses = [outcomes[a.pk][year].status for a in academies]
                summary.trend.append(YearCount(year, *(statuses.count(s) for s in Status.values)))
            summary.rows = [
                AcademyOutcome(a, outcomes[a.pk][latest],
                               [(year_label(y), outcomes[a.pk][y]) for y in shown])
                for a in academies
            ]
        else:
            summary.rows = [AcademyOutcome(a, Outcome(Status.NO_DATA), []) for a in academies]
        summaries.append(summary)
    return summaries
