"""Link-governor visits: the academy's list, recording a visit and editing one's own record.
Scoping of every URL is in tests/access_cases/visits.py; here is what people notice."""

import datetime
import html
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from healthchecks import services
from healthchecks.models import GovernorVisit
from tests.access_cases.plans import make_plan, make_priority
from tests.factories import Role, person
from tests.healthchecks.makers import make_visit
from tests.utils import queries_for
from trust.models import AcademicYear

R = Role
TODAY = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _spring_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def text(response):
    """What a reader sees: the words, entities decoded, spaces collapsed."""
    markup = response.content.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def list_url(academy):
    return reverse("healthchecks:visits", kwargs={"urn": academy.urn})


def create_url(academy):
    return reverse("healthchecks:visit-create", kwargs={"urn": academy.urn})


def edit_url(visit):
    return reverse("healthchecks:visit-edit", kwargs={"uuid": visit.uuid})


def form(priority=None, **changes):
    data = {
        "visited_on": "2026-02-03",
        "focus": "Phonics in Year 1",
        "priority": str(priority.pk) if priority else "",
        "notes": "Watched two phonics lessons and a catch-up group; asked how gaps are found each week.",
    }
    data.update(changes)
    return data


@pytest.fixture
def governor(world):
    return world[R.GOVERNOR]


@pytest.fixture
def reading(world):
    return make_priority(world.north_a, title="Every pupil a fluent reader by the end of Year 2")


# The list


def test_everyone_who_sees_the_academy_reads_its_visits_newest_first_with_the_priority(
    client, world, governor, reading
):
    make_visit(world.north_a, governor, visited_on=datetime.date(2025, 10, 1), focus="Attendance procedures")
    make_visit(world.north_a, governor, visited_on=datetime.date(2026, 1, 20), focus="Phonics in Year 1",
               priority=reading)
    make_visit(world.north_b, governor, focus="Visit to another academy")
    for role in (R.EXECUTIVE, R.TRUSTEE, R.HUB_LEAD, R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER):
        client.force_login(world[role])
        response = client.get(list_url(world.north_a))
        assert response.status_code == 200, role
        page = text(response)
        assert page.index("Phonics in Year 1") < page.index("Attendance procedures"), role
        assert "Visit to another academy" not in page
        assert "Priority followed up: Every pupil a fluent reader by the end of Year 2" in page
        assert "20 January 2026" in page and governor.full_name in page

    plan_link = (f'{reverse("academies:plan", kwargs={"urn": world.north_a.urn})}?year='
                 f'{AcademicYear.current().label}#priority-{reading.uuid}')
    assert plan_link in response.content.decode()


def test_only_governors_of_the_academy_are_offered_to_record_and_only_their_own_visits_to_edit(
    client, world, governor
):
    other = person(R.GOVERNOR, academy=world.north_a, email="second.governor@trust.test")
    mine = make_visit(world.north_a, governor, focus="Mine")
    theirs = make_visit(world.north_a, other, focus="Theirs")

    client.force_login(governor)
    response = client.get(list_url(world.north_a))
    body = response.content.decode()
    assert create_url(world.north_a) in body and "Record a visit" in body
    assert edit_url(mine) in body
    assert edit_url(theirs) not in body

    for role in (R.EXECUTIVE, R.HEADTEACHER, R.HUB_LEAD):
        client.force_login(world[role])
        body = client.get(list_url(world.north_a)).content.decode()
        assert "Record a visit" not in body and create_url(world.north_a) not in body, role
        assert edit_url(mine) not in body, role


def test_an_academy_without_visits_says_so(client, world, governor):
    client.force_login(world[R.HEADTEACHER])
    assert "No link-governor visits have been recorded for North A yet." in text(
        client.get(list_url(world.north_a)))
    client.force_login(governor)
    assert "Record the first" in text(client.get(list_url(world.north_a)))


def test_the_list_is_out_of_scope_for_other_academies_people(client, world, governor):
    make_visit(world.south_a, person(R.GOVERNOR, academy=world.south_a, email="g.south@trust.test"))
    client.force_login(governor)
    assert client.get(list_url(world.south_a)).status_code == 404
    client.force_login(world[R.HUB_LEAD])
    assert client.get(list_url(world.south_a)).status_code == 404
    assert client.get(list_url(world.north_b)).status_code == 200


def test_notes_are_shown_as_text_not_markup(client, world, governor):
    make_visit(world.north_a, governor, notes='<script>alert("x")</script>\nSecond line')
    client.force_login(governor)
    body = client.get(list_url(world.north_a)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body


def test_the_list_queries_do_not_grow_with_the_visits(client, world, governor, reading):
    make_visit(world.north_a, governor, priority=reading)
    client.force_login(governor)
    _, few = queries_for(client, list_url(world.north_a))
    other_priority = make_priority(world.north_a, title="Attendance", theme="attendance", order=2)
    for day in range(1, 15):
        make_visit(world.north_a, governor, visited_on=datetime.date(2025, 12, day),
                   priority=reading if day % 2 else other_priority)
    _, many = queries_for(client, list_url(world.north_a))
    assert len(many) == len(few)


def test_a_long_list_is_paged(client, world, governor):
    for day in range(1, 26):
        make_visit(world.north_a, governor, visited_on=datetime.date(2025, 12, day), focus=f"Visit {day:02d}")
    client.force_login(governor)
    first = text(client.get(list_url(world.north_a)))
    assert "Visit 25" in first and "Visit 01" not in first and "Page 1 of 2" in first
    second = text(client.get(list_url(world.north_a) + "?page=2"))
    assert "Visit 01" in second and "Visit 25" not in second


# Recording a visit


def test_a_governor_records_a_visit_linked_to_a_priority_of_the_academy(client, world, governor, reading):
    client.force_login(governor)
    response = client.post(create_url(world.north_a), form(reading))
    assert response.status_code == 302 and response["Location"] == list_url(world.north_a)
    visit = GovernorVisit.objects.get()
    assert (visit.academy, visit.governor, visit.priority) == (world.north_a, governor, reading)
    assert visit.visited_on == datetime.date(2026, 2, 3) and visit.focus == "Phonics in Year 1"
    page = text(client.get(response["Location"]))
    assert "Visit of 3 February 2026 recorded: Phonics in Year 1." in page


def test_a_visit_need_not_follow_up_a_priority(client, world, governor):
    client.force_login(governor)
    assert client.post(create_url(world.north_a), form(focus="Meeting the school council")).status_code == 302
    assert GovernorVisit.objects.get().priority is None


def test_the_priorities_offered_are_only_the_academys_own(client, world, governor, reading):
    last_year = AcademicYear.for_date(datetime.date(2024, 9, 1))
    older = make_priority(world.north_a, year=last_year, title="Last year's writing priority",
                          theme="writing")
    elsewhere = make_priority(world.north_b, title="North B's attendance priority", theme="attendance")
    client.force_login(governor)
    response = client.get(create_url(world.north_a))
    choices = list(response.context["form"].fields["priority"].queryset)
    assert choices == [reading, older]  # this year's first
    page = text(response)
    assert f"{AcademicYear.current()}: Every pupil a fluent reader" in page
    assert "North B's attendance priority" not in page
    assert elsewhere not in choices


def test_a_forged_priority_of_another_academy_is_refused(client, world, governor):
    elsewhere = make_priority(world.north_b, title="North B's attendance priority", theme="attendance")
    client.force_login(governor)
    response = client.post(create_url(world.north_a), form(elsewhere))
    assert response.status_code == 200
    assert response.context["form"].errors["priority"] == [
        "Choose one of this academy's development-plan priorities."]
    assert not GovernorVisit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visited_on": "2026-02-11"}, "visited_on", "A visit cannot be dated in the future."),
        ({"visited_on": ""}, "visited_on", "Give the date of the visit."),
        ({"focus": "  "}, "focus", "Say what the visit looked at."),
        ({"notes": ""}, "notes", "Write what you saw and asked."),
    ],
)
def test_an_incomplete_visit_is_refused_with_why(client, world, governor, changes, field, message):
    client.force_login(governor)
    response = client.post(create_url(world.north_a), form(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "There is a problem" in text(response)
    assert not GovernorVisit.objects.exists()


def test_a_refusal_by_the_service_is_shown_on_the_form(client, world, governor, reading, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"priority": "Choose one of this academy's priorities."})

    monkeypatch.setattr(services, "visit_record", refuse)
    client.force_login(governor)
    response = client.post(create_url(world.north_a), form(reading))
    assert response.status_code == 200
    assert response.context["form"].errors["priority"] == ["Choose one of this academy's priorities."]


def test_only_a_governor_of_the_academy_records_a_visit(client, world, reading):
    for role in (R.EXECUTIVE, R.SIEL, R.HUB_LEAD, R.HEADTEACHER, R.ACADEMY_DATA_MANAGER):
        client.force_login(world[role])
        assert client.get(create_url(world.north_a)).status_code == 403, role
        assert client.post(create_url(world.north_a), form(reading)).status_code == 403, role
    client.force_login(world[R.GOVERNOR])
    elsewhere = make_priority(world.south_a, title="South A's priority", theme="reading")
    assert client.post(create_url(world.south_a), form(elsewhere)).status_code == 404
    assert not GovernorVisit.objects.exists()


# Editing one's own record


def test_the_governor_who_recorded_a_visit_edits_it(client, world, governor, reading):
    visit = make_visit(world.north_a, governor, focus="Phonics", priority=None)
    client.force_login(governor)
    page = client.get(edit_url(visit))
    assert page.status_code == 200 and 'value="Phonics"' in page.content.decode()
    response = client.post(edit_url(visit), form(reading, focus="Phonics catch-up in Year 1",
                                                 visited_on="2025-11-21"))
    assert response.status_code == 302 and response["Location"] == list_url(world.north_a)
    visit.refresh_from_db()
    assert visit.focus == "Phonics catch-up in Year 1" and visit.priority == reading
    assert visit.visited_on == datetime.date(2025, 11, 21) and visit.governor == governor
    listed = text(client.get(list_url(world.north_a)))
    assert "Visit of 21 November 2025 saved: Phonics catch-up in Year 1." in listed


def test_another_governor_of_the_same_academy_cannot_edit_it(client, world, governor, reading):
    other = person(R.GOVERNOR, academy=world.north_a, email="second.governor@trust.test")
    visit = make_visit(world.north_a, other, focus="Their visit")
    client.force_login(governor)
    assert client.get(edit_url(visit)).status_code == 403
    assert client.post(edit_url(visit), form(reading, focus="Rewritten")).status_code == 403
    visit.refresh_from_db()
    assert visit.focus == "Their visit" and visit.priority is None


def test_trust_staff_in_scope_cannot_edit_a_visit_and_others_do_not_find_it(client, world, governor):
    visit = make_visit(world.north_a, governor, focus="Their visit")
    for role in (R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER):
        client.force_login(world[role])
        assert client.get(edit_url(visit)).status_code == 403, role
    south = make_visit(world.south_a, person(R.GOVERNOR, academy=world.south_a, email="g.south@trust.test"))
    client.force_login(world[R.HUB_LEAD])
    assert client.get(edit_url(south)).status_code == 404
    client.force_login(governor)
    assert client.get(edit_url(south)).status_code == 404


def test_an_edit_cannot_move_a_visit_to_another_academys_priority(client, world, governor, reading):
    visit = make_visit(world.north_a, governor, priority=reading)
    elsewhere = make_priority(world.north_b, title="North B's attendance priority", theme="attendance")
    client.force_login(governor)
    response = client.post(edit_url(visit), form(elsewhere, focus="Changed"))
    assert response.status_code == 200
    assert "priority" in response.context["form"].errors
    visit.refresh_from_db()
    assert visit.priority == reading and visit.focus == "Phonics in Year 1"


def test_a_refused_edit_does_not_show_the_refused_text_as_saved(client, world, governor):
    visit = make_visit(world.north_a, governor, focus="Phonics in Year 1")
    client.force_login(governor)
    response = client.post(edit_url(visit), form(focus="A new focus", visited_on="2027-01-01"))
    assert response.status_code == 200
    assert "Edit your record of a visit" in text(response)
    assert "Your record of the visit of 20 November 2025" in text(response)
    visit.refresh_from_db()
    assert visit.focus == "Phonics in Year 1"


def test_the_service_checks_the_priority_and_the_recorder_again(world, governor, reading):
    make_plan(world.north_b)
    elsewhere = make_priority(world.north_b, title="North B's", theme="attendance")
    with pytest.raises(ValidationError):
        services.visit_record(academy=world.north_a, by=governor, visited_on=datetime.date(2026, 1, 5),
                              focus="Reading", notes="Notes.", priority=elsewhere)
    visit = services.visit_record(academy=world.north_a, by=governor, visited_on=datetime.date(2026, 1, 5),
                                  focus="Reading", notes="Notes.", priority=reading)
    other = person(R.GOVERNOR, academy=world.north_a, email="second.governor@trust.test")
    with pytest.raises(PermissionDenied):
        services.visit_edit(visit=visit, by=other, focus="Changed")
