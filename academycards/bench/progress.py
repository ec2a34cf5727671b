"""Recomputing the live progress of every target in the trust, against reading the same rows alone.

Each open academy of the bench trust gets `TARGETS_PER_ACADEMY` targets for this year on measures
of its phase, and the results a year brings: a published figure for most, a suppressed one now
and then, nothing yet for some; termly in-year assessments for the in-year targets, with the
other year groups, subjects and groups an in-year file carries (read, then passed over); and last
year's published figures, which the recompute must leave out.

What is measured, by `academies.progress.recompute()` over the whole trust:

- a full recompute: every target judged and its progress written again (the progress values
  are cleared first, untimed), as after a national file touching every academy;
- a steady recompute: nothing has changed, as on most nights, so nothing is written;
- the baseline: reading the same rows the recompute reads (the targets, and the results of
  their academies, measures and years) as plain tuples, with no model, judgement or write.

Query counts are taken at 21 academies and again at the full size. The reads, and everything
the steady recompute does, must not grow. The full recompute's writes are UPDATEs in batches
(1,000 targets each, fewer on SQLite, whose statements take at most 999 parameters), so they
grow with the number of targets written; they are printed apart.

The targets are made off track, so that no recompute here finds one newly off track and tells
people: what is timed is the recompute, not notifications (which the tests cover).
"""

import gc
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from academies.models import Academy, Measure, Result, Target
from academies.progress import recompute
from trust.models import AcademicYear

from .measure import count_queries, median_ms
from .world import BenchTrust

TARGETS_PER_ACADEMY = 10
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
# measure, pupil group, year group, subject
PRIMARY = [
    ("ks2_expected", "all", "KS2", "rwm"), ("ks2_expected", "disadvantaged", "KS2", "rwm"),
    ("ks2_expected", "all", "KS2", "reading"), ("ks2_expected", "all", "KS2", "maths"),
    ("phonics_y1", "all", "Y1", ""), ("eyfs_gld", "all", "R", ""),
    ("attainment_expected", "all", "Y6", "maths"), ("attainment_expected", "disadvantaged", "Y6", "reading"),
]
SECONDARY = [
    ("ks4_attainment8", "all", "KS4", ""), ("ks4_attainment8", "disadvantaged", "KS4", ""),
    ("ks4_english_maths_4", "all", "KS4", ""), ("ks4_english_maths_5", "all", "KS4", ""),
    ("ks4_ebacc_entry", "all", "KS4", ""),
]
EVERY_PHASE = [
    ("attendance", "all", "", ""), ("persistent_absence", "all", "", ""),
    ("persistent_absence", "disadvantaged", "", ""), ("severe_absence", "all", "", ""),
    ("absence_overall", "all", "", ""), ("absence_unauthorised", "all", "", ""),
    ("suspension_rate", "all", "", ""), ("pupils_suspended_rate", "all", "", ""),
    ("permanent_exclusion_rate", "all", "", ""), ("attendance", "disadvantaged", "", ""),
]
IN_YEAR = "attainment_expected"
# What an in-year file holds besides the targets' own figures, for each primary academy and term.
IN_YEAR_FILE = [(group, year_group, subject) for group in ("all", "disadvantaged")
                for year_group in ("Y1", "Y2", "Y3", "Y4", "Y5", "Y6")
                for subject in ("reading", "writing", "maths")]


def _aim(academy, index):
    return 55 + (int(academy.urn) + index) * 7 % 30


class ProgressFailed(RuntimeError):
    """The recompute did not do what the benchmark expects; timing it would mislead."""


def _writes(sql_list):
    return [sql for sql in sql_list if sql.upper().startswith("UPDATE")]


def _reads(sql_list):
    return [sql for sql in sql_list if not sql.upper().startswith(("UPDATE", *TRANSACTION_CONTROL))]


@dataclass
class Counts:
    targets: int
    full: list
    steady: list

    @property
    def full_reads(self):
        return len(_reads(self.full))

    @property
    def full_writes(self):
        return len(_writes(self.full))

    @property
    def steady_queries(self):
        return len([sql for sql in self.steady if not sql.upper().startswith(TRANSACTION_CONTROL)])


@dataclass
class ProgressResult:
    targets: int
    judged: int  # targets with a result this year, each written again by a full recompute
    counts: dict = field(default_factory=dict)  # academies -> Counts
    samples: dict = field(default_factory=dict)  # name -> seconds

    def ms(self, name):
        return median_ms(self.samples[name])

    def ratio(self, name):
        return self.ms(name) / self.ms("baseline")

    @property
    def targets_per_second(self):
        return self.targets / (self.ms("full") / 1000)

    @property
    def grows(self):
        """What grows with the trust that must not: the reads, and anything a steady run does."""
        small, large = self.counts[min(self.counts)], self.counts[max(self.counts)]
        grown = []
        if small.full_reads != large.full_reads:
            grown.append(f"reads of a full recompute {small.full_reads} -> {large.full_reads}")
        if small.steady_queries != large.steady_queries:
            grown.append(f"queries of a steady recompute {small.steady_queries} -> {large.steady_queries}")
        return grown


class ProgressBench:
    def __init__(self, world: BenchTrust):
        self.world = world
        self.year = AcademicYear.for_date(world.today)
        self.last_year = AcademicYear.objects.get_or_create(start_year=self.year.start_year - 1)[0]
        self.measures = {m.code: m for m in Measure.objects.all()}
        self.done = set()  # academies with their targets
        self.result = ProgressResult(targets=0, judged=0)

    # The trust's targets and results, grown with the trust

    def keys(self, academy):
        keys = []
        if academy.phase in ("primary", "middle", "all_through", "special", "nursery"):
            keys += PRIMARY
        if academy.phase in ("secondary", "all_through", "ap", "sixteen_plus"):
            keys += SECONDARY
        keys += EVERY_PHASE
        return [k for k in keys if self.measures[k[0]].applies_to(academy.phase)][:TARGETS_PER_ACADEMY]

    @transaction.atomic
    def grow(self):
        targets, results = [], []
        for academy in self.world.academies:
            if academy.pk in self.done or academy.status != Academy.Status.OPEN:
                continue
            self.done.add(academy.pk)
            keys = self.keys(academy)
            for index, key in enumerate(keys):
                targets.append(self._target(academy, key, index))
                made = self._results(academy, key, index)
                self.result.judged += any(r.academic_year == self.year for r in made)
                results += made
            if any(key[0] == IN_YEAR for key in keys):
                results += self._in_year_file(academy, keys)
        Target.objects.bulk_create(targets, batch_size=1000)
        Result.objects.bulk_create(results, batch_size=1000)
        self.result.targets += len(targets)

    def _target(self, academy, key, index):
        code, group, year_group, subject = key
        return Target(
            academy=academy, academic_year=self.year, measure=self.measures[code], pupil_group=group,
            year_group=year_group, subject=subject, value=Decimal(_aim(academy, index)),
            status=Target.Status.AGREED, progress=Target.Progress.OFF_TRACK,
        )

    def _result(self, academy, key, year, value, *, source="published", term=0):
        code, group, year_group, subject = key
        return Result(
            academy=academy, measure=self.measures[code], academic_year=year, term=term, pupil_group=group,
            year_group=year_group, subject=subject, source=source,
            value=None if value is None else Decimal(value), state="suppressed" if value is None else "",
            raw="c" if value is None else "",
        )

    def _results(self, academy, key, index):
        """Last year's published figure, and this year's: published, in-year, suppressed or none."""
        n = int(academy.urn) + index
        aim = _aim(academy, index)
        value = aim + n * 13 % 11 - 6  # from 6 short of the target to 4 over: every judgement
        rows = [self._result(academy, key, self.last_year, aim - 3)]
        if key[0] == IN_YEAR:
            rows += [self._result(academy, key, self.year, value - 4 + 3 * term, source="in_year", term=term)
                     for term in (1, 2)]
        elif n % 7 == 5:
            rows.append(self._result(academy, key, self.year, None))
        elif n % 7 != 6:
            rows.append(self._result(academy, key, self.year, value))
        return rows

    def _in_year_file(self, academy, keys):
        targeted = {key[1:] for key in keys if key[0] == IN_YEAR}
        return [self._result(academy, (IN_YEAR, *figure), self.year, 50 + i % 40, source="in_year", term=term)
                for term in (1, 2) for i, figure in enumerate(IN_YEAR_FILE) if figure not in targeted]

    # Measuring

    def _clear(self):
        Target.objects.update(progress_value=None, progress_result=None)

    def _full(self):
        changed = recompute()
        if len(changed) != self.result.judged:
            raise ProgressFailed(f"a full recompute wrote {len(changed)} targets, not {self.result.judged}")

    def _steady(self):
        changed = recompute()
        if changed:
            raise ProgressFailed(f"a recompute with nothing new wrote {len(changed)} targets")

    def _baseline(self):
        targets = list(Target.objects.values_list(
            "id", "academy_id", "measure_id", "academic_year_id", "pupil_group", "year_group", "subject",
            "value", "progress", "progress_value", "progress_result_id",
        ))
        list(Result.objects.filter(
            academy_id__in={t[1] for t in targets}, measure_id__in={t[2] for t in targets},
            academic_year_id__in={t[3] for t in targets},
        ).values_list("id", "academy_id", "measure_id", "academic_year_id", "pupil_group", "year_group",
                      "subject", "value", "state", "source", "term", "updated_at"))

    def count_queries(self):
        """Grow the targets with the trust, then count a full and a steady recompute's queries."""
        self.grow()
        recompute()  # the first judgement of the new targets: settles them, untimed
        self._clear()
        _, full = count_queries(self._full)
        _, steady = count_queries(self._steady)
        self.result.counts[self.world.size] = Counts(self.result.targets, full, steady)

    def time(self, repeat, warmup=1):
        """Median times of the baseline and both recomputes, in interleaved rounds (as
        measure.interleaved_times, with the clearing before a full recompute left untimed)."""
        calls = {"baseline": self._baseline, "steady": self._steady, "full": self._full}
        setup = {"full": self._clear}
        samples = {name: [] for name in calls}
        names = list(calls)
        gc.collect()
        for round_number in range(warmup + repeat):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                if name in setup:
                    setup[name]()
                start = time.perf_counter()
                calls[name]()
                took = time.perf_counter() - start
                if round_number >= warmup:
                    samples[name].append(took)
        self.result.samples = samples
        return self.result
