"""Running the trust's risk rules (`healthchecks.rules.run()`) over every academy, against reading
the same rows alone.

`make bench` runs it after `manage.py bench`, as `python -m academycards.bench` (see
`__main__.py`), on a throwaway database of its own: a trust of 21 academies, then 500, with the
health checks and risks of `health`, and what the rules look at, grown with the trust:

- the trust's four rules: persistent absence of pupils with SEN far above national for two years
  running; persistent absence of disadvantaged pupils above national for two terms running;
  safeguarding judged ineffective; the latest inspection a cause for concern;
- for each academy, two years of the first figure and last year's three terms of the second, with
  the national figures, and its latest inspection; a few academies worse than national by more
  than the margin, a few inspections a cause for concern or safeguarding not effective, and a few
  published health checks with safeguarding not met, so that each rule raises some risks.

(The figures are for groups and years `progress` and `imports` never write, so the measurements
do not disturb one another.)

What is measured, over the whole trust:

- a first run: every rule raising its risks, with their events and alerts (timed as dry runs:
  the rules' risks are removed, untimed, the run is timed, then everything is rolled back);
- a steady run: nothing new in the data, as on most nights, so nothing is raised;
- the baseline: reading the rows the rules read (the figures, the national figures, the
  inspections with their judgements, the published health checks) as plain tuples.

Query counts are taken at 21 academies and again at the full size. A steady run must make the
same number of queries at both sizes; the first run's grow with the risks raised (each is
written, with its event and alerts) and are printed per risk. A second run that raises anything
fails the measurement.
"""

import datetime
import gc
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from academies.models import Academy, Comparator, Inspection, InspectionJudgement, Measure, Result
from healthchecks import rules
from healthchecks.models import HealthCheck, Risk, RiskRule, Visibility
from trust.models import AcademicYear

from . import runner
from .measure import count_queries, median_ms, statement_shapes
from .world import BenchTrust

SMALL = 21
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
MEASURE = "persistent_absence"
# name, pupil group, margin, periods, termly
MEASURE_RULES = [
    ("Persistent absence of pupils with SEN far above national for two years running", "sen", 8, 2, False),
    ("Persistent absence of disadvantaged pupils above national by 5 points for two terms running",
     "disadvantaged", 5, 2, True),
]
NATIONAL = {"sen": Decimal("24.0"), "disadvantaged": Decimal("20.0")}
# Which academies (by their number in the trust) the data puts over each rule.
# (Number 12 of each 25: this year's report is published; see health.THIS_YEAR.)
SEN_OVER, DISADVANTAGED_OVER, CONCERN, NOT_EFFECTIVE, HEALTH_CHECK_NOT_MET = 3, 7, 11, 17, 12
EVERY = 25


class RulesFailed(RuntimeError):
    """The rules did not do what the benchmark expects; timing them would mislead."""


def _is_write(sql):
    return sql.upper().startswith(("INSERT", "UPDATE", "DELETE"))


def _without_control(sql_list):
    return [sql for sql in sql_list if not sql.upper().startswith(TRANSACTION_CONTROL)]


@dataclass
class Counts:
    academies: int
    raised: int  # risks raised by the first run at this size (for the academies new at it)
    first: list
    steady: list

    @property
    def first_reads(self):
        return len([sql for sql in _without_control(self.first) if not _is_write(sql)])

    @property
    def first_writes(self):
        return len([sql for sql in self.first if _is_write(sql)])

    @property
    def steady_queries(self):
        return len(_without_control(self.steady))


@dataclass
class RulesResult:
    academies: int = 0
    raised: int = 0  # risks a first run over the whole trust raises
    counts: dict = field(default_factory=dict)  # trust size -> Counts
    samples: dict = field(default_factory=dict)  # name -> seconds

    def ms(self, name):
        return median_ms(self.samples[name])

    def per_academy_ms(self, name):
        return self.ms(name) / self.academies

    def ratio(self, name):
        return self.ms(name) / self.ms("baseline")

    @property
    def grows(self):
        small, large = self.counts[min(self.counts)], self.counts[max(self.counts)]
        if small.steady_queries != large.steady_queries:
            return [f"queries of a steady run {small.steady_queries} -> {large.steady_queries}"]
        return []


class RulesBench:
    def __init__(self, world: BenchTrust):
        self.world = world
        self.year = AcademicYear.for_date(world.today)
        self.last = AcademicYear.objects.get_or_create(start_year=self.year.start_year - 1)[0]
        self.before = AcademicYear.objects.get_or_create(start_year=self.year.start_year - 2)[0]
        self.measure = Measure.objects.get(code=MEASURE)
        self.done = set()
        self.result = RulesResult()
        self._rules()
        self._national()

    # What the rules look at, grown with the trust

    def _rules(self):
        for name, group, margin, periods, termly in MEASURE_RULES:
            RiskRule.objects.create(
                name=name, kind=RiskRule.Kind.MEASURE_VS_NATIONAL, measure=self.measure, pupil_group=group,
                margin=margin, periods=periods, termly=termly, category="attendance",
                visibility=Visibility.SHARED,
            )
        RiskRule.objects.create(name="Safeguarding judged ineffective", kind=RiskRule.Kind.SAFEGUARDING,
                                category="safeguarding", likelihood=4, impact=5)
        RiskRule.objects.create(name="Latest inspection a cause for concern",
                                kind=RiskRule.Kind.OFSTED_CONCERN, category="standards")

    def _national(self):
        rows = [self._figure(Comparator, year, 0, "sen", NATIONAL["sen"], area="national")
                for year in (self.before, self.last)]
        rows += [self._figure(Comparator, self.last, term, "disadvantaged", NATIONAL["disadvantaged"],
                              area="national") for term in (1, 2, 3)]
        Comparator.objects.bulk_create(rows)

    def _figure(self, model, year, term, group, value, **fields):
        return model(measure=self.measure, academic_year=year, term=term, pupil_group=group, value=value,
                     **fields)

    @transaction.atomic
    def grow(self):
        results, inspections, not_met = [], [], []
        for index, academy in enumerate(self.world.academies):
            if academy.pk in self.done or academy.status == Academy.Status.LEFT:
                continue
            self.done.add(academy.pk)
            turn = index % EVERY
            sen_gap = Decimal(10) if turn == SEN_OVER else Decimal(index % 5 - 2)
            results += [self._figure(Result, year, 0, "sen", NATIONAL["sen"] + sen_gap, academy=academy)
                        for year in (self.before, self.last)]
            for term in (1, 2, 3):
                gap = Decimal(7) if turn == DISADVANTAGED_OVER and term > 1 else Decimal(index % 4 - 2)
                results.append(self._figure(Result, self.last, term, "disadvantaged",
                                            NATIONAL["disadvantaged"] + gap, academy=academy,
                                            source="in_year"))
            inspections.append(self._inspection(academy, index, turn))
            if turn == HEALTH_CHECK_NOT_MET:
                not_met.append(academy.pk)
        Result.objects.bulk_create(results, batch_size=1000)
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        InspectionJudgement.objects.bulk_create([
            InspectionJudgement(inspection=inspection, area=area,
                                grade="4" if inspection.category_of_concern and n == 0 else "2")
            for inspection in inspections
            for n, area in enumerate(("quality_of_education", "behaviour_and_attitudes",
                                      "personal_development", "leadership_and_management"))
        ], batch_size=1000)
        # This year's published report of those academies found safeguarding not met.
        HealthCheck.objects.filter(
            academy_id__in=not_met, status=HealthCheck.Status.PUBLISHED, kind=HealthCheck.Kind.TERMLY
        ).update(safeguarding=HealthCheck.Safeguarding.NOT_MET)

    def _inspection(self, academy, index, turn):
        concern = Inspection.Concern.SERIOUS_WEAKNESSES if turn == CONCERN else ""
        safeguarding = (Inspection.Safeguarding.NOT_EFFECTIVE if turn == NOT_EFFECTIVE
                        else Inspection.Safeguarding.EFFECTIVE)
        start = datetime.date(2023, 1, 9) + datetime.timedelta(days=index % 500)
        return Inspection(
            academy=academy, urn_at_inspection=academy.urn, inspection_number=f"B{index:07d}",
            inspection_type="Graded inspection", framework="graded", start_date=start,
            overall_effectiveness="4" if concern else "2", category_of_concern=concern,
            safeguarding=safeguarding,
        )

    # Measuring

    def academies(self):
        return len([a for a in self.world.academies if a.status != Academy.Status.LEFT])

    def _first(self):
        """A first run and its queries, in a transaction of its own: the alerts' emails go after
        commit, uncounted, as they would in their own task."""
        with transaction.atomic():
            raised, sql = count_queries(rules.run)
        if not raised:
            raise RulesFailed("a first run over the academies new to the trust raised nothing")
        return raised, sql

    def _steady(self):
        raised = rules.run()
        if raised:
            raise RulesFailed(f"a second run raised {len(raised)} risks, where it must raise none")

    def _dry_first(self):
        """The first run over the whole trust, rolled back; returns (seconds, risks raised)."""
        with transaction.atomic():
            Risk.objects.exclude(rule=None).delete()
            start = time.perf_counter()
            raised = rules.run()
            took = time.perf_counter() - start
            transaction.set_rollback(True)
        if len(raised) != self.result.raised:
            raise RulesFailed(f"a first run raised {len(raised)} risks, not {self.result.raised}")
        return took

    def _baseline(self):
        list(Result.objects.filter(measure=self.measure, pupil_group__in=list(NATIONAL), year_group="",
                                   subject="", value__isnull=False)
             .values_list("academy_id", "academic_year_id", "term", "value", "source", "batch_id",
                          "updated_at"))
        list(Comparator.objects.filter(area="national", measure=self.measure, pupil_group__in=list(NATIONAL))
             .values_list("academic_year_id", "term", "pupil_group", "value"))
        list(Inspection.objects.values_list("id", "academy_id", "start_date", "safeguarding",
                                            "category_of_concern", "overall_effectiveness"))
        list(InspectionJudgement.objects.values_list("inspection_id", "area", "grade"))
        list(HealthCheck.objects.filter(status=HealthCheck.Status.PUBLISHED)
             .values_list("academy_id", "visit_start", "published_at", "safeguarding", "uuid"))

    def count_queries(self):
        """Grow the data with the trust, then count a first run (over the new academies) and a
        steady run (over all)."""
        self.grow()
        raised, first = self._first()
        _, steady = count_queries(self._steady)
        size = self.world.size
        self.result.counts[size] = Counts(self.academies(), len(raised), first, steady)
        self.result.academies = self.academies()
        self.result.raised = Risk.objects.exclude(rule=None).count()

    def time(self, repeat, warmup=1):
        samples = {"baseline": [], "steady": [], "first": []}
        gc.collect()
        for round_number in range(warmup + repeat):
            names = list(samples)
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                if name == "first":
                    took = self._dry_first()
                else:
                    start = time.perf_counter()
                    (self._baseline if name == "baseline" else self._steady)()
                    took = time.perf_counter() - start
                if round_number >= warmup:
                    samples[name].append(took)
        self.result.samples = samples
        return self.result


def report(result, sizes, repeat, out=sys.stdout):
    small, large = (result.counts[size] for size in (sizes[0], sizes[-1]))
    out.write(
        f"Running the trust's {RiskRule.objects.count()} risk rules over {result.academies} academies "
        f"({result.raised} risks raised by a first run), median of {repeat} runs, against reading the "
        "rows they read:\n"
    )
    rows = [
        ("read the same rows (baseline)", "baseline"),
        ("steady run, nothing raised", "steady"),
        ("first run, every risk raised", "first"),
    ]
    for label, name in rows:
        out.write(
            f"  {label:<32} {result.ms(name):9.1f} ms  {result.per_academy_ms(name):7.3f} ms an academy  "
            f"{result.ratio(name):5.1f}x baseline\n"
        )
    per_risk = (small.first_reads + small.first_writes) / small.raised if small.raised else 0
    out.write(
        f"  queries at {sizes[0]} and {sizes[-1]} academies: a steady run {small.steady_queries} and "
        f"{large.steady_queries}; a first run {small.first_reads} reads and {small.first_writes} writes for "
        f"{small.raised} risks ({per_risk:.1f} queries a risk), then {large.first_reads} reads and "
        f"{large.first_writes} writes for the {large.raised} risks of the academies added.\n"
    )
    if result.grows:
        out.write("  GROWS: " + "; ".join(result.grows) + "\n")
        out.write("  statements of a steady run that grow:\n")
        before, after = statement_shapes(small.steady), statement_shapes(large.steady)
        for shape in sorted(set(before) | set(after)):
            if before[shape] != after[shape]:
                out.write(f"    {before[shape]} -> {after[shape]}  {shape}\n")
    out.write("\n")


def measure(sizes, repeat):
    """Build the trust at each of `sizes` in turn, count the queries at each, then time the
    runs at the last; returns the RulesResult."""
    world = BenchTrust()
    bench = None
    for size in sizes:
        world.grow_to(size)
        bench = bench or RulesBench(world)
        bench.count_queries()
    return bench.time(repeat=repeat)


def main(argv=None):
    """Measure the rules; returns the exit status (1 when a steady run's queries grow)."""
    return runner.run(
        argv, what="risk rules", size_option="--academies", size_default=500,
        repeat_option="--rules-repeat", repeat_default=5,
        repeat_help="Timed runs of the rules (default 5; 0 leaves them out).",
        measure=measure, report=report, failure=RulesFailed,
    )
