"""Due dates of support over a real year: autumn 3 September to 19 December, spring 5 January
to 27 March, summer 13 April to 22 July (a Wednesday), with the holidays between the terms."""

import datetime
import itertools

import pytest

from tests.tiers.makers import TERMS_2025
from tiers.models import Cadence
from tiers.schedule import due_dates

C = Cadence
TERMS = TERMS_2025
YEAR_START = datetime.date(2025, 9, 1)


def d(month, day):
    return datetime.date(2025 if month >= 9 else 2026, month, day)


def dues(cadence, start=YEAR_START, terms=TERMS):
    return [due for _, due in due_dates(cadence, terms, start)]


def in_term(day, terms=TERMS):
    return any(starts <= day <= ends for starts, ends in terms)


def test_weekly_is_due_each_teaching_friday_and_the_last_day_of_a_term_ending_midweek():
    weekly = dues(C.WEEKLY)
    assert len(weekly) == 16 + 12 + 15  # teaching weeks of the three terms
    assert weekly[:2] == [d(9, 5), d(9, 12)]
    assert weekly[15:17] == [d(12, 19), d(1, 9)]  # straight over the Christmas break
    assert weekly[27:29] == [d(3, 27), d(4, 17)]  # and over Easter
    assert weekly[-2:] == [d(7, 17), d(7, 22)]  # the summer term ends on a Wednesday
    assert all(day.weekday() == 4 for day in weekly[:-1])


def test_fortnightly_counts_teaching_weeks_across_the_christmas_break():
    fortnightly = dues(C.FORTNIGHTLY)
    assert fortnightly[:2] == [d(9, 12), d(9, 26)]
    # Week 16 ends the autumn term; week 18 is the second week of spring, not two calendar weeks on.
    assert fortnightly[7:9] == [d(12, 19), d(1, 16)]
    assert fortnightly[-1] == d(7, 17)  # week 42 of 43
    assert len(fortnightly) == 21


def test_four_weekly_carries_its_count_over_each_holiday():
    assert dues(C.FOUR_WEEKLY) == [
        d(9, 26), d(10, 24), d(11, 21), d(12, 19),
        d(1, 30), d(2, 27), d(3, 27),
        d(5, 8), d(6, 5), d(7, 3),
    ]  # fmt: skip


def test_half_termly_is_every_six_teaching_weeks():
    assert dues(C.HALF_TERMLY) == [
        d(10, 10), d(11, 21), d(1, 16), d(2, 27), d(4, 24), d(6, 5), d(7, 17)
    ]  # fmt: skip


def test_a_week_cadence_falls_due_on_a_term_ending_midweek():
    # A summer term ending on Thursday 16 July: the fortnight's last week is cut short.
    terms = [*TERMS[:2], (d(4, 13), d(7, 16))]
    assert dues(C.FORTNIGHTLY, terms=terms)[-1] == d(7, 16)


@pytest.mark.parametrize("cadence", [C.WEEKLY, C.FORTNIGHTLY, C.FOUR_WEEKLY, C.HALF_TERMLY, C.ONCE])
def test_no_due_date_falls_in_a_holiday_or_at_a_weekend(cadence):
    for start in (YEAR_START, d(12, 1), d(3, 16), d(2, 11)):
        for day in dues(cadence, start=start):
            assert in_term(day), (cadence, start, day)
            assert day.weekday() < 5, (cadence, start, day)


def test_termly_twice_a_year_and_annually_fall_by_the_end_of_a_term():
    assert dues(C.TERMLY) == [d(12, 19), d(3, 27), d(7, 22)]
    assert dues(C.TWICE_A_YEAR) == [d(12, 19), d(7, 22)]
    assert dues(C.ANNUALLY) == [d(7, 22)]


def test_once_is_due_within_four_weeks_of_the_start():
    assert dues(C.ONCE) == [d(9, 29)]
    assert dues(C.ONCE, start=d(2, 11)) == [d(3, 11)]


def test_once_never_lands_in_the_christmas_holiday():
    # Four weeks from 1 December is 29 December: the last teaching day within them is 19 December.
    assert dues(C.ONCE, start=d(12, 1)) == [d(12, 19)]


def test_ongoing_support_has_no_due_dates():
    assert due_dates(C.ONGOING, TERMS, YEAR_START) == []


def test_a_tier_starting_mid_year_is_owed_only_what_falls_after():
    start = d(2, 11)  # a Wednesday in the spring term
    assert dues(C.TERMLY, start=start) == [d(3, 27), d(7, 22)]
    assert dues(C.TWICE_A_YEAR, start=start) == [d(7, 22)]
    assert dues(C.ANNUALLY, start=start) == [d(7, 22)]
    # Teaching weeks count from the start's own week: 9 February is week 1, 2 March week 4.
    assert dues(C.FOUR_WEEKLY, start=start) == [d(3, 6), d(4, 17), d(5, 15), d(6, 12), d(7, 10)]
    assert dues(C.WEEKLY, start=start)[0] == d(2, 13)


def test_a_tier_starting_after_the_last_term_is_owed_nothing_that_year():
    assert dues(C.TERMLY, start=d(7, 23)) == []
    assert dues(C.WEEKLY, start=d(7, 23)) == []


@pytest.mark.parametrize("cadence", [c for c in C if c != C.ONGOING])
@pytest.mark.parametrize("start", [YEAR_START, d(2, 11)])
def test_windows_follow_on_without_gaps_or_overlaps(cadence, start):
    windows = due_dates(cadence, TERMS, start)
    assert windows, cadence
    assert windows[0][0] == start
    for (_, due), (next_start, _) in itertools.pairwise(windows):
        assert next_start == due + datetime.timedelta(days=1)
    assert all(window_start <= due for window_start, due in windows)
