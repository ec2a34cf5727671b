"""Counting queries and timing calls: shared by every measurement of the benchmark."""

import gc
import re
import statistics
import time
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn):
    """Call `fn` once; return its result and the SQL of every query it made."""
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, [query["sql"] for query in captured.captured_queries]


def interleaved_times(calls, repeat, warmup=5):
    """Time each of `calls` (name -> function) `repeat` times, taking turns.

    The calls run in rounds, each round starting one further along, so that a slow patch of
    the machine falls on every call alike rather than on whichever ran then. Returns
    name -> list of seconds.
    """
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    samples = {name: [] for name in names}
    gc.collect()
    for round_number in range(repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            call = calls[name]
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    return samples


def median_ms(samples):
    return statistics.median(samples) * 1000


_LITERALS = re.compile(r"'(?:[^']|'')*'|%s|\b\d+\b")
_LISTS = re.compile(r"\(\?(?:, \?)+\)")


def statement_shapes(sql_list):
    """How many times each statement ran, literals blanked: `... WHERE id = ?` x 50. A list of
    values is one shape however long (`IN (?, ...)`): a longer list is not another query."""
    return Counter(_LISTS.sub("(?, ...)", _LITERALS.sub("?", sql)) for sql in sql_list)


def shape_changes(before, after):
    """(shape, count before, count after) for each statement whose count differs."""
    shapes_before, shapes_after = statement_shapes(before), statement_shapes(after)
    return [
        (shape, shapes_before[shape], shapes_after[shape])
        for shape in sorted(set(shapes_before) | set(shapes_after))
        if shapes_before[shape] != shapes_after[shape]
    ]
