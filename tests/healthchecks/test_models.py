"""Small rules of the health-check models that pages, PDFs and alerts rely on."""

import datetime

import pytest

from healthchecks.comparison import latest_health_check
from healthchecks.models import HealthCheck
from tests.healthchecks.makers import make_health_check

D = datetime.date


@pytest.mark.parametrize(("start", "end", "text"), [
    (D(2025, 11, 12), None, "12 November 2025"),
    (D(2025, 11, 12), D(2025, 11, 12), "12 November 2025"),
    (D(2025, 11, 12), D(2025, 11, 13), "12 to 13 November 2025"),
    (D(2025, 11, 30), D(2025, 12, 1), "30 November to 1 December 2025"),
    (D(2025, 12, 31), D(2026, 1, 2), "31 December 2025 to 2 January 2026"),
])
def test_a_visit_reads_as_people_write_dates(start, end, text):
    assert HealthCheck(visit_start=start, visit_end=end).visit_text == text


def test_without_a_reader_the_comparison_shows_no_health_check(world):
    make_health_check(world.north_a, status=HealthCheck.Status.DRAFT)
    assert latest_health_check(world.north_a, None) is None
