"""The command line shared by the whole-trust benchmarks (`python -m academycards.bench`): each
takes a size and a number of timed runs, measures on a throwaway database of its own, prints its
report, and fails the run when its queries grow with the trust."""

import argparse
import logging
import sys
import time

from django.db import connection

SMALL = 21  # the demo trust's size: every count is taken here and at the large size


def run(argv, *, what, size_option, size_default, repeat_option, repeat_default, repeat_help,
        measure, report, failure):
    """Parse this benchmark's options from `argv` (the others' pass through), then
    `measure(sizes, repeat)` and `report(result, sizes, repeat)`. Returns the exit status."""
    from trust.celery import app

    from .database import throwaway_database

    parser = argparse.ArgumentParser(
        prog="python -m academycards.bench",
        description=f"Time the {what} over every academy on a throwaway database.",
        allow_abbrev=False,
    )
    parser.add_argument(size_option, type=int, default=size_default, metavar="N",
                        help=f"Size of the large trust for the {what} (default {size_default:,}).")
    parser.add_argument(repeat_option, type=int, default=repeat_default, metavar="N", help=repeat_help)
    args, _others = parser.parse_known_args(argv)
    size = getattr(args, size_option.lstrip("-").replace("-", "_"))
    repeat = getattr(args, repeat_option.lstrip("-").replace("-", "_"))
    if repeat <= 0:
        return 0
    if size < SMALL:
        parser.error(f"{size_option} must be at least {SMALL}.")
    sizes = [SMALL, size] if size > SMALL else [SMALL]
    app.conf.task_always_eager = True  # the alerts' emails (to the locmem outbox) stay in this process
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # not a line for each task
    started = time.perf_counter()
    try:
        with throwaway_database() as name:
            print(f"Throwaway {connection.vendor} database {name!r} for the {what}.")
            result = measure(sizes, repeat)
            print(f"Measured the {what} in {time.perf_counter() - started:.1f} s.")
            report(result, sizes, repeat)
    except failure as exc:
        print(f"The {what} did not run as expected: {exc}", file=sys.stderr)
        return 1
    if result.grows:
        print(f"Query counts grow with the trust's size, which the budget forbids: {what}: "
              + "; ".join(result.grows) + ".", file=sys.stderr)
        return 1
    return 0
