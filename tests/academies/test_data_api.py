"""The read API of measures, results, inspections and the SEF: filters, scope and suppression."""

import datetime

import pytest
from django.urls import reverse

from tests.access_cases.data import make_comparator, make_inspection, make_result, make_sef
from tests.factories import Role
from tests.utils import queries_for

RESULTS = reverse("api:result-list")
INSPECTIONS = reverse("api:inspection-list")
SEF = reverse("api:sef-list")


def results(client, **params):
    response = client.get(RESULTS, params)
    assert response.status_code == 200, response.content
    return response.json()


def figures(body):
    return sorted((r["academy"], r["measure"], r["academic_year"], r["pupil_group"], r["value"])
                  for r in body["results"])


@pytest.fixture
def spread(world):
    """Results in every academy, two measures, two years, two groups and both sources."""
    for academy in (world.north_a, world.north_b, world.south_a):
        make_result(academy, value="64", start_year=2024)
        make_result(academy, value="60", start_year=2023)
        make_result(academy, value="50", start_year=2024, pupil_group="disadvantaged")
        make_result(academy, "attendance", value="95.1", subject="", start_year=2024)
    make_result(world.north_a, "attendance", value="94.0", subject="", term=1, source="in_year")


def test_the_catalogue_of_measures(client, world):
    client.force_login(world[Role.GOVERNOR])
    body = client.get(reverse("api:measure-list"), {"page_size": 100}).json()
    assert body["count"] >= 40
    codes = {m["code"] for m in body["results"]}
    assert {"ks2_expected", "attendance", "persistent_absence"} <= codes
    absence = client.get(reverse("api:measure-detail", kwargs={"code": "persistent_absence"})).json()
    assert absence["higher_is_better"] is False and absence["unit"] == "percent"
    assert client.get(reverse("api:measure-detail", kwargs={"code": "nothing"})).status_code == 404


def test_results_are_scoped_to_what_the_caller_sees(client, world, spread):
    client.force_login(world[Role.GOVERNOR])
    assert {r["academy"] for r in results(client)["results"]} == {"100001"}
    client.force_login(world[Role.HUB_LEAD])
    assert {r["academy"] for r in results(client)["results"]} == {"100001", "100002"}
    assert results(client, academy="100003")["count"] == 0  # out of scope: as if it had none


def test_results_filter_by_academy_measure_year_group_and_source(client, world, spread):
    client.force_login(world[Role.EXECUTIVE])
    assert results(client)["count"] == 13
    body = results(client, academy="100001", measure="ks2_expected", year="2024/25", group="all")
    assert figures(body) == [("100001", "ks2_expected", "2024/25", "all", "64.0000")]
    assert results(client, academy="100002", year="2023/24")["count"] == 1
    assert results(client, group="disadvantaged")["count"] == 3
    in_year = results(client, source="in_year")["results"]
    assert [(r["academy"], r["measure"], r["term"]) for r in in_year] == [("100001", "attendance", 1)]


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"year": "2024"}, "year", "Give the academic year as, for example, 2024/25."),
    ({"year": "2024/26"}, "year", "is not an academic year"),
    ({"group": "everyone"}, "group", "Choose one of: all, disadvantaged"),
    ({"source": "rumour"}, "source", "Choose one of: published, in_year."),
])
def test_a_bad_filter_is_refused_with_the_reason(client, world, params, field, message):
    client.force_login(world[Role.EXECUTIVE])
    response = client.get(RESULTS, params)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_a_result_carries_its_comparators_and_where_it_came_from(client, world):
    result = make_result(world.north_a, value="64", cohort=58)
    make_comparator(value="61")
    make_comparator(value="60", area="la", area_name="Testshire")
    make_result(world.north_a, "ks2_higher", value=None)
    client.force_login(world[Role.HEADTEACHER])
    body = client.get(reverse("api:result-detail", kwargs={"uuid": result.uuid})).json()
    assert body["value"] == "64.0000" and body["cohort"] == 58
    assert body["national"]["value"] == "61.0000"
    assert body["la"] == {"area_name": "Testshire", "value": "60.0000", "state": "", "symbol": ""}
    suppressed = results(client, measure="ks2_higher")["results"][0]
    assert suppressed["value"] is None
    assert (suppressed["state"], suppressed["symbol"], suppressed["raw"]) == ("suppressed", "c", "c")
    assert suppressed["national"] is None


def test_a_governor_gets_small_groups_without_their_figure(client, world):
    small = make_result(world.north_a, value="45", cohort=4, pupil_group="eal", raw="45%")
    make_result(world.north_a, value="64", cohort=58)
    detail = reverse("api:result-detail", kwargs={"uuid": small.uuid})
    client.force_login(world[Role.GOVERNOR])
    hidden = client.get(detail).json()
    assert (hidden["value"], hidden["raw"], hidden["cohort"]) == (None, "", None)
    assert hidden["state"] == "small_cohort"
    listed = {r["pupil_group"]: r for r in results(client)["results"]}
    assert listed["eal"]["value"] is None and listed["all"]["value"] == "64.0000"
    client.force_login(world[Role.EXECUTIVE])
    shown = client.get(detail).json()
    assert (shown["value"], shown["raw"], shown["cohort"]) == ("45.0000", "45%", 4)


def test_objects_out_of_scope_are_404(client, world):
    result = make_result(world.south_a)
    inspection = make_inspection(world.south_a)
    sef = make_sef(world.south_a)
    client.force_login(world[Role.HUB_LEAD])
    for name, obj in (("api:result-detail", result), ("api:inspection-detail", inspection),
                      ("api:sef-detail", sef)):
        assert client.get(reverse(name, kwargs={"uuid": obj.uuid})).status_code == 404
    assert client.get(INSPECTIONS).json()["count"] == 0
    assert client.get(SEF).json()["count"] == 0


def test_the_results_list_costs_the_same_queries_however_long(client, world):
    client.force_login(world[Role.GOVERNOR])
    make_result(world.north_a, value="64", cohort=58)
    _, one = queries_for(client, RESULTS)
    for start_year in range(2015, 2024):
        make_result(world.north_a, value="60", start_year=start_year, cohort=3)
        make_comparator(value="61", start_year=start_year)
    response, many = queries_for(client, RESULTS)
    assert response.json()["count"] == 10
    # session, user, memberships, count, page of results, comparators, session save
    assert len(one) == len(many) == 7


def test_inspections_with_their_judgements_in_their_own_framework(client, world):
    make_inspection(world.north_a, datetime.date(2019, 5, 14), urn_at_inspection="999003",
                    overall_effectiveness="1", judgements=[("quality_of_education", "1")])
    make_inspection(world.north_a, datetime.date(2026, 1, 20), safeguarding="met",
                    areas_for_improvement="Sharpen early reading.\n\nCheck attendance.",
                    judgements=[("inclusion", "strong", datetime.date(2026, 1, 22))])
    make_inspection(world.south_a, datetime.date(2024, 10, 8), judgements=[("quality_of_education", "3")])
    client.force_login(world[Role.EXECUTIVE])
    body = client.get(INSPECTIONS, {"academy": "100001"}).json()
    newest, oldest = body["results"]
    assert newest["framework"] == "report_card" and newest["scale"] == "five_point"
    assert newest["judgements"] == [{"area": "inclusion", "area_label": "Inclusion", "grade": "strong",
                                     "label": "Strong standard", "grade_date": "2026-01-22"}]
    assert newest["safeguarding"] == "met" and newest["overall_effectiveness_label"] == "Not judged"
    assert newest["areas_for_improvement"] == ["Sharpen early reading.", "Check attendance."]
    assert newest["next_due"] == "2030-01-20" and newest["of_predecessor"] is False
    assert oldest["overall_effectiveness_label"] == "Outstanding"
    assert oldest["of_predecessor"] is True and oldest["urn_at_inspection"] == "999003"
    assert client.get(INSPECTIONS).json()["count"] == 3


def test_sef_judgements_filtered_by_academy(client, world):
    make_sef(world.north_a, entered_by=world[Role.HEADTEACHER])
    make_sef(world.north_b, area="inclusion", scale="five_point", grade="expected")
    client.force_login(world[Role.HUB_LEAD])
    body = client.get(SEF, {"academy": "100001"}).json()
    assert body["count"] == 1
    judgement = body["results"][0]
    assert (judgement["area_label"], judgement["label"], judgement["entered_by"]) == (
        "Quality of education", "Good", world[Role.HEADTEACHER].full_name
    )
    assert client.get(SEF).json()["count"] == 2
    client.force_login(world[Role.GOVERNOR])
    assert client.get(SEF).json()["count"] == 1


def test_the_schema_documents_the_404s(client, world):
    client.force_login(world[Role.EXECUTIVE])
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("/api/v1/results/{uuid}/", "/api/v1/inspections/{uuid}/", "/api/v1/sef/{uuid}/",
                 "/api/v1/measures/{code}/"):
        assert "404" in schema["paths"][path]["get"]["responses"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/results/"]["get"]["parameters"]}
    assert {"academy", "measure", "year", "group", "source", "page"} <= parameters
