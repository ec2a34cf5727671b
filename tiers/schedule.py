"""The support an academy is owed: due dates from its agreed tier's entitlements, and the
matching of support given to support owed.

Due dates follow the academic year's terms as the trust has set them (so holidays are whatever
falls between its terms):

- every N weeks (weekly, fortnightly, four-weekly, half-termly = six): counted in teaching weeks
  from the day the tier starts, so a holiday does not use up an interval; due on the Friday of
  every Nth teaching week (or the term's last day, if sooner);
- every term: by each term's last day;
- twice a year: by the end of the autumn term and by the end of the summer term;
- once a year: by the end of the summer term;
- once: within four weeks of the tier starting, on the last teaching day of those four weeks
  (so never in a holiday).

A tier agreed part-way through the year is owed support from its first day only.
"""

import datetime

from .models import Cadence
from .models.definitions import WEEKS

ONCE_WITHIN = datetime.timedelta(days=28)


def _monday(day):
    return day - datetime.timedelta(days=day.weekday())


def teaching_weeks(terms, start):
    """[(monday, last teaching day of that week)] for the weeks of `terms` from `start`'s week."""
    weeks = []
    for term_start, term_end in sorted(terms):
        if term_end < start:
            continue
        monday = _monday(max(term_start, start))
        while monday <= term_end:
            friday = monday + datetime.timedelta(days=4)
            last_day = min(friday, term_end)
            if last_day >= max(term_start, start) and (not weeks or weeks[-1][0] != monday):
                weeks.append((monday, last_day))
            monday += datetime.timedelta(days=7)
    return weeks


def _teaching_day_by(terms, start, limit):
    """The last weekday in a term from `start` to `limit`, or failing that the first one after
    `start`: a due date a school can meet."""
    days = []
    for term_start, term_end in terms:
        day, last = max(term_start, start), min(term_end, limit)
        while day <= last:
            if day.weekday() < 5:
                days.append(day)
            day += datetime.timedelta(days=1)
    if days:
        return days[-1]
    for term_start, term_end in terms:
        day = max(term_start, start)
        while day <= term_end:
            if day.weekday() < 5:
                return day
            day += datetime.timedelta(days=1)
    return min(start + ONCE_WITHIN, terms[-1][1])


def due_dates(cadence, terms, start):
    """[(window_start, due_on)] for one entitlement over one year's `terms` ([(starts, ends)] in
    order) for a tier that starts on `start`. Windows follow on from each other, so a piece of
    support counts towards exactly one due date."""
    terms = sorted(terms)
    if not terms or cadence == Cadence.ONGOING:
        return []
    year_end = terms[-1][1]
    if start > year_end:
        return []
    if cadence in WEEKS:
        every = WEEKS[cadence]
        weeks = teaching_weeks(terms, start)
        dues = [last_day for i, (_, last_day) in enumerate(weeks) if (i + 1) % every == 0]
    elif cadence == Cadence.TERMLY:
        dues = [end for _, end in terms if end >= start]
    elif cadence == Cadence.TWICE_A_YEAR:
        dues = [end for _, end in (terms[0], terms[-1]) if end >= start]
    elif cadence == Cadence.ANNUALLY:
        dues = [year_end]
    elif cadence == Cadence.ONCE:
        dues = [_teaching_day_by(terms, start, min(start + ONCE_WITHIN, year_end))]
    else:
        raise ValueError(f"Unknown cadence {cadence!r}")
    windows, window_start = [], start
    for due in sorted(set(dues)):
        windows.append((window_start, due))
        window_start = due + datetime.timedelta(days=1)
    return windows
