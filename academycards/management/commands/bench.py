"""`python manage.py bench`: pages against a trivial Django view, on a trust of 500 academies.

Runs on a throwaway test database (in memory on SQLite, `test_<name>_bench` on PostgreSQL),
never the developer's. Each page's queries are counted with the trust at 21 academies and
again at 500; a count that differs fails the run (exit status 1). Times are medians of
interleaved runs at 500 academies, printed as ratios to the trivial view's median, because
absolute times on these machines are noisy.

The pages measured are `academycards.bench.pages.PAGE_CASES`; add one there. Then a 25,000-row
national file is imported (`academycards.bench.imports`), timed against pandas reading the same
bytes, and its rows per second printed. Then the progress of every target is recomputed
(`academycards.bench.progress`), timed against reading the same rows, its queries counted at
both sizes (the reads must not grow).
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings

from academycards.bench.database import throwaway_database
from academycards.bench.imports import ImportFailed, measure_import
from academycards.bench.measure import shape_changes
from academycards.bench.pages import PAGE_CASES, URLCONF, PageBench, PageFailed
from academycards.bench.progress import ProgressBench, ProgressFailed
from academycards.bench.world import BenchTrust

SMALL = 21  # the demo trust's size


class Command(BaseCommand):
    help = (
        "Measure pages against a trivial Django view on a throwaway database: query counts "
        f"at {SMALL} academies and at --academies (they must not grow), median times and "
        "their ratio to the trivial view. Exits 1 when a page's query count grows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--academies", type=int, default=500, metavar="N",
            help=f"Size of the large trust (default 500; at least {SMALL}).",
        )
        parser.add_argument(
            "--repeat", type=int, default=30, metavar="N",
            help="Timed requests per page (default 30); the median is reported.",
        )
        parser.add_argument(
            "--warmup", type=int, default=5, metavar="N",
            help="Untimed requests per page before timing (default 5).",
        )
        parser.add_argument(
            "--import-repeat", type=int, default=5, metavar="N",
            help="Timed imports of the 25,000-row national file (default 5; 0 leaves it out).",
        )
        parser.add_argument(
            "--progress-repeat", type=int, default=5, metavar="N",
            help="Timed recomputes of every target's progress (default 5; 0 leaves it out).",
        )

    def handle(self, *args, academies, repeat, warmup, import_repeat, progress_repeat, verbosity, **options):
        if academies < SMALL:
            raise CommandError(f"--academies must be at least {SMALL}.")
        if repeat < 1 or warmup < 0 or import_repeat < 0 or progress_repeat < 0:
            raise CommandError(
                "--repeat must be at least 1, --warmup, --import-repeat and --progress-repeat at least 0."
            )
        # Imports enqueue tier recalculations and emails that run in-process here: not a line each.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        self.verbosity = verbosity
        sizes = [SMALL, academies] if academies > SMALL else [SMALL]
        started = time.perf_counter()
        try:
            with throwaway_database() as name, override_settings(ROOT_URLCONF=URLCONF):
                self.note(
                    f"Throwaway {connection.vendor} database {name!r} "
                    f"ready in {time.perf_counter() - started:.1f} s."
                )
                bench, progress = self.measure(sizes, repeat, warmup, progress_repeat)
                imported = self.measure_import(bench.world, import_repeat) if import_repeat else None
                progressed = self.measure_progress(progress, progress_repeat) if progress else None
        except PageFailed as exc:
            raise CommandError(f"A page did not answer as expected: {exc}") from exc
        except ImportFailed as exc:
            raise CommandError(f"The national file did not import as expected: {exc}") from exc
        except ProgressFailed as exc:
            raise CommandError(f"Target progress was not recomputed as expected: {exc}") from exc
        self.report(bench, sizes, repeat)
        if imported:
            self.report_import(imported, import_repeat)
        if progressed:
            self.report_progress(progressed, sizes, progress_repeat)
        self.note(f"Done in {time.perf_counter() - started:.1f} s.")
        grown = [
            f"{r.case.name} {r.count(sizes[0])} -> {r.count(sizes[-1])}"
            for r in bench.results if r.grows
        ]
        grown += [f"target progress: {what}" for what in (progressed.grows if progressed else [])]
        if grown:
            raise CommandError(
                "Query counts grow with the trust's size, which the budget forbids: "
                + "; ".join(grown) + ". See the statements above."
            )

    def note(self, text):
        if self.verbosity:
            self.stdout.write(text)

    def measure(self, sizes, repeat, warmup, progress_repeat):
        world = BenchTrust()
        bench = None
        progress = ProgressBench(world) if progress_repeat else None
        for size in sizes:
            step = time.perf_counter()
            world.grow_to(size)
            self.note(
                f"Trust of {world.size} academies in {len(world.hubs)} hubs "
                f"built in {time.perf_counter() - step:.1f} s."
            )
            bench = bench or PageBench(world, PAGE_CASES)
            bench.count_queries()
            if progress:
                progress.count_queries()
        step = time.perf_counter()
        bench.time(repeat=repeat, warmup=warmup)
        took = time.perf_counter() - step
        self.note(f"Timed {len(bench.results)} pages x {repeat} requests in {took:.1f} s.")
        return bench, progress

    def measure_progress(self, progress, repeat):
        step = time.perf_counter()
        result = progress.time(repeat=repeat)
        took = time.perf_counter() - step
        self.note(f"Recomputed target progress {2 * (repeat + 1)} times (and the baseline) in {took:.1f} s.")
        return result

    def report_progress(self, result, sizes, repeat):
        small, large = (result.counts[size] for size in (sizes[0], sizes[-1]))
        self.stdout.write(
            f"Recomputing the progress of {result.targets:,} targets ({result.judged:,} with a result this "
            f"year) at {sizes[-1]} academies, median of {repeat} runs, against reading the same rows:"
        )
        rows = [
            ("read the same rows (baseline)", "baseline", ""),
            ("recompute, nothing changed", "steady", ""),
            ("recompute, every target written", "full", f"  {result.targets_per_second:,.0f} targets/s"),
        ]
        for label, name, extra in rows:
            self.stdout.write(
                f"  {label:<32} {result.ms(name):9.1f} ms  {result.ratio(name):5.1f}x baseline{extra}"
            )
        self.stdout.write(
            f"  queries at {sizes[0]} and {sizes[-1]} academies: nothing changed {small.steady_queries} and "
            f"{large.steady_queries}; every target written {small.full_reads} and {large.full_reads} reads, "
            f"with {small.full_writes} and {large.full_writes} UPDATEs in batches "
            f"({small.targets:,} and {large.targets:,} targets)."
        )
        if result.grows:
            self.stdout.write(self.style.ERROR("  GROWS: " + "; ".join(result.grows)))
        self.stdout.write("")

    def measure_import(self, world, repeat):
        step = time.perf_counter()
        result = measure_import(world.academies, repeat=repeat)
        self.note(f"Imported the national file {repeat + 2} times in {time.perf_counter() - step:.1f} s.")
        return result

    def report_import(self, result, repeat):
        self.stdout.write(
            f"Import of a national file of {result.school_rows:,} school rows ({result.trust_rows} of "
            f"them the trust's academies) and {result.rows - result.school_rows} national and LA rows "
            f"({result.size / 1e6:.1f} MB), median of {repeat} dry runs (every figure written, then "
            "rolled back), against pandas reading the same bytes:"
        )
        self.stdout.write(f"  pandas read_csv  {result.pandas_ms:9.1f} ms")
        self.stdout.write(
            f"  import           {result.import_ms:9.1f} ms  {result.ratio:5.1f}x pandas  "
            f"{result.rows_per_second:,.0f} rows/s"
        )
        batch = result.batch
        self.stdout.write(
            f"  the real import: created {batch.created}, updated {batch.updated}, unchanged "
            f"{batch.unchanged}, {batch.skipped:,} rows of other schools and areas left out."
        )
        self.stdout.write("")

    def report(self, bench, sizes, repeat):
        small, large = sizes[0], sizes[-1]
        base_ms = bench.baseline_result.median_ms
        header = [
            "page", "who", f"queries@{small}", f"queries@{large}", "median ms", "x baseline", "",
        ]
        rows = []
        for result in bench.results:
            ms = result.median_ms
            label = result.case.label + (" (baseline)" if result is bench.baseline_result else "")
            rows.append([
                label, result.case.who, str(result.count(small)), str(result.count(large)),
                f"{ms:.2f}", f"{ms / base_ms:.1f}", "GROWS" if result.grows else "",
            ])
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        numeric = {2, 3, 4, 5}
        self.stdout.write("")
        self.stdout.write(
            f"Pages at {large} academies, median of {repeat} requests, against a trivial "
            f"signed-in view ({connection.vendor}):"
        )
        for row in [header, *rows]:
            cells = [
                cell.rjust(width) if i in numeric else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write("")

        for result in bench.results:
            if result.grows:
                self.stdout.write(self.style.ERROR(f"{result.case.name}: statements that grow"))
                changes = shape_changes(result.queries[small], result.queries[large])
                for shape, before, after in changes:
                    self.stdout.write(f"  {before} -> {after}  {shape}")
            if self.verbosity >= 2:
                self.stdout.write(f"{result.case.name}: {result.count(large)} queries at {large}")
                for sql in result.queries[large]:
                    self.stdout.write(f"  {sql}")

        pages = bench.page_results
        slowest = max(pages, key=lambda r: r.median_ms)
        grown = [r for r in bench.results if r.grows]
        where = f"from {small} to {large} academies" if large > small else f"at {small} academies"
        slowest_text = (
            f"slowest {slowest.case.name} at {slowest.median_ms / base_ms:.1f}x baseline "
            f"({base_ms:.2f} ms)."
        )
        if grown:
            self.stdout.write(self.style.ERROR(
                f"FAIL: query counts grow {where} for {len(grown)} of {len(bench.results)} rows "
                f"(marked GROWS); {slowest_text}"
            ))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"OK: all {len(pages)} pages in constant queries {where}; {slowest_text}"
            ))
