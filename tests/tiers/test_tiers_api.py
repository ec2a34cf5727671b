"""/api/v1/ tiers: definitions, decisions, recommendations and support, under the same rules as
the pages. Recommendations and their trace are for trust staff only; out of scope is 404 exactly
as missing, and nothing is written; a stale edit is 412; workflow fields sent are ignored."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.access_cases.api_tiers import TRACE, make_entry, make_item, make_proposal, make_recommendation
from tests.factories import Role
from tests.healthchecks.makers import make_health_check
from tests.utils import queries_for
from tiers.models import SupportItem, SupportLogEntry, TierAssignment, TierDefinition, TierEvent
from trust.models import AcademicYear

S = TierAssignment.Status
DEFINITIONS = reverse("api:tier-definition-list")
ASSIGNMENTS = reverse("api:tier-assignment-list")
RECOMMENDATIONS = reverse("api:tier-recommendation-list")
ITEMS = reverse("api:support-item-list")
LOG = reverse("api:support-log-entry-list")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def as_(client, world, role):
    client.force_login(world[role])
    return client


def detail(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def post(client, url, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def patch(client, url, body, **extra):
    return client.patch(url, body, content_type="application/json", **extra)


def keys(response, key="uuid"):
    assert response.status_code == 200, response.content
    return {str(row[key]) for row in response.json()["results"]}


def proposal_url(assignment, step=None):
    name = f"tier-assignment-{step}" if step else "tier-assignment-detail"
    return detail(name, uuid=assignment.uuid)


# ---------------------------------------------------------------------------------------------
# Recommendations


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HEADTEACHER, Role.ACADEMY_DATA_MANAGER])
def test_academy_roles_find_no_recommendation_in_a_list_or_a_detail(client, world, role):
    recommendation = make_recommendation(world.north_a)
    client = as_(client, world, role)
    listed = client.get(RECOMMENDATIONS)
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    assert client.get(detail("tier-recommendation-detail", pk=recommendation.pk)).status_code == 404


def test_an_executive_reads_the_trace_and_filters_by_academy_year_and_current(client, world):
    current = make_recommendation(world.north_a)
    earlier = make_recommendation(world.north_a, tier=3, current=False)
    elsewhere = make_recommendation(world.south_a)
    client = as_(client, world, Role.EXECUTIVE)

    answer = client.get(detail("tier-recommendation-detail", pk=current.pk)).json()
    assert answer["trace"] == TRACE
    assert answer["tier"] == 2
    assert answer["missing"] == ["Open risks by score"]
    assert answer["academic_year"] == {"label": "2025/26", "start_year": 2025}

    assert keys(client.get(RECOMMENDATIONS), "id") == {str(r.pk) for r in (current, earlier, elsewhere)}
    mine = {"academy": world.north_a.urn, "year": 2025}
    assert keys(client.get(RECOMMENDATIONS, {**mine, "current": "true"}), "id") == {str(current.pk)}
    assert keys(client.get(RECOMMENDATIONS, {**mine, "current": "false"}), "id") == {str(earlier.pk)}
    assert keys(client.get(RECOMMENDATIONS, {"year": 2024}), "id") == set()
    refused = client.get(RECOMMENDATIONS, {"year": "last", "current": "maybe"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"year", "current"}


def test_a_hub_lead_reads_the_recommendations_of_their_hub_only(client, world):
    mine = make_recommendation(world.north_b)
    other = make_recommendation(world.south_a)
    client = as_(client, world, Role.HUB_LEAD)
    assert keys(client.get(RECOMMENDATIONS), "id") == {str(mine.pk)}
    assert client.get(detail("tier-recommendation-detail", pk=other.pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Decisions


def test_a_proposal_through_the_api_is_recorded_with_its_history_and_ignores_workflow_fields(
    client, world
):
    recommendation = make_recommendation(world.north_a)
    client = as_(client, world, Role.HUB_LEAD)
    response = post(client, ASSIGNMENTS, {
        "academy": world.north_a.urn, "year": 2025, "tier": 3,
        "rationale": "Attendance is well below national and falling.",
        "status": "agreed", "board_meeting": "2026-01-10", "decided_by": "exec@trust.test", "kind": "joining",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assignment = TierAssignment.objects.get(uuid=body["uuid"])
    assert (assignment.status, assignment.tier, assignment.kind) == (S.PROPOSED, 3, "annual")
    assert assignment.board_meeting is None and assignment.proposed_by == world[Role.HUB_LEAD]
    assert body["status"] == "proposed" and body["decided_by"] is None
    assert body["academic_year"] == {"label": "2025/26", "start_year": 2025}
    assert body["recommendation"] == recommendation.pk
    assert [(e["action"], e["by"], e["to_status"]) for e in body["history"]] == [
        ("proposed", world[Role.HUB_LEAD].full_name or world[Role.HUB_LEAD].email, "proposed")
    ]
    assert response["ETag"] == '"1"'

    # The governor reads the decision, but not which recommendation it was made beside.
    governor = as_(client, world, Role.GOVERNOR).get(proposal_url(assignment))
    assert governor.status_code == 200
    assert governor.json()["tier"] == 3 and "recommendation" not in governor.json()
    assert "recommendation" not in as_(client, world, Role.GOVERNOR).get(ASSIGNMENTS).json()["results"][0]


def test_a_governor_may_not_propose_and_nothing_is_written(client, world):
    response = post(as_(client, world, Role.GOVERNOR), ASSIGNMENTS,
                    {"academy": world.north_a.urn, "tier": 3, "rationale": "Falling attendance."})
    assert response.status_code == 403
    assert not TierAssignment.objects.exists()


def test_a_hub_lead_outside_their_hub_gets_404_and_nothing_is_written(client, world):
    client = as_(client, world, Role.HUB_LEAD)
    forged = post(client, ASSIGNMENTS, {"academy": world.south_a.urn, "tier": 3, "rationale": "Falling."})
    assert forged.status_code == 404
    assert not TierAssignment.objects.exists()

    elsewhere = make_proposal(world.south_a)
    assert client.get(proposal_url(elsewhere)).status_code == 404
    assert patch(client, proposal_url(elsewhere), {"version": 1, "tier": 4}).status_code == 404
    assert post(client, proposal_url(elsewhere, "withdraw"), {"reason": "Wrong year."}).status_code == 404
    assert post(client, proposal_url(elsewhere, "agree"), {"board_meeting": "2026-04-20"}).status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.status, elsewhere.tier, elsewhere.version) == (S.PROPOSED, 2, 1)
    assert not TierEvent.objects.exists()
    assert keys(client.get(ASSIGNMENTS)) == set()


def test_a_stale_edit_is_412_by_version_or_if_match_and_overwrites_nothing(client, world):
    assignment = make_proposal(world.north_a)
    client = as_(client, world, Role.EXECUTIVE)
    url = proposal_url(assignment)

    first = patch(client, url, {"version": 1, "tier": 3})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2 and first["ETag"] == '"2"'
    assert first.json()["history"][-1]["changes"] == {"tier": ["2", "3"]}

    stale_body = patch(client, url, {"version": 1, "tier": 4})
    stale_header = patch(client, url, {"tier": 4}, HTTP_IF_MATCH='"1"')
    assert stale_body.status_code == stale_header.status_code == 412
    assignment.refresh_from_db()
    assert (assignment.tier, assignment.version) == (3, 2)

    assert patch(client, url, {"tier": 4}).status_code == 400  # no version at all
    fresh = patch(client, url, {"tier": 4, "rationale": "Attendance fell again."}, HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200
    assert (fresh.json()["tier"], fresh.json()["rationale"]) == (4, "Attendance fell again.")


def test_the_board_agrees_a_proposal_through_the_api_and_the_support_schedule_follows(client, world):
    assignment = make_proposal(world.north_a, by=world[Role.EXECUTIVE])
    url = proposal_url(assignment, "agree")
    assert post(as_(client, world, Role.GOVERNOR), url, {"board_meeting": "2026-04-20"}).status_code == 403

    client = as_(client, world, Role.TRUSTEE)
    future = post(client, url, {"board_meeting": "2026-06-20"})
    assert future.status_code == 400 and "board_meeting" in future.json()
    stale = post(client, url, {"board_meeting": "2026-04-20", "version": 7})
    assert stale.status_code == 412

    agreed = post(client, url,
                  {"board_meeting": "2026-04-20", "board_minute": "TB/25/14", "status": "declined"})
    assert agreed.status_code == 200, agreed.content
    body = agreed.json()
    assert (body["status"], body["board_minute"]) == ("agreed", "TB/25/14")
    assert body["effective_from"] == "2025-09-01"  # an annual tier applies from the year's start
    assert body["decided_by"] == (world[Role.TRUSTEE].full_name or world[Role.TRUSTEE].email)
    assert [e["action"] for e in body["history"]] == ["agreed"]
    owed = as_(client, world, Role.HEADTEACHER).get(ITEMS, {"academy": world.north_a.urn})
    assert owed.json()["count"] == SupportItem.objects.filter(assignment=assignment).count() > 0

    again = post(as_(client, world, Role.TRUSTEE), url, {"board_meeting": "2026-04-20"})
    assert again.status_code == 400
    assert "no longer open" in again.json()["detail"]


def test_declining_and_withdrawing_need_their_reason_and_keep_it(client, world):
    declined = make_proposal(world.north_a)
    client = as_(client, world, Role.EXECUTIVE)
    no_reason = post(client, proposal_url(declined, "decline"), {"board_meeting": "2026-04-20"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    answer = post(client, proposal_url(declined, "decline"),
                  {"board_meeting": "2026-04-20", "reason": "Wait for the summer results."})
    assert answer.json()["status"] == "declined"
    assert answer.json()["history"][-1]["reason"] == "Wait for the summer results."

    withdrawn = make_proposal(world.north_a)
    client = as_(client, world, Role.SIEL)
    answer = post(client, proposal_url(withdrawn, "withdraw"), {"reason": "Wrong year."})
    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"


def test_the_decision_list_filters_by_academy_year_and_status(client, world):
    open_a = make_proposal(world.north_a)
    make_proposal(world.north_b, status=S.DECLINED)
    make_proposal(world.north_a, year=AcademicYear.objects.get_or_create(start_year=2024)[0])
    client = as_(client, world, Role.EXECUTIVE)
    assert keys(client.get(ASSIGNMENTS, {"academy": world.north_a.urn, "year": 2025})) == {str(open_a.uuid)}
    assert keys(client.get(ASSIGNMENTS, {"status": "proposed", "year": 2025})) == {str(open_a.uuid)}
    refused = client.get(ASSIGNMENTS, {"status": "maybe", "year": "1066"})
    assert refused.status_code == 400 and set(refused.json()) == {"status", "year"}


# ---------------------------------------------------------------------------------------------
# Definitions


def _definition_body(version, name="Flourish"):
    return {
        "version": version, "name": name, "led_by": "academy", "summary": "Good schools getting better.",
        "descriptors": [{"area": "teaching", "text": "Teaching is consistently good."}],
        "entitlements": [{"kind": "ceo_one_to_one", "cadence": "termly",
                          "description": "A one-to-one with the chief executive each term."}],
    }


def test_everyone_reads_the_definitions_and_only_the_trust_changes_them(client, world):
    listed = as_(client, world, Role.GOVERNOR).get(DEFINITIONS, {"year": 2025})
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["number"] for row in rows] == [1, 2, 3, 4]
    assert all(row["descriptors"] and row["academic_year"]["start_year"] == 2025 for row in rows)
    second = rows[1]
    url = detail("tier-definition-detail", pk=second["id"])

    assert client.put(url, _definition_body(1), content_type="application/json").status_code == 403
    client = as_(client, world, Role.EXECUTIVE)
    changed = client.put(url, _definition_body(1), content_type="application/json")
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["name"], body["label"], body["version"]) == ("Flourish", "Tier 2 Flourish", 2)
    assert body["entitlements"] == [{
        "kind": "ceo_one_to_one", "kind_label": "CEO one-to-one", "cadence": "termly",
        "cadence_label": "Every term", "description": "A one-to-one with the chief executive each term.",
        "scheduled": True,
    }]
    stale = client.put(url, _definition_body(1, name="Bloom"), content_type="application/json")
    assert stale.status_code == 412
    assert TierDefinition.objects.get(pk=second["id"]).name == "Flourish"
    assert client.get(DEFINITIONS, {"year": "soon"}).status_code == 400


# ---------------------------------------------------------------------------------------------
# Support


def test_support_logged_through_the_api_settles_the_item_owed(client, world):
    item = make_item(world.north_a, due_on=datetime.date(2026, 4, 20))
    client = as_(client, world, Role.HUB_LEAD)
    assert keys(client.get(ITEMS, {"overdue": "true"})) == {str(item.uuid)}

    given = {"academy": world.north_a.urn, "kind": "ceo_one_to_one", "held_on": "2026-04-28"}
    logged = post(client, LOG, {**given, "led_by": "Chief executive", "notes": "Reviewed the plan."})
    assert logged.status_code == 201, logged.content
    entry = logged.json()
    assert entry["settled"] == str(item.uuid)

    settled = client.get(detail("support-item-detail", uuid=item.uuid)).json()
    assert (settled["status"], settled["delivered_by"]) == ("delivered", entry["uuid"])
    assert settled["delivered_late"] is True and settled["overdue"] is False
    assert keys(client.get(ITEMS, {"overdue": "true"})) == set()
    assert keys(client.get(LOG, {"kind": "ceo_one_to_one", "since": "2026-04-01"})) == {entry["uuid"]}

    future = post(client, LOG, {**given, "held_on": "2026-05-02"})
    assert future.status_code == 400
    assert future.json()["held_on"] == ["Record support once it has been given: that date is in the future."]
    assert SupportLogEntry.objects.count() == 1


def test_support_for_a_forged_academy_outside_scope_is_404_and_nothing_is_logged(client, world):
    make_item(world.south_a)
    response = post(as_(client, world, Role.HUB_LEAD), LOG,
                    {"academy": world.south_a.urn, "kind": "ceo_one_to_one", "held_on": "2026-04-28"})
    assert response.status_code == 404
    assert not SupportLogEntry.objects.exists()
    assert not SupportItem.objects.filter(status=SupportItem.Status.DELIVERED).exists()


def test_an_entry_logged_by_a_health_check_is_not_deleted_here_and_one_in_error_is(client, world):
    from_report = make_entry(world.north_a, kind="health_check", source=SupportLogEntry.Source.HEALTH_CHECK,
                             health_check=make_health_check(world.north_a))
    client = as_(client, world, Role.EXECUTIVE)
    refused = client.delete(detail("support-log-entry-detail", uuid=from_report.uuid))
    assert refused.status_code == 400
    assert "removed with the report" in refused.json()["detail"]
    assert SupportLogEntry.objects.filter(pk=from_report.pk).exists()

    item = make_item(world.north_a, due_on=datetime.date(2026, 4, 20))
    in_error = make_entry(world.north_a, held_on=datetime.date(2026, 4, 10))
    item.status, item.delivered_by_entry = SupportItem.Status.DELIVERED, in_error
    item.save()
    assert client.delete(detail("support-log-entry-detail", uuid=in_error.uuid)).status_code == 204
    item.refresh_from_db()
    assert (item.status, item.delivered_by_entry) == (SupportItem.Status.OWED, None)


# ---------------------------------------------------------------------------------------------
# Costs and the schema


def _grow_assignments(world, academies):
    for academy in academies:
        proposal = make_proposal(academy, by=world[Role.EXECUTIVE],
                                 recommendation=make_recommendation(academy))
        proposal.events.create(action="proposed", by=world[Role.EXECUTIVE], to_status="proposed")


def _grow_recommendations(world, academies):
    for academy in academies:
        make_recommendation(academy)


def _grow_support(world, academies):
    for academy in academies:
        item = make_item(academy)
        item.status = SupportItem.Status.DELIVERED
        item.delivered_by_entry = make_entry(academy, recorded_by=world[Role.SIEL])
        item.save()


@pytest.mark.parametrize(("url", "grow"), [
    (ASSIGNMENTS, _grow_assignments), (RECOMMENDATIONS, _grow_recommendations), (ITEMS, _grow_support),
    (LOG, _grow_support),
])
def test_each_list_costs_the_same_queries_for_few_rows_or_many(client, world, url, grow):
    client = as_(client, world, Role.EXECUTIVE)
    grow(world, [world.north_a])
    _, few = queries_for(client, url)
    grow(world, [world.north_b, world.south_a, world.south_b])
    response, many = queries_for(client, url)
    assert response.json()["count"] == 4
    assert len(many) == len(few), "\n".join(many)


def test_the_definitions_list_costs_the_same_queries_once_a_year_has_them(client, world):
    client = as_(client, world, Role.EXECUTIVE)
    queries_for(client, DEFINITIONS)  # the year's definitions are written on first use
    _, before = queries_for(client, DEFINITIONS)
    for definition in TierDefinition.objects.all():
        definition.descriptors.create(area="staffing", text="Stable staffing.", order=9)
    response, after = queries_for(client, DEFINITIONS)
    assert response.json()["count"] == 4
    assert len(after) == len(before), "\n".join(after)


def test_the_schema_validates_and_documents_every_answer(client, world, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = as_(client, world, Role.EXECUTIVE).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/tier-definitions/", "get"): {"200", "400"},
        ("/api/v1/tier-definitions/{id}/", "put"): {"200", "400", "403", "404", "412"},
        ("/api/v1/tier-assignments/", "get"): {"200", "400"},
        ("/api/v1/tier-assignments/", "post"): {"201", "400", "403", "404"},
        ("/api/v1/tier-assignments/{uuid}/", "get"): {"200", "404"},
        ("/api/v1/tier-assignments/{uuid}/", "patch"): {"200", "400", "403", "404", "412"},
        ("/api/v1/tier-recommendations/{id}/", "get"): {"200", "404"},
        ("/api/v1/support-items/", "get"): {"200", "400"},
        ("/api/v1/support-log/", "post"): {"201", "400", "403", "404"},
        ("/api/v1/support-log/{uuid}/", "delete"): {"204", "400", "403", "404"},
    }
    for step in ("agree", "decline", "withdraw"):
        expected[(f"/api/v1/tier-assignments/{{uuid}}/{step}/", "post")] = {"200", "400", "403", "404", "412"}
    for (path, method), codes in expected.items():
        assert codes <= set(paths[path][method]["responses"]), (path, method)
    components = schema["components"]["schemas"]
    assert "recommendation" not in components["TierAssignment"]["required"]
    assert {"rule", "status", "explanation", "tier", "url"} <= set(components["TierTraceLine"]["properties"])
