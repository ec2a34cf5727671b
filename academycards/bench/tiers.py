"""Recalculating every academy's tier recommendation in one task (`tiers.tasks.recalculate_tiers`,
as the nightly job does), against reading the same rows alone.

`make bench` runs it after the risk rules, as part of `python -m academycards.bench` (see
`__main__.py`), on a throwaway database of its own: the bench trust (`world`) of 21 academies,
then 1,000 (`--tier-academies`), with the health checks and risks of `health`, and what the
engine's rules read grown with the trust, in bulk:

- each academy's latest graded inspection with its four judgements (one in forty with
  safeguarding not effective, so the decisive rule holds it at tier 4);
- for each of the trust's measure rules that applies to the academy's phase, its figure for the
  last two years and the national figure for each year, spread above and below national.

What is measured, over the whole trust:

- a first run: every recommendation computed and written (timed as dry runs: the
  recommendations are removed, untimed, the run is timed, then everything is rolled back);
- a steady run: nothing changed since the last run, as on most nights, so nothing is written;
- the baseline: the same rows the engine reads (academies, rules, inspections and their
  judgements, published health checks and their judgements, open risks, the figures and national
  figures of each measure rule, the agreed tiers and the current recommendations), read into
  Python as plain tuples, with no engine.

No tier is agreed, so no recommendation differs from one and nobody is told: what is measured is
the engine and its writes. Query counts are taken at 21 academies and again at the full size; a
steady run and a first run's reads must make the same number at both (the first run's INSERTs
come in batches, so they may grow with the trust and are printed).
"""

import datetime
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from academies.models import Academy, Comparator, Inspection, InspectionJudgement, Result
from healthchecks.models import HealthCheck, HealthCheckJudgement, Risk
from tiers import tasks
from tiers.models import RuleKind, TierAssignment, TierRecommendation, TierRule
from trust.models import AcademicYear

from . import runner
from .measure import count_queries, statement_shapes
from .rules import Counts, RulesBench, RulesResult  # Counts.raised: here the recommendations written
from .world import BenchTrust

SMALL = 21
LARGE = 1000
NOT_EFFECTIVE_EVERY = 40
# National figures by measure code and pupil group; an academy's figure is national moved by up
# to four steps either way.
NATIONAL = {
    ("attendance", "all"): (Decimal("93.0"), Decimal("0.6")),
    ("attendance", "disadvantaged"): (Decimal("89.5"), Decimal("0.8")),
    ("persistent_absence", "all"): (Decimal("18.0"), Decimal("1.5")),
    ("ks2_expected", "all"): (Decimal("61.0"), Decimal("3.0")),
    ("ks2_expected", "disadvantaged"): (Decimal("46.0"), Decimal("3.5")),
    ("ks2_expected", "sen"): (Decimal("21.0"), Decimal("3.5")),
    ("ks4_attainment8", "all"): (Decimal("45.9"), Decimal("1.5")),
    ("ks4_attainment8", "disadvantaged"): (Decimal("34.6"), Decimal("2.0")),
    ("suspension_rate", "all"): (Decimal("9.3"), Decimal("1.5")),
}


class TiersFailed(RuntimeError):
    """The recalculation did not do what the benchmark expects; timing it would mislead."""


@dataclass
class TiersResult(RulesResult):
    """As the rules' result (its `raised` unused), with the academies given a tier."""

    recommended: int = 0  # academies with a tier recommended (the rest lack evidence)

    @property
    def grows(self):
        small, large = self.counts[min(self.counts)], self.counts[max(self.counts)]
        grown = super().grows
        if small.first_reads != large.first_reads:
            grown.append(f"reads of a first run {small.first_reads} -> {large.first_reads}")
        return grown


class TiersBench:
    def __init__(self, world: BenchTrust):
        self.world = world
        year = AcademicYear.for_date(world.today)
        self.years = [year, AcademicYear.for_date(year.starts_on - datetime.timedelta(days=1))]
        self.rules = [r for r in TierRule.objects.filter(active=True, kind=RuleKind.MEASURE)
                      .select_related("measure") if r.measure_id]
        if not self.rules:
            raise TiersFailed("the trust has no measure rules: were the default rules seeded?")
        self.done = set()
        self.result = TiersResult()
        self._national()

    def _dims(self, rule):
        return {"measure": rule.measure, "pupil_group": rule.pupil_group or "all",
                "year_group": rule.year_group, "subject": rule.subject, "term": 0}

    def _national(self):
        Comparator.objects.bulk_create([
            Comparator(area=Comparator.Area.NATIONAL, area_name="England", academic_year=year,
                       value=NATIONAL[(rule.measure.code, rule.pupil_group or "all")][0] + n * Decimal("0.3"),
                       **self._dims(rule))
            for rule in self.rules for n, year in enumerate(self.years)
        ], ignore_conflicts=True)

    # What the engine reads, grown with the trust

    @transaction.atomic
    def grow(self):
        results, inspections = [], []
        for index, academy in enumerate(self.world.academies):
            if academy.pk in self.done or academy.status == Academy.Status.LEFT:
                continue
            self.done.add(academy.pk)
            inspections.append(self._inspection(academy, index))
            for number, rule in enumerate(self.rules):
                if not rule.measure.applies_to(academy.phase):
                    continue
                national, step = NATIONAL[(rule.measure.code, rule.pupil_group or "all")]
                for n, year in enumerate(self.years):
                    move = (index * 7 + number * 3 + n) % 9 - 4
                    results.append(Result(academy=academy, academic_year=year, cohort=60,
                                          value=national + n * Decimal("0.3") + move * step,
                                          **self._dims(rule)))
        Result.objects.bulk_create(results, batch_size=1000)
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        InspectionJudgement.objects.bulk_create([
            InspectionJudgement(inspection=inspection, area=area, grade=inspection.overall_effectiveness)
            for inspection in inspections
            for area in ("quality_of_education", "behaviour_and_attitudes", "personal_development",
                         "leadership_and_management")
        ], batch_size=1000)

    def _inspection(self, academy, index):
        safeguarding = (Inspection.Safeguarding.NOT_EFFECTIVE if index % NOT_EFFECTIVE_EVERY == 17
                        else Inspection.Safeguarding.EFFECTIVE)
        return Inspection(
            academy=academy, urn_at_inspection=academy.urn, inspection_number=f"T{index:07d}",
            inspection_type="Graded inspection", framework="graded",
            start_date=datetime.date(2022, 1, 10) + datetime.timedelta(days=index % 900),
            overall_effectiveness="1234"[(index * 3) % 7 % 4], safeguarding=safeguarding,
        )

    # Measuring

    def academies(self):
        return len([a for a in self.world.academies if a.status != Academy.Status.LEFT])

    @staticmethod
    def _recalculate():
        return tasks.recalculate_tiers()

    def _first(self):
        with transaction.atomic():
            before = TierRecommendation.objects.count()
            tiers, sql = count_queries(self._recalculate)
            written = TierRecommendation.objects.count() - before
        if not written:
            raise TiersFailed("a first run over the academies new to the trust wrote no recommendation")
        return tiers, written, sql

    def _steady(self):
        before = TierRecommendation.objects.count()
        self._recalculate()
        written = TierRecommendation.objects.count() - before
        if written:
            raise TiersFailed(f"a second run wrote {written} recommendations, where nothing had changed")

    def _dry_first(self):
        """The first run over the whole trust, rolled back; returns seconds."""
        with transaction.atomic():
            TierRecommendation.objects.all().delete()
            start = time.perf_counter()
            self._recalculate()
            took = time.perf_counter() - start
            transaction.set_rollback(True)
        return took

    def _baseline(self):
        ids = list(Academy.objects.exclude(status=Academy.Status.LEFT).values_list(
            "id", "urn", "name", "phase", "status"))
        list(TierRule.objects.filter(active=True).values_list("id", "kind", "weight", "measure__code"))
        list(Inspection.objects.values_list("id", "academy_id", "start_date", "framework",
                                            "overall_effectiveness", "safeguarding", "category_of_concern"))
        list(InspectionJudgement.objects.values_list("inspection_id", "area", "grade"))
        list(HealthCheck.objects.published().values_list("id", "academy_id", "visit_start", "visit_end",
                                                          "safeguarding", "uuid"))
        list(HealthCheckJudgement.objects.filter(health_check__status=HealthCheck.Status.PUBLISHED)
             .values_list("health_check_id", "area", "grade"))
        list(Risk.objects.open().values_list("academy_id", "score", "reference", "title", "uuid"))
        for rule in self.rules:
            dims = {k: v for k, v in self._dims(rule).items() if k != "measure"}
            list(Result.objects.filter(measure=rule.measure, **dims).values_list(
                "academy_id", "academic_year__start_year", "source", "value", "state", "as_at", "batch_id"))
            list(Comparator.objects.filter(area=Comparator.Area.NATIONAL, measure=rule.measure, **dims)
                 .values_list("academic_year__start_year", "value"))
        list(TierAssignment.objects.agreed().values_list("academy_id", "tier"))
        list(TierRecommendation.objects.current().values_list("id", "academy_id", "fingerprint",
                                                              "agreed_tier"))
        return ids

    def count_queries(self):
        """Grow the data with the trust, then count a first run (writing the new academies'
        recommendations) and a steady run (over all)."""
        self.grow()
        tiers, written, first = self._first()
        _, steady = count_queries(self._steady)
        self.result.counts[self.world.size] = Counts(self.academies(), written, first, steady)
        self.result.academies = self.academies()
        self.result.recommended = len([t for t in tiers.values() if t])

    # Interleaved rounds of the baseline, a steady run and a dry first run, as for the rules.
    time = RulesBench.time


def measure(sizes, repeat):
    """Build the trust at each of `sizes` in turn, count the queries at each, then time the
    runs at the last; returns the TiersResult."""
    world = BenchTrust()
    bench = None
    for size in sizes:
        world.grow_to(size)
        bench = bench or TiersBench(world)
        bench.count_queries()
    return bench.time(repeat=repeat) if repeat else bench.result


def report(result, sizes, repeat, out=sys.stdout):
    small, large = (result.counts[size] for size in (sizes[0], sizes[-1]))
    out.write(
        f"Recalculating the tier recommendations of {result.academies:,} academies in one task "
        f"({result.recommended:,} with a tier recommended), median of {repeat} runs, against reading the "
        "rows the engine reads as plain tuples (the baseline):\n"
    )
    rows = [("read the same rows (baseline)", "baseline"), ("steady run, nothing written", "steady"),
            ("first run, every one written", "first")]
    for label, name in rows:
        out.write(f"  {label:<32} {result.ms(name):9.1f} ms  {result.ratio(name):5.1f}x baseline\n")
    out.write(
        f"tier recalculation, {sizes[-1]:,} academies ({result.academies:,} not left): "
        f"first run {result.ms('first'):,.0f} ms "
        f"({result.ratio('first'):.1f}x), steady run {result.ms('steady'):,.0f} ms "
        f"({result.ratio('steady'):.1f}x), "
        f"{large.steady_queries} queries at {sizes[0]} and {sizes[-1]:,} (steady: {small.steady_queries} and "
        f"{large.steady_queries}; first run: {small.first_reads} and {large.first_reads} reads, "
        f"{small.first_writes} and {large.first_writes} writes)\n"
    )
    if result.grows:
        out.write("  GROWS: " + "; ".join(result.grows) + "\n")
        before, after = statement_shapes(small.steady), statement_shapes(large.steady)
        for shape in sorted(set(before) | set(after)):
            if before[shape] != after[shape]:
                out.write(f"    {before[shape]} -> {after[shape]}  {shape}\n")
    out.write("\n")


def main(argv=None):
    """Measure the recalculation; returns the exit status (1 when its queries grow)."""
    return runner.run(
        argv, what="tier recalculation", size_option="--tier-academies", size_default=LARGE,
        repeat_option="--tiers-repeat", repeat_default=3,
        repeat_help="Timed runs of the recalculation (default 3; 0 leaves it out).",
        measure=measure, report=report, failure=TiersFailed,
    )
