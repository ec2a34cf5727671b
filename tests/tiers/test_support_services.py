"""Support given against support owed: each entry settles the earliest item of its kind whose
window has opened, late support settles what is overdue, a published health check is logged
once, and the people who arrange support are told once of each item that falls behind."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from healthchecks.models import HealthCheck
from healthchecks.services import health_check_publish
from healthchecks.signals import health_check_published
from tests.factories import Role
from tests.tiers.makers import make_health_check, make_tier, year_with_terms
from tiers import services
from tiers.models import SupportItem, SupportKind, SupportLogEntry
from tiers.services import WorkflowError
from trust.models import Notification

R = Role
K = SupportKind
OWED, DELIVERED = SupportItem.Status.OWED, SupportItem.Status.DELIVERED


def d(month, day):
    return datetime.date(2025 if month >= 9 else 2026, month, day)


def on(month, day):
    """Today is this date (at noon in London)."""
    return time_machine.travel(
        datetime.datetime(*d(month, day).timetuple()[:3], 12, 0, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def tier_3(world):
    """North A agreed into tier 3 from 1 September: CEO one-to-ones every two teaching weeks
    (due 12 September, 26 September, ...), two health checks a year (by 19 December and 22 July)."""
    year = year_with_terms(2025)
    assignment = make_tier(world.north_a, year, 3)
    services.regenerate_schedule(assignment)
    return assignment


def ceo(due_on):
    return SupportItem.objects.get(kind=K.CEO_ONE_TO_ONE, due_on=due_on)


def log(world, held_on, kind=K.CEO_ONE_TO_ONE, by=R.EXECUTIVE, **extra):
    return services.log_support(academy=world.north_a, kind=kind, held_on=held_on, by=world[by], **extra)


def test_support_settles_the_earliest_owed_item_whose_window_has_opened(world, tier_3):
    with on(9, 11):
        first = log(world, d(9, 10), led_by="Chief executive", notes="Attendance plan reviewed.")
        second = log(world, d(9, 11))
    item = ceo(d(9, 12))
    assert (item.status, item.delivered_by_entry) == (DELIVERED, first)
    assert not item.delivered_late
    # The next item's window opens on 13 September: a second meeting this fortnight is extra.
    assert ceo(d(9, 26)).status == OWED
    assert not SupportItem.objects.filter(delivered_by_entry=second).exists()


def test_late_support_settles_the_overdue_item_first(world, tier_3):
    with on(10, 1):
        entry = log(world, d(9, 30))
    late = ceo(d(9, 12))
    assert (late.status, late.delivered_by_entry) == (DELIVERED, entry)
    assert late.delivered_late
    assert ceo(d(9, 26)).status == OWED


def test_support_of_a_kind_not_owed_stands_alone(world, tier_3):
    with on(9, 11):
        entry = log(world, d(9, 10), kind=K.NETWORKS)
    assert SupportLogEntry.objects.get() == entry
    assert not SupportItem.objects.filter(delivered_by_entry__isnull=False).exists()


def test_deleting_an_entry_reopens_its_item_for_later_support_to_settle(world, tier_3):
    with on(9, 12):
        log(world, d(9, 5), kind=K.NETWORKS)  # earlier support that settles nothing
        mistaken = log(world, d(9, 10))
        later = log(world, d(9, 11))
        services.delete_support(mistaken, by=world[R.SIEL])
    item = ceo(d(9, 12))
    assert (item.status, item.delivered_by_entry) == (DELIVERED, later)
    assert not SupportLogEntry.objects.filter(pk=mistaken.pk).exists()
    with on(9, 12):
        services.delete_support(later, by=world[R.SIEL])
    assert ceo(d(9, 12)).status == OWED


def test_a_published_health_check_is_logged_once_as_support(world, tier_3):
    check = make_health_check(
        world.north_a,
        status=HealthCheck.Status.RESPONDED,
        visit_start=d(11, 12),
        visit_end=d(11, 13),
    )
    with on(11, 20):
        health_check_publish(health_check=check, by=world[R.SIEL])
        health_check_published.send(sender=HealthCheck, health_check=check)  # told twice
    entry = SupportLogEntry.objects.get()
    assert (entry.kind, entry.held_on, entry.source) == (K.HEALTH_CHECK, d(11, 13), "health_check")
    assert entry.health_check == check
    item = SupportItem.objects.get(kind=K.HEALTH_CHECK, due_on=d(12, 19))
    assert (item.status, item.delivered_by_entry) == (DELIVERED, entry)
    with on(11, 20), pytest.raises(WorkflowError):
        services.delete_support(entry, by=world[R.SIEL])


def test_overdue_support_is_told_once_to_the_people_who_arrange_it(world, tier_3):
    with on(9, 20):
        assert services.notify_overdue_support() == 1  # the one-to-one due on 12 September
        assert services.notify_overdue_support() == 0
    notes = Notification.objects.filter(kind="support.overdue")
    assert sorted(notes.values_list("user__email", flat=True)) == [
        "exec@trust.test",
        "hublead@trust.test",
        "siel@trust.test",
    ]
    note = notes.first()
    assert note.title == "North A: CEO one-to-one overdue"
    assert "was due by 12 September 2025" in note.body
    assert note.url == "/academies/100001/support/"


def test_support_delivered_is_no_longer_overdue(world, tier_3):
    with on(9, 20):
        log(world, d(9, 18))
        assert services.notify_overdue_support() == 0
    assert not Notification.objects.filter(kind="support.overdue").exists()


def test_support_cannot_be_logged_before_it_is_given(world, tier_3):
    with on(9, 20), pytest.raises(ValidationError) as excinfo:
        log(world, d(9, 21))
    assert "in the future" in excinfo.value.message_dict["held_on"][0]
    assert not SupportLogEntry.objects.exists()


def test_an_unknown_kind_of_support_is_refused(world, tier_3):
    with on(9, 20), pytest.raises(ValidationError) as excinfo:
        log(world, d(9, 18), kind="coffee")
    assert excinfo.value.message_dict["kind"] == ["Choose a kind of support from the list."]


@pytest.mark.parametrize("role", [R.HEADTEACHER, R.GOVERNOR, R.TRUSTEE])
def test_roles_that_do_not_arrange_support_may_not_log_it(world, tier_3, role):
    with on(9, 20), pytest.raises(PermissionDenied):
        log(world, d(9, 18), by=role)
