"""The iCalendar writer and the private support calendar feed."""

import datetime

import pytest
from django.urls import reverse

from tests.access_cases.tiers_support import agree_tier, feed_of, frozen_on
from tests.factories import Role
from tiers import ical
from tiers.models import SupportItem

R = Role


def lines_of(text):
    assert text.endswith("\r\n")
    body = text[:-2]
    assert "\n" not in body.replace("\r\n", "")
    return body.split("\r\n")


def unfold(lines):
    unfolded = []
    for line in lines:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def test_text_values_escape_backslash_semicolon_comma_and_line_breaks():
    assert ical.escape("St Mary's, C of E; a\\b\nnext") == "St Mary's\\, C of E\\; a\\\\b\\nnext"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line).split("\r\n")
    assert len(folded) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert unfold(folded) == [line]


def test_a_calendar_has_one_event_per_item_with_a_date_and_a_uid():
    stamp = datetime.datetime(2025, 9, 17, 11, 0, tzinfo=datetime.UTC)
    events = [
        ical.Event(uid="a@x", day=datetime.date(2025, 9, 5), summary="One, two", description="Owed"),
        ical.Event(uid="b@x", day=datetime.date(2025, 9, 12), summary="Three", url="http://x/y/"),
    ]
    lines = unfold(lines_of(ical.calendar(name="Support", events=events, stamp=stamp)))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20250905" in lines and "DTEND;VALUE=DATE:20250906" in lines
    assert "DTSTAMP:20250917T110000Z" in lines
    assert "SUMMARY:One\\, two" in lines
    assert {"UID:a@x", "UID:b@x"} <= set(lines)


@pytest.fixture
def frozen():
    with frozen_on(datetime.date(2025, 9, 17)):
        yield


@pytest.fixture
def schedules(world, frozen):
    """North A (the governor's academy) in tier 4, with a name that needs escaping; South A in tier 1."""
    world.north_a.name = "St Mary's, Northtown; C of E Primary Academy with a rather long name"
    world.north_a.save()
    agree_tier(world, world.north_a, 4, board_meeting=datetime.date(2025, 9, 10))
    agree_tier(world, world.south_a, 1, board_meeting=datetime.date(2025, 9, 10))


def feed_url(token):
    return reverse("tiers:calendar-feed", kwargs={"token": token})


def test_feed_lists_every_item_in_the_persons_scope_and_nothing_else(client, world, schedules, settings):
    settings.SITE_URL = "https://improve.example.org"
    response = client.get(feed_url(feed_of(world[R.GOVERNOR]).token))  # no sign-in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode()
    raw = lines_of(text)
    assert all(len(line.encode("utf-8")) <= 75 for line in raw)
    lines = unfold(raw)
    owed = SupportItem.objects.filter(academy=world.north_a).exclude(status=SupportItem.Status.CANCELLED)
    assert lines.count("BEGIN:VEVENT") == owed.count() > 0
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert all(s.startswith("SUMMARY:St Mary's\\, Northtown\\; C of E") for s in summaries)
    name = "St Mary's\\, Northtown\\; C of E Primary Academy with a rather long name"
    assert f"SUMMARY:{name}: CEO one-to-one" in lines
    assert f"URL:https://improve.example.org/academies/{world.north_a.urn}/support/" in lines
    assert any(line.startswith("DESCRIPTION:Status: Overdue.") for line in lines)
    assert len({line for line in lines if line.startswith("UID:")}) == owed.count()


def test_the_executive_feed_covers_every_academy(client, world, schedules):
    text = client.get(feed_url(feed_of(world[R.EXECUTIVE]).token)).content.decode()
    all_items = SupportItem.objects.exclude(status=SupportItem.Status.CANCELLED).count()
    assert text.count("BEGIN:VEVENT") == all_items
    assert "South A: CEO one-to-one" in text


def test_an_unknown_token_is_not_found(client, world, schedules):
    assert client.get(feed_url("no-such-token")).status_code == 404


def test_the_feed_of_someone_no_longer_active_is_not_found(client, world, schedules):
    token = feed_of(world[R.GOVERNOR]).token
    world[R.GOVERNOR].is_active = False
    world[R.GOVERNOR].save()
    assert client.get(feed_url(token)).status_code == 404


def test_resetting_the_address_stops_the_old_one_working(client, world, schedules):
    client.force_login(world[R.HEADTEACHER])
    page = client.get(reverse("tiers:calendar-feed-settings")).content.decode()
    old = feed_of(world[R.HEADTEACHER]).token
    assert feed_url(old) in page
    response = client.post(reverse("tiers:calendar-feed-settings"))
    assert response.status_code == 302
    new = feed_of(world[R.HEADTEACHER]).token
    assert new != old
    client.logout()
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
