"""The academy's self-evaluation: who records it, what is refused, and how it compares with Ofsted."""

import datetime
import re

import pytest
from django.urls import reverse

from academies.models import SEFJudgement
from tests.access_cases.data import make_inspection, make_sef
from tests.factories import Role


def sef_url(academy):
    return reverse("academies:sef", kwargs={"urn": academy.urn})


def ofsted_url(academy):
    return reverse("academies:ofsted", kwargs={"urn": academy.urn})


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def comparison_row(response, area):
    table = re.search(r'<table class="[^"]*comparison">(.*?)</table>',
                      response.content.decode(), flags=re.S)[1]
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        if flat.startswith(area):
            return flat
    raise AssertionError(f"no comparison row for {area}")


def form(**changes):
    data = {"area": "quality_of_education", "scale": "four_point", "grade": "2",
            "judged_on": "2025-01-10", "rationale": "Curriculum well sequenced in every subject."}
    data.update(changes)
    return data


def test_the_headteacher_records_a_self_evaluation(client, world):
    head = world[Role.HEADTEACHER]
    client.force_login(head)
    response = client.post(sef_url(world.north_a), form())
    assert response.status_code == 302
    judgement = SEFJudgement.objects.get(academy=world.north_a)
    assert (judgement.area, judgement.grade, judgement.entered_by) == ("quality_of_education", "2", head)
    page = text(client.get(ofsted_url(world.north_a)))
    assert "Quality of education Good (2)" in page
    assert "Curriculum well sequenced in every subject." in page
    assert f"by {head.full_name}" in page


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.HUB_LEAD])
def test_executives_and_the_hub_lead_record_it_too(client, world, role):
    client.force_login(world[role])
    assert client.post(sef_url(world.north_b), form()).status_code == 302
    assert SEFJudgement.objects.filter(academy=world.north_b).count() == 1


def test_a_governor_reads_the_sef_but_may_not_record_it(client, world):
    make_sef(world.north_a)
    client.force_login(world[Role.GOVERNOR])
    page = client.get(ofsted_url(world.north_a))
    assert "Quality of education Good (2)" in text(page)
    assert "Record the judgement" not in text(page)
    assert client.post(sef_url(world.north_a), form(judged_on="2025-02-01")).status_code == 403
    assert SEFJudgement.objects.count() == 1


def test_a_headteacher_of_another_academy_gets_404(client, world):
    client.force_login(world[Role.HEADTEACHER])
    assert client.post(sef_url(world.north_b), form()).status_code == 404
    client.force_login(world[Role.HUB_LEAD])
    assert client.post(sef_url(world.south_a), form()).status_code == 404
    assert not SEFJudgement.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"scale": "four_point", "grade": "strong"}, "grade", "Choose a grade on the scale chosen."),
    ({"scale": "five_point", "grade": "strong"}, "area", "That area is not judged on this scale."),
    ({"grade": "7"}, "grade", "Select a valid choice."),
    ({"judged_on": "2099-01-01"}, "judged_on", "cannot be dated in the future"),
    ({"judged_on": ""}, "judged_on", "This field is required."),
])
def test_a_bad_judgement_is_refused_with_the_reason_and_nothing_saved(client, world, changes, field, message):
    client.force_login(world[Role.HEADTEACHER])
    response = client.post(sef_url(world.north_a), form(**changes))
    assert response.status_code == 200
    errors = response.context["sef_form"].errors
    assert any(message in e for e in errors[field]), errors
    assert message in text(response)
    assert not SEFJudgement.objects.exists()


def test_two_judgements_of_one_area_on_one_day_are_refused(client, world):
    make_sef(world.north_a, grade="3")
    client.force_login(world[Role.HEADTEACHER])
    response = client.post(sef_url(world.north_a), form())
    assert "already has a self-evaluation dated 10 January 2025" in text(response)
    assert SEFJudgement.objects.get().grade == "3"


def test_the_latest_judgement_of_each_area_is_shown(client, world):
    make_sef(world.north_a, grade="3", judged_on=datetime.date(2024, 1, 10))
    make_sef(world.north_a, grade="2", judged_on=datetime.date(2025, 1, 10))
    client.force_login(world[Role.GOVERNOR])  # no form, whose grade choices would muddle the page
    page = client.get(ofsted_url(world.north_a))
    assert "Quality of education Good (2)" in text(page)
    assert "Requires improvement (3)" not in text(page)


# --- SEF against the latest inspection ---------------------------------------------------------


@pytest.mark.parametrize(("sef_grade", "verdict"), [
    ("2", "▲ Self-evaluation higher than the inspection: over-graded"),
    ("3", "= Self-evaluation the same as the inspection"),
    ("4", "▼ Self-evaluation lower than the inspection: under-graded"),
])
def test_on_the_same_scale_the_sef_is_marked_higher_same_or_lower(client, world, sef_grade, verdict):
    make_inspection(world.north_a, datetime.date(2024, 10, 8), judgements=[("quality_of_education", "3")])
    make_sef(world.north_a, grade=sef_grade)
    client.force_login(world[Role.GOVERNOR])
    row = comparison_row(client.get(ofsted_url(world.north_a)), "Quality of education")
    # The verdict against the inspection, then the health-check column (none yet).
    assert row.endswith(f"{verdict} Nothing to compare")


def test_on_different_scales_both_are_shown_as_they_are_and_not_compared(client, world):
    make_inspection(world.north_a, datetime.date(2026, 1, 20), safeguarding="met",
                    judgements=[("early_years", "expected", datetime.date(2026, 1, 21))])
    make_sef(world.north_a, area="early_years", grade="2")
    client.force_login(world[Role.GOVERNOR])
    row = comparison_row(client.get(ofsted_url(world.north_a)), "Early years provision")
    assert "Good (2)" in row and "four-point (1 to 4)" in row
    assert "Expected standard" in row and "report card (five-point)" in row
    assert row.endswith("≠ Different scales: not compared Nothing to compare")


def test_areas_judged_by_only_one_side_say_there_is_nothing_to_compare(client, world):
    make_inspection(world.north_a, datetime.date(2024, 10, 8), judgements=[("behaviour_and_attitudes", "2")])
    make_sef(world.north_a, area="inclusion", scale="five_point", grade="strong")
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(ofsted_url(world.north_a))
    assert comparison_row(page, "Behaviour and attitudes").endswith("Nothing to compare")
    assert comparison_row(page, "Inclusion").startswith("Inclusion Strong standard")


def test_an_ungraded_inspection_leaves_the_last_grades_to_compare_with(client, world):
    make_inspection(world.north_a, datetime.date(2023, 2, 6), overall_effectiveness="2",
                    judgements=[("quality_of_education", "2")])
    make_inspection(world.north_a, datetime.date(2025, 3, 4), graded=False,
                    outcome_text="Standards maintained")
    make_sef(world.north_a, grade="2")
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(ofsted_url(world.north_a))
    assert "against the inspection of 6 February 2023" in text(page)
    assert comparison_row(page, "Quality of education").endswith(
        "Self-evaluation the same as the inspection Nothing to compare")
    assert "Outcome (ungraded inspection) Standards maintained" in text(page)


# --- The third column: the latest health check ----------------------------------------------------


def test_the_latest_health_check_is_a_third_column_with_over_and_under_grading(client, world):
    from tests.healthchecks.makers import make_health_check

    make_sef(world.north_a, area="curriculum_and_teaching", scale="five_point", grade="strong",
             judged_on=datetime.date(2025, 10, 1))
    make_sef(world.north_a, area="achievement", scale="five_point", grade="needs_attention",
             judged_on=datetime.date(2025, 10, 1))
    make_health_check(world.north_a, visit_start=datetime.date(2025, 11, 12),
                      judgements=[("curriculum_and_teaching", "expected"), ("achievement", "expected")])
    client.force_login(world[Role.GOVERNOR])
    page = client.get(ofsted_url(world.north_a))
    assert "Latest health check (12 Nov 2025)" in page.content.decode()
    assert comparison_row(page, "Curriculum and teaching").endswith(
        "▲ Self-evaluation higher than the health check: over-graded")
    assert comparison_row(page, "Achievement").endswith(
        "▼ Self-evaluation lower than the health check: under-graded")


def test_a_governor_compares_only_with_a_published_health_check(client, world):
    from healthchecks.models import HealthCheck
    from tests.healthchecks.makers import make_health_check

    make_sef(world.north_a, area="achievement", scale="five_point", grade="expected",
             judged_on=datetime.date(2025, 10, 1))
    make_health_check(world.north_a, visit_start=datetime.date(2025, 11, 12),
                      judgements=[("achievement", "expected")])
    make_health_check(world.north_a, status=HealthCheck.Status.DRAFT, visit_start=datetime.date(2026, 2, 3),
                      judgements=[("achievement", "urgent_improvement")])
    client.force_login(world[Role.GOVERNOR])
    page = client.get(ofsted_url(world.north_a)).content.decode()
    assert "Latest health check (12 Nov 2025)" in page and "3 Feb 2026" not in page
    client.force_login(world[Role.SIEL])
    page = client.get(ofsted_url(world.north_a)).content.decode()
    assert "Latest health check (3 Feb 2026, draft)" in page
