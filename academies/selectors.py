"""Reads of performance data shared by the pages, the API and (later) the academy card.

Each read costs a small, fixed number of queries and does its grouping in Python, so a page
costs the same whatever the length of an academy's history.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Q

from trust.access import scope_for
from trust.models import Role

from .models import Comparator, ImportBatch, Inspection, Measure, PupilGroup, Result, SEFJudgement
from .models.ofsted import SCALE_ORDER, Area, Framework, grade_label
from .models.results import SYMBOL_SHORT, Source, Subject, Symbol, YearGroup

MINUS = "\N{MINUS SIGN}"

# ---------------------------------------------------------------------------------------------
# Academic years as people write them


YEAR_LABEL = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*$")


def parse_year_label(text):
    """The start year of an academic year written as DfE writes it ("2024/25"), or ValueError."""
    match = YEAR_LABEL.match(text or "")
    if not match:
        raise ValueError("Give the academic year as, for example, 2024/25.")
    start, end = int(match[1]), int(match[2])
    if (start + 1) % 100 != end:
        raise ValueError(f"{text.strip()} is not an academic year: the second part follows the first, "
                         f"as in {start}/{str(start + 1)[-2:]}.")
    return start


# ---------------------------------------------------------------------------------------------
# Small cohorts

GOVERNOR_ONLY = frozenset({Role.GOVERNOR})


def hides_small_cohorts(user, academy):
    """Governors see the results of small groups as suppressed. Anyone who also holds another
    role covering the academy (a trustee who is a governor too) reads with that role."""
    roles = scope_for(user).roles_for(academy)
    return bool(roles) and roles <= GOVERNOR_ONLY


def is_small_cohort(result, threshold):
    return result.cohort is not None and result.cohort <= threshold


# ---------------------------------------------------------------------------------------------
# Figures: a value, or a symbol saying why there is none


@dataclass(frozen=True)
class Figure:
    """One figure as shown: a value formatted by its measure, or the DfE symbol for its state."""

    measure: Measure
    value: Decimal | None = None
    state: str = ""
    gap: bool = False  # a difference between two figures, shown signed and in points

    @property
    def code(self):
        return SYMBOL_SHORT.get(self.state, "")

    @property
    def state_label(self):
        return Symbol(self.state).label if self.state else ""

    @property
    def hidden(self):
        return self.state == Symbol.SMALL_COHORT

    @property
    def text(self):
        if self.value is None:
            return self.code
        if not self.gap:
            return self.measure.format(self.value)
        places = self.measure.decimal_places
        text = f"{abs(Decimal(self.value)):,.{places}f}"
        sign = "+" if self.value > 0 else MINUS if self.value < 0 else ""
        points = " points" if self.measure.unit == Measure.Unit.PERCENT else ""
        return f"{sign}{text}{points}"


def figure_of(row, measure, *, hide=False):
    """The figure of a result or comparator; `hide` shows it as a small cohort instead."""
    if row is None:
        return None
    if hide:
        return Figure(measure, state=Symbol.SMALL_COHORT)
    return Figure(measure, row.value, row.state)


def difference(a, b, measure):
    """a minus b as a gap figure, when both are figures with values; None otherwise."""
    if a is None or b is None or a.value is None or b.value is None:
        return None
    return Figure(measure, Decimal(a.value) - Decimal(b.value), gap=True)


# ---------------------------------------------------------------------------------------------
# Above, close to or below national


@dataclass(frozen=True)
class Mark:
    """Where a figure stands against national, said with a symbol and words, never colour alone."""

    key: str  # better, worse, close, higher, lower, none
    symbol: str
    text: str


NO_MARK = Mark("none", "", "")


def close_margin(measure):
    """How near national counts as close: whole-number percentages within a point, one-decimal
    figures (attendance) within half a point, two-decimal scores (progress) within 0.1."""
    return {0: Decimal(1), 1: Decimal("0.5")}.get(measure.decimal_places, Decimal("0.1"))


def mark(figure, national, measure):
    if figure is None or figure.value is None:
        return NO_MARK
    if national is None or national.value is None:
        return Mark("none", "", "No national figure")
    if measure.higher_is_better is None:
        return Mark("none", "", "No judgement: a context figure")
    diff = Decimal(figure.value) - Decimal(national.value)
    if abs(diff) <= close_margin(measure):
        return Mark("close", "\u25cf", "Close to national")
    above = diff > 0
    better = above == measure.higher_is_better
    return Mark(
        "better" if better else "worse",
        "\u25b2" if above else "\u25bc",
        f"{'Above' if above else 'Below'} national ({'better' if better else 'worse'})",
    )


# ---------------------------------------------------------------------------------------------
# Comparators and sources


def comparator_key(row, group=None):
    return (row.measure_id, row.academic_year_id, row.term, group or row.pupil_group, row.year_group,
            row.subject)


class Comparators:
    """The national and local-authority figures for a set of results, fetched in one query."""

    def __init__(self, results):
        self.by_key = {}
        if not results:
            return
        la_codes = {r.academy.la_code for r in results if r.academy.la_code}
        rows = Comparator.objects.filter(
            Q(area=Comparator.Area.NATIONAL) | Q(area=Comparator.Area.LA, area_code__in=la_codes),
            measure_id__in={r.measure_id for r in results},
            academic_year_id__in={r.academic_year_id for r in results},
        ).select_related("batch")
        for row in rows:
            code = row.area_code if row.area == Comparator.Area.LA else ""
            self.by_key[(row.area, code, *comparator_key(row))] = row

    def national(self, result, group=None):
        """England's figure for the result's dimensions (for another pupil group, if given)."""
        return self.by_key.get((Comparator.Area.NATIONAL, "", *comparator_key(result, group)))

    def la(self, result, group=None):
        code = result.academy.la_code
        return self.by_key.get((Comparator.Area.LA, code, *comparator_key(result, group)))


def batch_text(batch, fallback_date=None):
    if batch is not None:
        return f"{batch.file_name}, {batch.created_at:%-d %b %Y}"
    if fallback_date is not None:
        return f"entered {fallback_date:%-d %b %Y}"
    return ""


def source_text(result, national=None):
    parts = [f"{Source(result.source).label}: {batch_text(result.batch, result.updated_at)}"]
    if national is not None and national.batch_id and national.batch_id != result.batch_id:
        parts.append(f"national: {batch_text(national.batch)}")
    return "; ".join(parts)


def last_upload(academy):
    """The latest import that wrote to the academy: the card's "last upload date"."""
    return (
        ImportBatch.objects.filter(
            academies=academy, status=ImportBatch.Status.SUCCEEDED, dry_run=False
        ).order_by("-created_at").first()
    )


def latest_inspection(academy):
    """The newest inspection, ready to say when the next is due (its judgements prefetched)."""
    inspection = (
        Inspection.objects.filter(academy=academy).prefetch_related("judgements").order_by("-start_date")
        .first()
    )
    if inspection is not None:
        inspection.academy = academy
    return inspection


def academy_summary(academy):
    """For the academy's page: its last upload and its latest inspection (three queries)."""
    return {"last_upload": last_upload(academy), "latest_inspection": latest_inspection(academy)}


# ---------------------------------------------------------------------------------------------
# The data page

# Where the disadvantaged gap is shown: attainment, attendance and exclusions.
GAP_CATEGORIES = frozenset({
    Measure.Category.EYFS, Measure.Category.PHONICS, Measure.Category.IN_YEAR, Measure.Category.KS2,
    Measure.Category.KS4, Measure.Category.ATTENDANCE, Measure.Category.BEHAVIOUR,
})
DISADVANTAGED, OTHERS = PupilGroup.DISADVANTAGED, PupilGroup.NOT_DISADVANTAGED
GROUP_ORDER = {value: i for i, value in enumerate(PupilGroup.values)}
SUBJECT_ORDER = {value: i for i, value in enumerate(Subject.values)}
YEAR_GROUP_ORDER = {value: i for i, value in enumerate(YearGroup.values)}
TERMS = {0: "", 1: "Autumn", 2: "Spring", 3: "Summer"}


@dataclass
class Row:
    """One line of a results table: a pupil group's result, or a disadvantaged gap."""

    kind: str  # "result" or "gap"
    measure: Measure
    detail: str
    group: str
    academy: Figure | None
    national: Figure | None
    la: Figure | None
    mark: Mark
    trend: list = field(default_factory=list)  # (year label, Figure or None), oldest first
    cohort: str = ""
    source: str = ""
    first_of_measure: bool = False


@dataclass
class Section:
    category: str
    label: str
    rows: list


@dataclass
class AcademyData:
    years: list  # AcademicYear, newest first
    year: object  # the year shown, or None when there are no figures
    sections: list
    legend: list  # (DfE code, meaning)
    hides_small_cohorts: bool
    threshold: int
    la_name: str


def _slot(result):
    """What a figure is about, apart from its year and group."""
    return (result.measure_id, result.term, result.year_group, result.subject, result.source)


def _detail(result):
    parts = [Subject(result.subject).label if result.subject else "",
             YearGroup(result.year_group).label if result.year_group else "",
             TERMS[result.term]]
    return ", ".join(p for p in parts if p)


def _sort_key(result):
    m = result.measure
    return (m.order, m.label, m.pk, SUBJECT_ORDER.get(result.subject, 99),
            YEAR_GROUP_ORDER.get(result.year_group, 99), result.term, result.source,
            GROUP_ORDER.get(result.pupil_group, 99))


def academy_results(academy, *, user, category="", group="", year=None, source=""):
    """An academy's results for its data page: two queries whatever the history.

    The year chosen (the latest by default) is shown with its comparators; every year is kept
    for the trends, and every group for the disadvantaged gaps, whatever group is chosen.
    """
    results = Result.objects.filter(academy=academy).select_related("measure", "academic_year", "batch")
    if category:
        results = results.filter(measure__category=category)
    if source:
        results = results.filter(source=source)
    results = list(results)
    for result in results:
        result.academy = academy  # every row is this academy's; spares a query per row
    comparators = Comparators(results)
    hide = hides_small_cohorts(user, academy)
    threshold = academy.trust.small_cohort_threshold

    years = sorted({r.academic_year for r in results}, key=lambda y: y.start_year, reverse=True)
    shown_year = next((y for y in years if y.start_year == year), None) if year else None
    shown_year = shown_year or (years[0] if years else None)

    # slot -> group -> start year -> result
    history = defaultdict(lambda: defaultdict(dict))
    for result in results:
        history[_slot(result)][result.pupil_group][result.academic_year.start_year] = result

    def academy_figure(result):
        if result is None:
            return None
        return figure_of(result, result.measure, hide=hide and is_small_cohort(result, threshold))

    shown = sorted(
        (r for r in results if shown_year and r.academic_year_id == shown_year.pk), key=_sort_key
    )
    sections = {}
    last_measure = None
    # Rows of one slot (measure, subject, year group, term, source) are adjacent in this order:
    # the slot's gap rows follow its groups' rows.
    for slot, slot_results in groupby(shown, key=_slot):
        slot_results = list(slot_results)
        measure = slot_results[0].measure
        rows = sections.setdefault(measure.category, [])
        for result in slot_results:
            if group and result.pupil_group != group:
                continue
            national = comparators.national(result)
            academy_fig = academy_figure(result)
            national_fig = figure_of(national, measure)
            rows.append(Row(
                "result", measure, _detail(result), PupilGroup(result.pupil_group).label,
                academy_fig, national_fig, figure_of(comparators.la(result), measure),
                mark(academy_fig, national_fig, measure),
                _trend(years, history[slot][result.pupil_group], academy_figure),
                cohort=_cohort_text(result, academy_fig, threshold),
                source=source_text(result, national),
                first_of_measure=measure.pk != last_measure,
            ))
            last_measure = measure.pk
        if measure.category in GAP_CATEGORIES:
            rows.extend(_gap_rows(history[slot], years, shown_year, comparators, academy_figure))
    sections = {c: rows for c, rows in sections.items() if rows}
    return AcademyData(
        years=years,
        year=shown_year,
        sections=[Section(c, Measure.Category(c).label, sections[c])
                  for c in Measure.Category.values if c in sections],
        legend=_legend(row for rows in sections.values() for row in rows),
        hides_small_cohorts=hide,
        threshold=threshold,
        la_name=academy.local_authority,
    )


def _trend(years, by_year, make):
    """(year label, figure) for each year with a figure, oldest first."""
    figures = ((y.label, make(by_year[y.start_year])) for y in reversed(years) if y.start_year in by_year)
    return [(label, figure) for label, figure in figures if figure is not None]


def _legend(rows):
    """The DfE symbols on the page, each with what it means."""
    legend = {}
    for row in rows:
        for fig in (row.academy, row.national, row.la, *(f for _, f in row.trend)):
            if fig is not None and fig.state:
                legend.setdefault(fig.code, {})[fig.state_label] = None
    return [(code, "; ".join(labels)) for code, labels in sorted(legend.items())]


def _cohort_text(result, figure, threshold):
    if result.cohort is None:
        return ""
    if figure is not None and figure.hidden:
        return f"{threshold} or fewer"
    return f"{result.cohort:,}"


def _gap_rows(groups, years, year, comparators, academy_figure):
    """The disadvantaged gap in the academy and nationally, and (as DfE compares them) the
    academy's disadvantaged pupils against other pupils nationally. None when the academy has
    neither group's figure in the year shown."""
    disadvantaged, others = groups.get(DISADVANTAGED, {}), groups.get(OTHERS, {})
    any_group = {**others, **disadvantaged}  # start year -> a result of this slot in that year
    if year.start_year not in any_group:
        return []
    sample = any_group[year.start_year]
    measure = sample.measure

    def gaps(start_year):
        row = any_group[start_year]
        ours = academy_figure(disadvantaged.get(start_year))
        national_others = figure_of(comparators.national(row, OTHERS), measure)
        national_ours = figure_of(comparators.national(row, DISADVANTAGED), measure)
        return {
            "academy": _gap(ours, academy_figure(others.get(start_year)), measure),
            "national": difference(national_ours, national_others, measure),
            "against_national": _gap(ours, national_others, measure),
        }

    shown = gaps(year.start_year)
    la_gap = difference(figure_of(comparators.la(sample, DISADVANTAGED), measure),
                        figure_of(comparators.la(sample, OTHERS), measure), measure)
    sources = "; ".join(dict.fromkeys(
        source_text(r) for r in (disadvantaged.get(year.start_year), others.get(year.start_year)) if r
    ))
    detail = _detail(sample)

    def row(label, key, la):
        if shown[key] is None and shown["national"] is None and la is None:
            return None  # no gap to show: say nothing rather than a row of dashes
        return Row("gap", measure, detail, label, shown[key], shown["national"], la,
                   mark(shown[key], shown["national"], measure),
                   _trend(years, any_group, lambda r: gaps(r.academic_year.start_year)[key]),
                   source=sources)

    rows = [
        row("Gap: disadvantaged minus not disadvantaged", "academy", la_gap),
        row("Gap: disadvantaged minus national not disadvantaged", "against_national", None),
    ]
    return [r for r in rows if r is not None]


def _gap(a, b, measure):
    """A gap that involves a figure hidden from the viewer is hidden too: with the other
    group's figure beside it, it would give the hidden one away."""
    if (a is not None and a.hidden) or (b is not None and b.hidden):
        return Figure(measure, state=Symbol.SMALL_COHORT)
    return difference(a, b, measure)


# ---------------------------------------------------------------------------------------------
# Ofsted and the SEF


def inspections_for(academy):
    """The academy's inspections, newest first, with their judgements: two queries."""
    inspections = list(
        Inspection.objects.filter(academy=academy).prefetch_related("judgements").order_by("-start_date")
    )
    for inspection in inspections:
        inspection.academy = academy
    return inspections


AREA_ORDER = {value: i for i, value in enumerate(Area.values)}


def latest_sef(academy):
    """The academy's latest self-evaluation of each area, in the order of the areas."""
    latest = {}
    judgements = (
        SEFJudgement.objects.filter(academy=academy).select_related("entered_by")
        .order_by("-judged_on", "-created_at")
    )
    for judgement in judgements:
        latest.setdefault(judgement.area, judgement)
    return sorted(latest.values(), key=lambda j: AREA_ORDER.get(j.area, 99))


SCALE_LABELS = {"four_point": "four-point (1 to 4)", "five_point": "report card (five-point)"}


@dataclass(frozen=True)
class Judged:
    """One judgement of an area on its own scale, from whatever made it."""

    scale: str
    grade: str
    on: object  # date

    @property
    def label(self):
        label = grade_label(self.scale, self.grade)
        if self.scale == "four_point" and label:
            return f"{label} ({self.grade})"
        return label or self.grade

    @property
    def scale_label(self):
        return SCALE_LABELS.get(self.scale, self.scale)


@dataclass(frozen=True)
class Verdict:
    key: str  # higher, same, lower, different_scales, missing
    symbol: str
    text: str


def compare_judgements(sef, other, other_name):
    """The SEF against another judgement of the same area: only on the same scale. Ofsted says
    the four-point and report-card scales cannot be compared, so different scales are said to
    differ and never converted."""
    if sef is None or other is None:
        return Verdict("missing", "", "Nothing to compare")
    if sef.scale != other.scale:
        return Verdict("different_scales", "\u2260", "Different scales: not compared")
    order = SCALE_ORDER[sef.scale]
    if sef.grade not in order or other.grade not in order:
        return Verdict("missing", "", "Nothing to compare")
    ours, theirs = order.index(sef.grade), order.index(other.grade)
    if ours == theirs:
        return Verdict("same", "=", f"Self-evaluation the same as {other_name}")
    if ours < theirs:  # a lower index is a better grade
        return Verdict("higher", "\u25b2", f"Self-evaluation higher than {other_name}: over-graded")
    return Verdict("lower", "\u25bc", f"Self-evaluation lower than {other_name}: under-graded")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    compare_name: str  # how a verdict names it: "the inspection"


@dataclass
class ComparisonRow:
    area: str
    label: str
    cells: list  # one Judged or None per column
    verdicts: list  # one Verdict per column after the first (each against the SEF)


@dataclass
class Comparison:
    columns: list
    rows: list
    inspection: object  # the inspection compared with, or None


SEF_COLUMN = Column("sef", "Self-evaluation", "self-evaluation")
INSPECTION_COLUMN = Column("inspection", "Latest inspection", "the inspection")


def comparison_rows(columns, judged):
    """Rows of a comparison: `judged` maps each column's key to {area: Judged}. The first column
    is the SEF; each other column gets a verdict against it. A later column (the health check)
    is one more entry in both."""
    areas = sorted({area for by_area in judged.values() for area in by_area},
                   key=lambda a: AREA_ORDER.get(a, 99))
    rows = []
    for area in areas:
        cells = [judged.get(c.key, {}).get(area) for c in columns]
        rows.append(ComparisonRow(
            area, Area(area).label if area in Area.values else area, cells,
            [compare_judgements(cells[0], cell, c.compare_name) for c, cell in zip(columns[1:], cells[1:],
                                                                                 strict=True)],
        ))
    return rows


def latest_judged_inspection(inspections):
    """The newest inspection that graded areas: an ungraded visit leaves the grades standing."""
    return next((i for i in inspections if i.judgements.all()), None)


# Apps that build on this one add columns to the comparison (the health checks app adds the latest
# health check the reader may see), so that academies never imports them. Each provider is
# called as provider(academy, user) and returns (Column, {area: Judged}) or None.
COMPARISON_COLUMNS = []


def sef_comparison(academy, *, inspections=None, sef=None, user=None):
    """The SEF against the latest inspection (and any column another app provides), area by area."""
    inspections = inspections_for(academy) if inspections is None else inspections
    sef = latest_sef(academy) if sef is None else sef
    inspection = latest_judged_inspection(inspections)
    judged = {
        SEF_COLUMN.key: {j.area: Judged(j.scale, j.grade, j.judged_on) for j in sef},
        INSPECTION_COLUMN.key: {
            j.area: Judged(inspection.scale, j.grade, j.grade_date or inspection.start_date)
            for j in inspection.judgements.all()
        } if inspection else {},
    }
    columns = [SEF_COLUMN, INSPECTION_COLUMN]
    for provider in COMPARISON_COLUMNS:
        extra = provider(academy, user)
        if extra is not None:
            column, by_area = extra
            columns.append(column)
            judged[column.key] = by_area
    return Comparison(columns, comparison_rows(columns, judged), inspection)


def overall_text(inspection):
    """The headline of an inspection in its own framework."""
    if inspection.framework == Framework.GRADED:
        if inspection.overall_effectiveness:
            return f"{inspection.headline} ({inspection.overall_effectiveness})"
        return "No overall grade recorded"
    if inspection.framework == Framework.NO_OVERALL:
        return "Not judged (no overall grade from September 2024)"
    return "Report card: no overall grade"
