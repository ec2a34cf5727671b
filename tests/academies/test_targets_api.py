"""/api/v1/targets/: the same workflow as the pages, under the same rules: each step an action,
400 with the reason when the state refuses it, 403 for the wrong role, 404 outside scope."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from academies.models import Target
from tests.access_cases.targets import make_target
from tests.factories import Role
from tests.utils import queries_for

S = Target.Status


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def as_(client, world, role):
    client.force_login(world[role])
    return client


def step(client, name, target, body=None):
    url = reverse(f"api:target-{name}", kwargs={"uuid": target.uuid})
    return client.post(url, body or {}, content_type="application/json")


def status_of(target):
    target.refresh_from_db()
    return target.status


LIST = reverse("api:target-list")


def test_the_list_is_scoped_and_filtered_by_academy_year_and_status(client, world):
    mine = make_target(world.north_a, S.PROPOSED, start_year=2025)
    make_target(world.north_a, S.DRAFT, start_year=2024)
    make_target(world.south_a, S.PROPOSED, start_year=2025)
    client = as_(client, world, Role.GOVERNOR)
    assert {row["academy"] for row in client.get(LIST).json()["results"]} == {world.north_a.urn}
    found = client.get(LIST, {"academy": world.north_a.urn, "year": "2025/26", "status": "proposed"}).json()
    assert [row["uuid"] for row in found["results"]] == [str(mine.uuid)]
    assert client.get(LIST, {"academy": world.south_a.urn}).json()["results"] == []
    bad = client.get(LIST, {"status": "approved", "year": "2025-26"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"status", "year"}


def test_a_target_reads_with_its_progress_deadline_and_history(client, world):
    target = make_target(world.north_a, S.DRAFT, start_year=2025, progress=Target.Progress.OFF_TRACK,
                         progress_value=Decimal("58"))
    client = as_(client, world, Role.HEADTEACHER)
    step(client, "propose", target)
    data = client.get(reverse("api:target-detail", kwargs={"uuid": target.uuid})).json()
    assert data["academy"] == world.north_a.urn and data["academic_year"] == "2025/26"
    assert data["measure"] == "ks2_expected" and data["value"] == "70.00"
    assert (data["status"], data["status_label"]) == ("proposed", "Proposed")
    assert (data["progress"], data["progress_label"], data["overdue"]) == ("off_track", "Off track", False)
    assert data["proposed_by"] == world[Role.HEADTEACHER].full_name
    assert [(e["action"], e["by"], e["from_status"], e["to_status"]) for e in data["events"]] == [
        ("proposed", world[Role.HEADTEACHER].full_name, "draft", "proposed")]


def test_overdue_after_the_boards_deadline(client, world):
    target = make_target(world.north_a, S.REVIEWED, start_year=2025)
    with time_machine.travel(datetime.datetime(2025, 11, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        data = as_(client, world, Role.TRUSTEE).get(
            reverse("api:target-detail", kwargs={"uuid": target.uuid})).json()
    assert data["overdue"] is True


def test_a_headteacher_creates_a_draft(client, world):
    body = {"academy": world.north_a.urn, "academic_year": "2025/26", "measure": "ks2_expected",
            "pupil_group": "disadvantaged", "subject": "rwm", "value": "58.5", "rationale": "Close the gap."}
    response = as_(client, world, Role.HEADTEACHER).post(LIST, body, content_type="application/json")
    assert response.status_code == 201
    target = Target.objects.get()
    assert response.json()["uuid"] == str(target.uuid)
    assert (target.status, target.value, target.created_by) == (S.DRAFT, Decimal("58.5"),
                                                                world[Role.HEADTEACHER])
    assert [e["action"] for e in response.json()["events"]] == ["created"]


@pytest.mark.parametrize(("change", "field"), [
    ({"measure": "ks4_attainment8"}, "measure"),  # a secondary measure at a primary
    ({"measure": "pupil_premium"}, "measure"),  # a context figure
    ({"academic_year": "2022/23"}, "academic_year"),
    ({"academy": "100003"}, "academy"),  # out of the headteacher's scope: as if it did not exist
    ({"value": "120"}, "value"),  # a percentage over 100, refused by the model
])
def test_a_create_that_breaks_a_rule_is_400_and_adds_nothing(client, world, change, field):
    body = {"academy": world.north_a.urn, "academic_year": "2025/26", "measure": "ks2_expected",
            "subject": "rwm", "value": "70", **change}
    response = as_(client, world, Role.HEADTEACHER).post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Target.objects.exists()


def test_the_same_figure_twice_is_400(client, world):
    make_target(world.north_a, start_year=2025)
    body = {"academy": world.north_a.urn, "academic_year": "2025/26", "measure": "ks2_expected",
            "subject": "rwm", "value": "72"}
    response = as_(client, world, Role.EXECUTIVE).post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert Target.objects.count() == 1


def test_a_governor_may_not_create(client, world):
    body = {"academy": world.north_a.urn, "academic_year": "2025/26", "measure": "ks2_expected",
            "value": "70"}
    response = as_(client, world, Role.GOVERNOR).post(LIST, body, content_type="application/json")
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_a_draft_is_changed_with_patch_and_only_a_draft(client, world):
    draft = make_target(world.north_a, start_year=2025)
    client = as_(client, world, Role.HEADTEACHER)
    url = reverse("api:target-detail", kwargs={"uuid": draft.uuid})
    response = client.patch(url, {"value": "73", "rationale": "Stronger cohort."},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["value"] == "73.00"
    assert response.json()["events"][-1]["changes"]["rationale"] == ["", "Stronger cohort."]
    assert client.patch(url, {"academic_year": "2026/27"}, content_type="application/json").status_code == 400
    step(client, "propose", draft)
    refused = client.patch(url, {"value": "60"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Only a draft can be edited")
    draft.refresh_from_db()
    assert draft.value == Decimal("73")


def test_the_whole_year_through_the_api(client, world):
    target = make_target(world.north_a, start_year=2025)
    assert step(as_(client, world, Role.HEADTEACHER), "propose", target).json()["status"] == "proposed"
    reviewed = step(as_(client, world, Role.GOVERNOR), "review", target, {"comments": "Ambitious; agreed."})
    assert (reviewed.json()["status"], reviewed.json()["lgb_comments"]) == ("reviewed", "Ambitious; agreed.")
    agreed = step(as_(client, world, Role.TRUSTEE), "agree", target,
                  {"meeting": "2025-09-30", "minute": "TB 6"})
    assert agreed.status_code == 200
    assert (agreed.json()["status"], agreed.json()["board_meeting"], agreed.json()["board_minute"]) == (
        "agreed", "2025-09-30", "TB 6")
    amended = step(as_(client, world, Role.EXECUTIVE), "amend", target,
                   {"value": "68", "reason": "Ten pupils joined with EHC plans."})
    assert amended.status_code == 200 and amended.json()["value"] == "68.00"
    last = amended.json()["events"][-1]
    assert (last["action"], last["by"], last["reason"]) == (
        "amended", world[Role.EXECUTIVE].full_name, "Ten pupils joined with EHC plans.")
    assert [Decimal(v) for v in last["changes"]["value"]] == [70, 68]


@pytest.mark.parametrize(("name", "status", "body", "message"), [
    ("agree", S.DRAFT, {"meeting": "2025-09-30"}, "This target is a draft"),
    ("review", S.DRAFT, {"comments": "Fine."}, "This target is a draft"),
    ("propose", S.AGREED, {}, "This target is agreed by the Trust Board"),
    ("review", S.PROPOSED, {"comments": "  "}, "Record the LGB's comments"),
    ("agree", S.REVIEWED, {"meeting": "2025-10-20"}, "The board meeting cannot be in the future"),
    ("amend", S.AGREED, {"value": "60"}, "A change to an agreed target needs a reason."),
    ("amend", S.AGREED, {"value": "70", "reason": "No change."}, "Nothing was changed."),
    ("amend", S.REVIEWED, {"value": "60", "reason": "Why not."}, "Only an agreed target is amended"),
    ("return", S.PROPOSED, {"comments": ""}, "Say why the target goes back to draft."),
])
def test_a_step_the_state_refuses_is_400_with_the_reason_and_changes_nothing(
    client, world, name, status, body, message
):
    target = make_target(world.north_a, status, start_year=2025)
    role = {"review": Role.GOVERNOR, "propose": Role.HEADTEACHER}.get(name, Role.EXECUTIVE)
    response = step(as_(client, world, role), name, target, body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert status_of(target) == status and target.value == Decimal("70")
    assert not target.events.exists()


@pytest.mark.parametrize(("name", "status", "body", "roles"), [
    ("propose", S.DRAFT, {}, [Role.GOVERNOR, Role.TRUSTEE, Role.SIEL]),
    ("review", S.PROPOSED, {"comments": "Fine."}, [Role.HEADTEACHER, Role.EXECUTIVE, Role.TRUSTEE]),
    ("agree", S.REVIEWED, {"meeting": "2025-09-30"}, [Role.HEADTEACHER, Role.GOVERNOR, Role.HUB_LEAD]),
    ("amend", S.AGREED, {"value": "1", "reason": "x"}, [Role.HEADTEACHER, Role.GOVERNOR, Role.HUB_LEAD]),
    ("return", S.PROPOSED, {"comments": "x"}, [Role.SIEL, Role.DATA_MANAGER, Role.ACADEMY_DATA_MANAGER]),
])
def test_the_wrong_role_is_403_and_changes_nothing(client, world, name, status, body, roles):
    target = make_target(world.north_a, status, start_year=2025)
    for role in roles:
        assert step(as_(client, world, role), name, target, body).status_code == 403, role
    assert status_of(target) == status and not target.events.exists()


def test_out_of_scope_is_404_for_reading_and_every_step(client, world):
    target = make_target(world.south_a, S.PROPOSED, start_year=2025)
    client = as_(client, world, Role.GOVERNOR)
    assert client.get(reverse("api:target-detail", kwargs={"uuid": target.uuid})).status_code == 404
    for name in ("propose", "review", "return", "agree", "amend"):
        assert step(client, name, target, {"comments": "x"}).status_code == 404, name
    assert status_of(target) == S.PROPOSED


def test_the_schema_documents_the_steps(client, world):
    schema = as_(client, world, Role.HEADTEACHER).get(reverse("api-schema"), {"format": "json"}).json()
    for name in ("propose", "review", "return", "agree", "amend"):
        operation = schema["paths"][f"/api/v1/targets/{{uuid}}/{name}/"]["post"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"]), name
    agree = schema["paths"]["/api/v1/targets/{uuid}/agree/"]["post"]
    body = agree["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"meeting", "minute"}
    listed = {p["name"] for p in schema["paths"]["/api/v1/targets/"]["get"]["parameters"]}
    assert {"academy", "year", "status"} <= listed


def test_the_list_costs_the_same_queries_for_few_targets_or_many(client, world):
    client = as_(client, world, Role.EXECUTIVE)
    for academy in (world.north_a, world.south_a):
        step(client, "propose", make_target(academy, start_year=2025))
    _, few = queries_for(client, LIST)
    for group in ("boys", "girls", "eal", "sen"):
        for academy in (world.north_b, world.south_b):
            step(client, "propose", make_target(academy, start_year=2025, pupil_group=group))
    response, many = queries_for(client, LIST)
    assert response.json()["count"] == 10
    assert len(many) == len(few), "\n".join(many)
