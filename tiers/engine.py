"""The recommendation engine: the trust's rules turn stored evidence into a recommended tier.

Each active rule reads one piece of evidence for an academy and, where it can, indicates a tier
(1 best to 4). The recommendation is the weighted average of the indicated tiers, rounded half up
(so a tie leans to more support), made no better than tier 4 when a decisive rule indicated tier
4 (ineffective safeguarding, a category of concern). Fewer than MIN_INDICATIONS indications is
not enough evidence: no tier is recommended, and the trace says what was missing.

The engine is deterministic and never guesses: evidence that is absent, suppressed or older than
a rule allows is shown as missing. Every rule's line of the trace names the evidence, its date,
the threshold it met and what it contributed. Reading is batched per rule, so a run over 1,000
academies costs the same number of queries as a run over 10.
"""

import datetime
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from academies.models import Comparator, Inspection, PupilGroup, Result, Symbol
from academies.models.ofsted import FIVE_POINT, FOUR_POINT, Area, Framework
from healthchecks.models import HealthCheck, Risk
from trust.models import AcademicYear

from .models import RuleKind, TierRule

MIN_INDICATIONS = 2

# Grades to tiers. The four-point scale: a grade is its tier. The report-card scale: exceptional
# and strong standard lead, expected standard grows, needs attention reinvents, urgent
# improvement stabilises.
FOUR_POINT_TIER = {"1": 1, "2": 2, "3": 3, "4": 4}
FIVE_POINT_TIER = {
    "exceptional": 1,
    "strong": 1,
    "expected": 2,
    "needs_attention": 3,
    "urgent_improvement": 4,
}
BAD_SAFEGUARDING = {Inspection.Safeguarding.NOT_EFFECTIVE, Inspection.Safeguarding.NOT_MET}


class Status:
    INDICATED = "indicated"  # the rule indicated a tier
    CLEAR = "clear"  # evidence read, nothing to add (e.g. safeguarding effective)
    MISSING = "missing"  # no evidence to read
    OUT_OF_DATE = "out_of_date"  # evidence older than the rule allows
    NOT_APPLICABLE = "not_applicable"  # the measure does not apply to the academy's phase


@dataclass
class Line:
    """One rule's line of the trace."""

    rule: int
    name: str
    kind: str
    weight: str
    decisive: bool
    status: str
    explanation: str
    evidence: str = ""
    value: str = ""
    date: str = ""
    source: str = ""
    threshold: str = ""
    tier: int | None = None
    contribution: str = ""
    url: str = ""


@dataclass
class Outcome:
    tier: int | None
    weighted_mean: Decimal | None
    floor: int | None
    lines: list = field(default_factory=list)

    @property
    def trace(self):
        # Every field of a line is a plain value: a shallow copy is the dict (asdict's deep copy
        # costs more than the engine itself over a thousand academies).
        return [dict(vars(line)) for line in self.lines]

    @property
    def missing(self):
        return [line.name for line in self.lines if line.status in (Status.MISSING, Status.OUT_OF_DATE)]

    def fingerprint(self):
        payload = json.dumps(
            {"tier": self.tier, "mean": str(self.weighted_mean), "floor": self.floor, "trace": self.trace},
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def _fmt(value):
    value = Decimal(value)
    text = f"{value.normalize():f}"
    return f"+{text}" if value > 0 else text


def _line(rule, status, explanation, **kwargs):
    return Line(
        rule=rule.pk,
        name=rule.name,
        kind=rule.kind,
        weight=f"{rule.weight.normalize():f}",
        decisive=rule.decisive,
        status=status,
        explanation=explanation,
        **kwargs,
    )


@functools.lru_cache(maxsize=256)
def _oldest_allowed(today, months):
    return today - relativedelta(months=months)


def _too_old(rule, day, today):
    return bool(rule.max_age_months) and day < _oldest_allowed(today, rule.max_age_months)


URN_SLOT, UUID_SLOT = "000000", "00000000-0000-4000-8000-000000000000"


@functools.lru_cache(maxsize=16)
def _path_pattern(name, slot_name, slot):
    return reverse(name, kwargs={slot_name: slot})


def path_for(name, **kwargs):
    """The path of `name` for one academy (urn) or object (uuid): reversed once per URL name and
    filled in, since the engine links thousands of lines in one run."""
    ((slot_name, value),) = kwargs.items()
    slot = URN_SLOT if slot_name == "urn" else UUID_SLOT
    return _path_pattern(name, slot_name, slot).replace(slot, str(value))


def _out_of_date(rule, what, day):
    return _line(
        rule,
        Status.OUT_OF_DATE,
        f"{what} of {day:%-d %B %Y} is older than the {rule.max_age_months} months this rule reads.",
        date=day.isoformat(),
    )


class Evidence:
    """Everything the rules read about a set of academies, each kind read once for all of them."""

    def __init__(self, academies, rules, today):
        self.academies = academies
        self.today = today
        ids = [a.pk for a in academies]
        kinds = {rule.kind for rule in rules}
        self.inspections = {}
        if kinds & {RuleKind.INSPECTION, RuleKind.INSPECTION_SAFEGUARDING}:
            rows = (
                Inspection.objects.filter(academy_id__in=ids)
                .prefetch_related("judgements")
                .order_by("academy_id", "-start_date", "-pk")
            )
            by_academy = defaultdict(list)
            for row in rows:
                by_academy[row.academy_id].append(row)
            self.inspections = by_academy
        self.health_checks = {}
        if kinds & {
            RuleKind.HEALTH_CHECK,
            RuleKind.HEALTH_CHECK_LEADERSHIP,
            RuleKind.HEALTH_CHECK_SAFEGUARDING,
        }:
            rows = (
                HealthCheck.objects.published()
                .filter(academy_id__in=ids)
                .prefetch_related("judgements")
                .order_by("academy_id", "-visit_start", "-published_at")
            )
            for row in rows:
                self.health_checks.setdefault(row.academy_id, row)
        self.risks = {}
        if RuleKind.OPEN_RISKS in kinds:
            rows = (
                Risk.objects.open()
                .filter(academy_id__in=ids)
                .order_by("academy_id", "-score", "reference")
                .only("academy_id", "score", "reference", "title", "uuid", "updated_at")
            )
            by_academy = defaultdict(list)
            for row in rows:
                by_academy[row.academy_id].append(row)
            self.risks = by_academy
        self.measures = {}
        for rule in rules:
            if rule.kind == RuleKind.MEASURE and rule.measure_id:
                self.measures[rule.pk] = self._measure_evidence(rule, ids)

    def _measure_evidence(self, rule, ids):
        """{academy id: [(year, figure, national), ...] newest first}, published figures first.
        Read as plain values: a thousand academies' figures are not worth a model row each."""
        dims = {
            "measure_id": rule.measure_id,
            "pupil_group": rule.pupil_group or "all",
            "year_group": rule.year_group,
            "subject": rule.subject,
            "term": 0,
        }
        rows = (
            Result.objects.filter(academy_id__in=ids, **dims)
            .order_by("academy_id", "-academic_year__start_year", "-source")
            .values_list(
                "academy_id", "academic_year__start_year", "value", "state", "as_at", "batch__file_name"
            )
        )
        figures = defaultdict(dict)
        for academy_id, start_year, value, state, as_at, file_name in rows:
            group = dims["pupil_group"]
            figure = Figure(_year(start_year), value, state, as_at, group, file_name or "")
            figures[academy_id].setdefault(start_year, figure)
        years = {year for by_year in figures.values() for year in by_year}
        national = {
            start_year: National(value)
            for start_year, value in Comparator.objects.filter(
                area=Comparator.Area.NATIONAL, academic_year__start_year__in=years, **dims
            ).values_list("academic_year__start_year", "value")
        }
        return {
            academy_id: [(year, by_year[year], national.get(year)) for year in sorted(by_year, reverse=True)]
            for academy_id, by_year in figures.items()
        }


@functools.lru_cache(maxsize=64)
def _year(start_year):
    return AcademicYear(start_year=start_year)


STATE_LABELS = dict(Symbol.choices)
GROUP_LABELS = dict(PupilGroup.choices)


@dataclass(frozen=True)
class Figure:
    """One published figure of an academy, as the engine reads it."""

    academic_year: AcademicYear
    value: Decimal | None
    state: str
    as_at: datetime.date | None
    pupil_group: str
    file_name: str

    def get_state_display(self):
        return STATE_LABELS.get(self.state, self.state)

    def get_pupil_group_display(self):
        return GROUP_LABELS.get(self.pupil_group, self.pupil_group)


@dataclass(frozen=True)
class National:
    value: Decimal | None


# Each evaluator returns one Line for one rule and academy.


def _graded_tier(inspection):
    """(tier, what) from one inspection, in its own framework."""
    if inspection.category_of_concern:
        return 4, inspection.get_category_of_concern_display()
    if inspection.framework == Framework.GRADED and inspection.overall_effectiveness:
        grade = inspection.overall_effectiveness
        return FOUR_POINT_TIER[grade], f"Overall effectiveness: {FOUR_POINT[grade]}"
    judgements = list(inspection.judgements.all())
    if not judgements:
        return None, ""
    if inspection.scale == "five_point":
        worst = max(judgements, key=lambda j: FIVE_POINT_TIER.get(j.grade, 0))
        return FIVE_POINT_TIER.get(
            worst.grade
        ), f"{worst.get_area_display()}: {FIVE_POINT.get(worst.grade)} (lowest area)"
    worst = max(judgements, key=lambda j: FOUR_POINT_TIER.get(j.grade, 0))
    return FOUR_POINT_TIER.get(
        worst.grade
    ), f"{worst.get_area_display()}: {FOUR_POINT.get(worst.grade)} (lowest area)"


def _inspection_url(academy):
    return path_for("academies:ofsted", urn=academy.urn)


def evaluate_inspection(rule, academy, evidence):
    inspections = evidence.inspections.get(academy.pk, [])
    graded = next((i for i in inspections if i.graded), None)
    if graded is None:
        return _line(rule, Status.MISSING, "No graded Ofsted inspection is recorded.")
    if _graded_tier(graded)[0] is None:
        # Never an older inspection in its place: the latest one's grades are what is missing.
        return _line(
            rule, Status.MISSING,
            f"The inspection of {graded.start_date:%-d %B %Y} has no grades recorded: import its judgements.",
            date=graded.start_date.isoformat(), url=_inspection_url(academy),
        )
    if _too_old(rule, graded.start_date, evidence.today):
        return _out_of_date(rule, "The latest graded inspection", graded.start_date)
    tier, what = _graded_tier(graded)
    later = [i for i in inspections if i.start_date > graded.start_date]
    note = ""
    if later:
        note = f" An ungraded inspection of {later[0].start_date:%-d %B %Y} followed it" + (
            f" ({later[0].outcome_text})." if later[0].outcome_text else "."
        )
    return _line(
        rule,
        Status.INDICATED,
        f"Ofsted's inspection of {graded.start_date:%-d %B %Y} ({graded.get_framework_display()}) "
        f"found {what}, which indicates tier {tier}.{note}",
        evidence=what,
        value=what.split(": ")[-1],
        date=graded.start_date.isoformat(),
        source=f"Ofsted inspection {graded.inspection_number}".strip(),
        threshold=f"{what.split(' (')[0]} → tier {tier}",
        tier=tier,
        url=_inspection_url(academy),
    )


def evaluate_inspection_safeguarding(rule, academy, evidence):
    inspection = next((i for i in evidence.inspections.get(academy.pk, []) if i.safeguarding), None)
    if inspection is None:
        return _line(rule, Status.MISSING, "No inspection recorded a safeguarding judgement.")
    if _too_old(rule, inspection.start_date, evidence.today):
        return _out_of_date(rule, "The latest safeguarding judgement", inspection.start_date)
    label = inspection.get_safeguarding_display()
    common = {
        "evidence": f"Safeguarding: {label}",
        "value": label,
        "date": inspection.start_date.isoformat(),
        "source": f"Ofsted inspection {inspection.inspection_number}".strip(),
        "url": _inspection_url(academy),
    }
    if inspection.safeguarding in BAD_SAFEGUARDING:
        return _line(
            rule,
            Status.INDICATED,
            f"Ofsted judged safeguarding {label.lower()} on {inspection.start_date:%-d %B %Y}: tier 4.",
            threshold="Not effective or not met → tier 4",
            tier=4,
            **common,
        )
    return _line(
        rule,
        Status.CLEAR,
        f"Ofsted judged safeguarding {label.lower()} on {inspection.start_date:%-d %B %Y}; "
        "this rule adds nothing.",
        threshold="Effective or met → no effect",
        **common,
    )


def _health_check_common(check):
    return {
        "date": check.visit_start.isoformat(),
        "source": f"Health check of {check.visit_text}",
        "url": path_for("healthchecks:detail", uuid=check.uuid),
    }


def _latest_check(rule, academy, evidence):
    check = evidence.health_checks.get(academy.pk)
    if check is None:
        return None, _line(rule, Status.MISSING, "No health check has been published.")
    if _too_old(rule, check.visit_start, evidence.today):
        return None, _out_of_date(rule, "The latest published health check", check.visit_start)
    return check, None


def evaluate_health_check(rule, academy, evidence):
    check, line = _latest_check(rule, academy, evidence)
    if check is None:
        return line
    judgements = list(check.judgements.all())
    if not judgements:
        return _line(
            rule, Status.MISSING, "The latest health check judged no areas.", **_health_check_common(check)
        )
    worst = max(judgements, key=lambda j: FIVE_POINT_TIER.get(j.grade, 0))
    tier = FIVE_POINT_TIER[worst.grade]
    what = f"{Area(worst.area).label}: {FIVE_POINT[worst.grade]}"
    return _line(
        rule,
        Status.INDICATED,
        f"The health check of {check.visit_text} judged {len(judgements)} areas; the lowest, {what}, "
        f"indicates tier {tier}.",
        evidence=f"{what} (lowest of {len(judgements)} areas)",
        value=FIVE_POINT[worst.grade],
        threshold=f"{FIVE_POINT[worst.grade]} → tier {tier}",
        tier=tier,
        **_health_check_common(check),
    )


def evaluate_health_check_leadership(rule, academy, evidence):
    check, line = _latest_check(rule, academy, evidence)
    if check is None:
        return line
    judgement = next((j for j in check.judgements.all() if j.area == Area.LEADERSHIP_AND_GOVERNANCE), None)
    if judgement is None:
        return _line(
            rule,
            Status.MISSING,
            f"The health check of {check.visit_text} did not judge leadership.",
            **_health_check_common(check),
        )
    tier = FIVE_POINT_TIER[judgement.grade]
    label = FIVE_POINT[judgement.grade]
    return _line(
        rule,
        Status.INDICATED,
        f"The health check of {check.visit_text} judged leadership and governance "
        f"{label.lower()}: tier {tier}.",
        evidence=f"Leadership and governance: {label}",
        value=label,
        threshold=f"{label} → tier {tier}",
        tier=tier,
        **_health_check_common(check),
    )


def evaluate_health_check_safeguarding(rule, academy, evidence):
    check, line = _latest_check(rule, academy, evidence)
    if check is None:
        return line
    if not check.safeguarding:
        return _line(
            rule,
            Status.MISSING,
            f"The health check of {check.visit_text} did not judge safeguarding.",
            **_health_check_common(check),
        )
    label = check.get_safeguarding_display()
    if check.safeguarding == HealthCheck.Safeguarding.NOT_MET:
        return _line(
            rule,
            Status.INDICATED,
            f"The health check of {check.visit_text} found safeguarding not met: tier 4.",
            evidence=f"Safeguarding: {label}",
            value=label,
            threshold="Not met → tier 4",
            tier=4,
            **_health_check_common(check),
        )
    return _line(
        rule,
        Status.CLEAR,
        f"The health check of {check.visit_text} found safeguarding {label.lower()}; this rule adds nothing.",
        evidence=f"Safeguarding: {label}",
        value=label,
        threshold="Met → no effect",
        **_health_check_common(check),
    )


def _band(rule, value, lower_is_better=False):
    """The tier a figure falls in, and the threshold it met, in words."""
    shown = (lambda t: f"{t.normalize():f}") if lower_is_better else _fmt
    for tier, threshold in [(1, rule.lead_from), (2, rule.grow_from), (3, rule.reinvent_from)]:
        if (value <= threshold) if lower_is_better else (value >= threshold):
            return tier, f"{'at most' if lower_is_better else 'at least'} {shown(threshold)} → tier {tier}"
    return 4, f"{'above' if lower_is_better else 'below'} {shown(rule.reinvent_from)} → tier 4"


def _gap(result, national, sign):
    return (result.value - national.value) * sign


def evaluate_measure(rule, academy, evidence):
    measure = rule.measure
    if not measure.applies_to(academy.phase):
        return _line(
            rule,
            Status.NOT_APPLICABLE,
            f"{measure.label} does not apply to a {academy.get_phase_display().lower()} academy.",
        )
    rows = evidence.measures.get(rule.pk, {}).get(academy.pk, [])
    if not rows:
        return _line(rule, Status.MISSING, f"No published {measure.label.lower()} figure is stored.")
    year, result, national = rows[0]
    period = result.academic_year.label
    url = path_for("academies:data", urn=academy.urn)
    if result.value is None:
        return _line(
            rule,
            Status.MISSING,
            f"The {period} figure was not published ({result.get_state_display().lower()}).",
            date=result.academic_year.ends_on.isoformat(),
            url=url,
        )
    if national is None or national.value is None:
        return _line(
            rule,
            Status.MISSING,
            f"There is no national figure for {period} to compare with.",
            value=measure.format(result.value),
            date=result.academic_year.ends_on.isoformat(),
            url=url,
        )
    day = result.as_at or result.academic_year.ends_on
    if _too_old(rule, day, evidence.today):
        return _out_of_date(rule, f"The latest {measure.label.lower()} figure ({period})", day)
    sign = -1 if measure.higher_is_better is False else 1
    gap = _gap(result, national, sign)
    tier, threshold = _band(rule, gap)
    unit = " points" if measure.unit == "percent" else ""
    better = "better" if gap >= 0 else "worse"
    explanation = (
        f"{period}: {measure.format(result.value)} against {measure.format(national.value)} nationally, "
        f"{abs(gap).normalize():f}{unit} {better} than national: tier {tier}."
    )
    if rule.use_trend:
        previous = next(((y, r, n) for y, r, n in rows[1:] if y == year - 1), None)
        if previous is None or previous[1].value is None or previous[2] is None or previous[2].value is None:
            explanation += " No figure for the year before, so no trend."
        else:
            change = gap - _gap(previous[1], previous[2], sign)
            before = previous[1].academic_year.label
            if change >= rule.trend_margin:
                explanation += (
                    f" The gap to national improved by {change.normalize():f}{unit} since {before}: "
                )
                if tier > 2:
                    tier -= 1
                    explanation += f"one tier better, tier {tier}."
                else:
                    explanation += f"an improving trend alone never makes tier 1, so tier {tier} stands."
            elif change <= -rule.trend_margin:
                explanation += (
                    f" The gap to national worsened by {abs(change).normalize():f}{unit} since {before}: "
                )
                if tier < 4:
                    tier += 1
                    explanation += f"one tier worse, tier {tier}."
                else:
                    explanation += "still tier 4."
            else:
                explanation += f" Change since {before}: {_fmt(change)}{unit}, within the trend margin."
            threshold += f"; trend ±{rule.trend_margin.normalize():f}"
    group = result.get_pupil_group_display()
    source = result.file_name or "entered by hand"
    return _line(
        rule,
        Status.INDICATED,
        explanation,
        evidence=f"{measure.label} ({group.lower()}), {period}",
        value=f"{_fmt(gap)}{unit} against national",
        date=day.isoformat(),
        source=source,
        threshold=f"Gap to national {threshold}",
        tier=tier,
        url=url,
    )


def evaluate_open_risks(rule, academy, evidence):
    risks = evidence.risks.get(academy.pk, [])
    top = risks[0].score if risks else 0
    tier, threshold = _band(rule, Decimal(top), lower_is_better=True)
    if risks:
        worst = risks[0]
        explanation = (
            f"{len(risks)} open risk{'s' if len(risks) != 1 else ''}; the highest, {worst.reference} "
            f"'{worst.title}', scores {top}: tier {tier}."
        )
        url = path_for("healthchecks:risk", uuid=worst.uuid)
        # The register's own date (its latest change), never today's: an unchanged register
        # must give an unchanged trace, or every nightly run would record a new recommendation.
        day = timezone.localdate(max(risk.updated_at for risk in risks)).isoformat()
    else:
        explanation = f"No open risks: tier {tier}."
        url = path_for("healthchecks:academy-risks", urn=academy.urn)
        day = ""
    return _line(
        rule,
        Status.INDICATED,
        explanation,
        evidence=f"{len(risks)} open risks",
        value=f"highest score {top}",
        date=day,
        source="Risk register",
        threshold=f"Highest score {threshold}",
        tier=tier,
        url=url,
    )


EVALUATORS = {
    RuleKind.INSPECTION: evaluate_inspection,
    RuleKind.INSPECTION_SAFEGUARDING: evaluate_inspection_safeguarding,
    RuleKind.HEALTH_CHECK: evaluate_health_check,
    RuleKind.HEALTH_CHECK_LEADERSHIP: evaluate_health_check_leadership,
    RuleKind.HEALTH_CHECK_SAFEGUARDING: evaluate_health_check_safeguarding,
    RuleKind.MEASURE: evaluate_measure,
    RuleKind.OPEN_RISKS: evaluate_open_risks,
}


def combine(lines):
    """The recommendation from the rules' lines: the exact weighted mean rounded half up (the mean
    kept is cut to two places), no better than a decisive tier 4, or none with fewer than
    MIN_INDICATIONS indications that carry weight."""
    indicated = [line for line in lines if line.status == Status.INDICATED and line.tier is not None]
    weighted = [(line, Decimal(line.weight)) for line in indicated if Decimal(line.weight) > 0]
    total_weight = sum((w for _, w in weighted), Decimal(0))
    exact = mean = None
    if total_weight:
        exact = sum((line.tier * w for line, w in weighted), Decimal(0)) / total_weight
        # Shown to two places cut short, never rounded up: 2.495 shows as 2.49 and recommends
        # tier 2, so a reader rounding the figure shown reaches the tier recommended.
        mean = exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    floor = 4 if any(line.decisive and line.tier == 4 for line in indicated) else None
    for line, weight in weighted:
        line.contribution = f"tier {line.tier} × weight {weight.normalize():f}"
    for line in indicated:
        if line.decisive and line.tier == 4:
            line.contribution = (line.contribution + "; " if line.contribution else "") + "decisive: tier 4"
        elif not line.contribution:
            line.contribution = "weight 0: shown, not counted"
    if len(weighted) < MIN_INDICATIONS and floor is None:
        return Outcome(tier=None, weighted_mean=mean, floor=None, lines=lines)
    tier = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)) if exact is not None else None
    if floor is not None:
        tier = max(tier or floor, floor)
    return Outcome(tier=tier, weighted_mean=mean, floor=floor, lines=lines)


def recommend(academy, rules, evidence):
    lines = [EVALUATORS[rule.kind](rule, academy, evidence) for rule in rules]
    return combine(lines)


def active_rules():
    return list(TierRule.objects.filter(active=True).select_related("measure").order_by("order", "pk"))
