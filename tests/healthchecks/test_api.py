"""/api/v1/ health checks, their actions, risks and link-governor visits: the same rules as the
pages. Lists and counts hold only what the caller may see (no drafts for academy roles, no
trust-only or trust-level risks for them); out of scope is 404 exactly as missing; each step is
an action; a stale edit is 412; workflow fields sent in a body are ignored."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from healthchecks.models import Action, GovernorVisit, HealthCheck, Risk, RiskEvent, Visibility
from tests.access_cases.plans import make_priority
from tests.factories import Role, person
from tests.healthchecks.makers import make_action, make_health_check, make_risk, make_visit
from tests.utils import queries_for
from trust.models import Notification

S = HealthCheck.Status
TODAY = datetime.date(2026, 5, 1)

CHECKS = reverse("api:health-check-list")
ACTIONS = reverse("api:health-check-action-list")
RISKS = reverse("api:risk-list")
VISITS = reverse("api:governor-visit-list")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def as_(client, world, role):
    client.force_login(world[role])
    return client


def detail(name, obj):
    return reverse(f"api:{name}", kwargs={"uuid": getattr(obj, "uuid", obj)})


def post(client, name, obj, body=None, **extra):
    return client.post(detail(name, obj), body or {}, content_type="application/json", **extra)


def patch(client, name, obj, body, **extra):
    return client.patch(detail(name, obj), body, content_type="application/json", **extra)


def uuids(response):
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


def report_body(world, academy=None, **changes):
    body = {
        "academy": (academy or world.north_a).urn, "kind": "annual", "visit_start": "2026-03-10",
        "visit_end": "2026-03-11", "focus_areas": "Reading\nMaths", "safeguarding": "met",
        "leadership_qa": "partly", "leadership_qa_reasons": "Leaders overstate the impact on maths.",
        "key_findings": "Reading is strong; maths in Key Stage 2 is uneven.",
        "judgements": [
            {"area": "curriculum_and_teaching", "grade": "expected", "commentary": "Well sequenced."},
            {"area": "achievement", "grade": "needs_attention"},
        ],
        "recommendations": [
            {"recommendation": "Secure arithmetic fluency in Year 4.", "due_on": "2026-07-17",
             "owner": world[Role.HEADTEACHER].email},
            {"recommendation": "Train subject leaders in deep dives.", "due_on": "2026-12-18",
             "owner_name": "Deputy headteacher"},
        ],
    }
    body.update(changes)
    return body


def risk_body(world, academy="north_a", **changes):
    body = {
        "academy": getattr(world, academy).urn if academy else None, "category": "finance",
        "title": "Falling roll cuts funding", "description": "Reception intake down a third in two years.",
        "likelihood": 4, "impact": 4, "mitigations": "Marketing to nurseries.",
        "review_frequency": "termly", "reason": "Census figures.",
    }
    body.update(changes)
    return body


# ---------------------------------------------------------------------------------------------
# Health checks: scope


def test_a_governor_never_sees_or_counts_a_draft_or_a_report_awaiting_its_check(client, world):
    published = make_health_check(world.north_a, status=S.PUBLISHED)
    submitted = make_health_check(world.north_a, status=S.SUBMITTED)
    make_health_check(world.north_a, status=S.DRAFT)
    make_health_check(world.south_a, status=S.PUBLISHED)

    governor = as_(client, world, Role.GOVERNOR).get(CHECKS).json()
    assert governor["count"] == 1 and [r["uuid"] for r in governor["results"]] == [str(published.uuid)]
    assert client.get(CHECKS, {"status": "draft"}).json()["count"] == 0

    head = as_(client, world, Role.HEADTEACHER).get(CHECKS).json()
    assert head["count"] == 2
    assert {r["uuid"] for r in head["results"]} == {str(published.uuid), str(submitted.uuid)}


def test_a_hub_lead_sees_every_state_in_their_hub_only(client, world):
    north = {make_health_check(world.north_a, status=s).uuid for s in (S.DRAFT, S.PUBLISHED)}
    north.add(make_health_check(world.north_b, status=S.SUBMITTED).uuid)
    south = make_health_check(world.south_a, status=S.DRAFT)
    client = as_(client, world, Role.HUB_LEAD)
    assert uuids(client.get(CHECKS)) == {str(u) for u in north}
    assert client.get(CHECKS).json()["count"] == 3
    assert client.get(detail("health-check-detail", south)).status_code == 404
    assert as_(client, world, Role.EXECUTIVE).get(CHECKS).json()["count"] == 4


def test_the_list_filters_by_academy_status_and_kind(client, world):
    termly = make_health_check(world.north_a, status=S.PUBLISHED, kind="termly")
    make_health_check(world.north_a, status=S.DRAFT)
    make_health_check(world.north_b, status=S.PUBLISHED, kind="termly")
    client = as_(client, world, Role.EXECUTIVE)
    found = client.get(CHECKS, {"academy": world.north_a.urn, "status": "published", "kind": "termly"})
    assert uuids(found) == {str(termly.uuid)}
    bad = client.get(CHECKS, {"status": "approved", "kind": "weekly"})
    assert bad.status_code == 400 and set(bad.json()) == {"status", "kind"}


def test_out_of_scope_or_hidden_is_404_exactly_as_missing_for_reading_and_every_step(client, world):
    hidden = make_health_check(world.south_a, status=S.PUBLISHED)
    draft = make_health_check(world.north_a, status=S.DRAFT)
    client = as_(client, world, Role.GOVERNOR)
    missing = client.get(detail("health-check-detail", uuid.uuid4()))
    assert missing.status_code == 404
    for check in (hidden, draft):
        response = client.get(detail("health-check-detail", check))
        assert response.status_code == 404 and response.json() == missing.json()
    client = as_(client, world, Role.HEADTEACHER)
    for name, body in (("submit", {}), ("respond", {"response": "x"}), ("return", {"reason": "x"}),
                       ("publish", {})):
        response = post(client, f"health-check-{name}", draft, body)
        assert response.status_code == 404 and response.json() == missing.json(), name
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and not draft.events.exists()


def test_a_malformed_identifier_is_404_as_missing_and_an_edit_must_be_an_object(client, world):
    client = as_(client, world, Role.EXECUTIVE)
    for base in ("/api/v1/health-checks/", "/api/v1/health-check-actions/", "/api/v1/risks/",
                 "/api/v1/governor-visits/"):
        missing = client.get(f"{base}{uuid.uuid4()}/")
        malformed = client.get(f"{base}not-an-identifier/")
        assert malformed.status_code == missing.status_code == 404, base
        assert malformed.json() == missing.json()
    risk = make_risk(world.north_a)
    listed = patch(client, "risk-detail", risk, [{"version": 1, "impact": 1, "reason": "x"}])
    assert listed.status_code == 400
    risk.refresh_from_db()
    assert risk.impact == 4


# ---------------------------------------------------------------------------------------------
# Health checks: the workflow


def test_the_whole_workflow_through_the_api(client, world):
    client = as_(client, world, Role.SIEL)
    created = client.post(CHECKS, report_body(world), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["version"], data["academy"]) == ("draft", 1, world.north_a.urn)
    assert data["lead_reviewer_name"] == world[Role.SIEL].full_name
    assert [(j["area"], j["grade"]) for j in data["judgements"]] == [
        ("curriculum_and_teaching", "expected"), ("achievement", "needs_attention")]
    assert [(r["number"], r["owner_text"], r["status"]) for r in data["recommendations"]] == [
        (1, world[Role.HEADTEACHER].full_name, "open"), (2, "Deputy headteacher", "open")]
    assert "owner" not in data["recommendations"][0]  # people are named, their emails not shown
    check = HealthCheck.objects.get(uuid=data["uuid"])

    assert as_(client, world, Role.GOVERNOR).get(detail("health-check-detail", check)).status_code == 404
    assert as_(client, world, Role.HEADTEACHER).get(detail("health-check-detail", check)).status_code == 404

    submitted = post(as_(client, world, Role.SIEL), "health-check-submit", check)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert Notification.objects.filter(user=world[Role.HEADTEACHER], kind="healthcheck.submitted").exists()

    client = as_(client, world, Role.HEADTEACHER)
    assert post(client, "health-check-publish", check).status_code == 403
    responded = post(client, "health-check-respond", check, {"response": "Year 4 data is for 2025."})
    assert responded.status_code == 200
    assert (responded.json()["status"], responded.json()["response"]) == (
        "responded", "Year 4 data is for 2025.")
    assert responded.json()["responded_by"] == world[Role.HEADTEACHER].full_name

    published = post(as_(client, world, Role.SIEL), "health-check-publish", check)
    assert published.status_code == 200
    data = published.json()
    assert data["status"] == "published" and data["published_by"] == world[Role.SIEL].full_name
    assert [(e["kind"], e["from_status"], e["to_status"], e["by"]) for e in data["events"]] == [
        ("created", "", "draft", world[Role.SIEL].full_name),
        ("submitted", "draft", "submitted", world[Role.SIEL].full_name),
        ("responded", "submitted", "responded", world[Role.HEADTEACHER].full_name),
        ("published", "responded", "published", world[Role.SIEL].full_name),
    ]
    governor = as_(client, world, Role.GOVERNOR).get(detail("health-check-detail", check))
    assert governor.status_code == 200 and governor.json()["status"] == "published"


def test_a_step_the_state_refuses_is_400_with_the_reason_and_changes_nothing(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT, key_findings="")
    client = as_(client, world, Role.SIEL)
    refused = post(client, "health-check-submit", draft)
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Write the key findings before submitting the report."}
    refused = post(client, "health-check-publish", draft)
    assert refused.status_code == 400 and "is a draft" in refused.json()["detail"]
    assert post(client, "health-check-return", draft, {"reason": ""}).json()["reason"]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.version == 1 and not draft.events.exists()


def test_the_wrong_role_is_403_and_changes_nothing(client, world):
    submitted = make_health_check(world.north_a, status=S.SUBMITTED)
    assert post(as_(client, world, Role.SIEL), "health-check-respond", submitted,
                {"response": "None."}).status_code == 403
    assert post(as_(client, world, Role.TRUSTEE), "health-check-publish", submitted).status_code == 403
    assert post(as_(client, world, Role.HEADTEACHER), "health-check-return", submitted,
                {"reason": "No."}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and not submitted.events.exists()


def test_returning_a_report_to_draft_keeps_the_reason(client, world):
    responded = make_health_check(world.north_a, status=S.RESPONDED)
    answer = post(as_(client, world, Role.HUB_LEAD), "health-check-return", responded,
                  {"reason": "Rework the maths section after the response."})
    assert answer.status_code == 200 and answer.json()["status"] == "draft"
    assert answer.json()["events"][-1]["reason"] == "Rework the maths section after the response."


# ---------------------------------------------------------------------------------------------
# Health checks: creating and editing


def test_an_academy_outside_scope_is_refused_as_missing_and_nothing_is_created(client, world):
    client = as_(client, world, Role.HUB_LEAD)
    forged = client.post(CHECKS, report_body(world, world.south_a), content_type="application/json")
    missing = client.post(CHECKS, {**report_body(world), "academy": "999999"},
                          content_type="application/json")
    assert forged.status_code == missing.status_code == 404
    assert forged.json() == missing.json()
    refused = as_(client, world, Role.HEADTEACHER).post(CHECKS, report_body(world),
                                                        content_type="application/json")
    assert refused.status_code == 403
    assert not HealthCheck.objects.exists() and not Action.objects.exists()


def test_a_lead_reviewer_who_may_not_file_is_refused_like_an_unknown_person(client, world):
    client = as_(client, world, Role.SIEL)
    for email in (world[Role.GOVERNOR].email, "nobody@example.invalid"):
        refused = client.post(CHECKS, report_body(world, lead_reviewer=email),
                              content_type="application/json")
        assert refused.status_code == 400
        assert refused.json() == {
            "lead_reviewer": ["Choose someone who files health checks for this academy."]}
    chosen = client.post(CHECKS, report_body(world, lead_reviewer=world[Role.HUB_LEAD].email),
                         content_type="application/json")
    assert chosen.json()["lead_reviewer_name"] == world[Role.HUB_LEAD].full_name
    assert HealthCheck.objects.count() == 1


def test_workflow_fields_in_a_body_are_ignored(client, world):
    client = as_(client, world, Role.SIEL)
    forged = {"status": "published", "published_at": "2026-01-01T09:00:00Z", "response": "None.",
              "submitted_at": "2026-01-01T09:00:00Z", "version": 7, "uuid": str(uuid.uuid4())}
    created = client.post(CHECKS, report_body(world, **forged), content_type="application/json").json()
    assert (created["status"], created["published_at"], created["response"], created["version"]) == (
        "draft", None, "", 1)
    assert created["uuid"] != forged["uuid"]
    check = HealthCheck.objects.get(uuid=created["uuid"])
    changed = patch(client, "health-check-detail", check, {**forged, "version": 1, "key_findings": "New."})
    assert changed.status_code == 200
    check.refresh_from_db()
    assert (check.status, check.published_at, check.response, check.key_findings) == (
        S.DRAFT, None, "", "New.")


def test_an_edit_cannot_move_a_report_to_another_academy(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    client = as_(client, world, Role.EXECUTIVE)
    moved = patch(client, "health-check-detail", draft, {"version": 1, "academy": world.south_a.urn})
    assert moved.status_code == 400 and "academy" in moved.json()
    same = patch(client, "health-check-detail", draft, {"version": 1, "academy": world.north_a.urn,
                                                         "commissioned_expert": "A maths specialist"})
    assert same.status_code == 200 and same.json()["academy"] == world.north_a.urn


def test_a_stale_edit_is_412_and_overwrites_nothing(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    client = as_(client, world, Role.SIEL)
    read = client.get(detail("health-check-detail", draft))
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    first = patch(client, "health-check-detail", draft, {"version": 1, "key_findings": "First."})
    assert first.status_code == 200 and first.json()["version"] == 2 and first["ETag"] == '"2"'
    stale = patch(client, "health-check-detail", draft, {"version": 1, "key_findings": "Second."})
    assert stale.status_code == 412
    assert "Someone else changed this report" in stale.json()["detail"]
    draft.refresh_from_db()
    assert (draft.key_findings, draft.version) == ("First.", 2)

    by_header = patch(client, "health-check-detail", draft, {"key_findings": "Third."}, HTTP_IF_MATCH='"2"')
    assert by_header.status_code == 200 and by_header.json()["version"] == 3
    assert patch(client, "health-check-detail", draft, {"key_findings": "Fourth."},
                 HTTP_IF_MATCH='W/"2"').status_code == 412
    draft.refresh_from_db()
    assert draft.key_findings == "Third."


def test_an_edit_without_a_version_or_with_two_that_differ_is_400(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    client = as_(client, world, Role.SIEL)
    missing = patch(client, "health-check-detail", draft, {"key_findings": "New."})
    assert missing.status_code == 400 and "version" in missing.json()
    both = patch(client, "health-check-detail", draft, {"version": 1, "key_findings": "New."},
                 HTTP_IF_MATCH='"2"')
    assert both.status_code == 400 and "version" in both.json()
    assert patch(client, "health-check-detail", draft, {"version": "one"}).status_code == 400
    draft.refresh_from_db()
    assert draft.version == 1 and draft.key_findings != "New."


def test_a_published_report_is_not_edited(client, world):
    published = make_health_check(world.north_a, status=S.PUBLISHED)
    refused = patch(as_(client, world, Role.SIEL), "health-check-detail", published,
                    {"version": 1, "key_findings": "Changed."})
    assert refused.status_code == 400 and refused.json() == {"detail": "A published report cannot be edited."}


def test_editing_a_draft_replaces_its_judgements_and_recommendations(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT, actions=2)
    first, second = draft.actions.order_by("number")
    client = as_(client, world, Role.SIEL)
    changed = patch(client, "health-check-detail", draft, {
        "version": 1,
        "judgements": [{"area": "inclusion", "grade": "strong", "commentary": "Well led."}],
        "recommendations": [
            {"uuid": str(second.uuid), "due_on": "2026-06-30"},
            {"recommendation": "Publish a reading spine.", "due_on": "2026-09-30"},
        ],
    })
    assert changed.status_code == 200, changed.content
    data = changed.json()
    assert [(j["area"], j["grade"], j["commentary"]) for j in data["judgements"]] == [
        ("inclusion", "strong", "Well led.")]
    assert [(r["uuid"] == str(second.uuid), r["number"], r["due_on"]) for r in data["recommendations"]] == [
        (True, 1, "2026-06-30"), (False, 2, "2026-09-30")]
    assert not Action.objects.filter(pk=first.pk).exists()
    assert data["events"][-1]["kind"] == "edited" and data["events"][-1]["changes"]


def test_an_invalid_judgement_or_new_recommendation_is_400_and_nothing_changes(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    client = as_(client, world, Role.SIEL)
    no_date = patch(client, "health-check-detail", draft, {
        "version": 1, "recommendations": [{"recommendation": "Do more."}]})
    assert no_date.status_code == 400 and "due_on" in no_date.json()["recommendations"]["0"]
    bad_area = patch(client, "health-check-detail", draft, {
        "version": 1, "judgements": [{"area": "quality_of_education", "grade": "strong"}]})
    assert bad_area.status_code == 400 and "judgements" in bad_area.json()
    no_grade = patch(client, "health-check-detail", draft,
                     {"version": 1, "judgements": [{"area": "inclusion"}]})
    assert no_grade.status_code == 400
    draft.refresh_from_db()
    assert draft.version == 1 and draft.actions.count() == 1 and draft.judgements.count() == 2


# ---------------------------------------------------------------------------------------------
# Actions


def test_actions_are_listed_with_their_report_and_filtered_by_overdue(client, world):
    published = make_health_check(world.north_a, status=S.PUBLISHED, actions=0)
    late = make_action(published, number=1, due_on=datetime.date(2026, 3, 31))
    make_action(published, number=2, due_on=datetime.date(2026, 9, 30))
    make_action(published, number=3, due_on=datetime.date(2026, 1, 31), status=Action.Status.DONE)
    submitted = make_health_check(world.north_a, status=S.SUBMITTED, actions=0)
    waiting = make_action(submitted, number=1, due_on=datetime.date(2026, 1, 31))

    governor = as_(client, world, Role.GOVERNOR)
    assert governor.get(ACTIONS).json()["count"] == 3  # not the actions of a report awaiting its check
    overdue = governor.get(ACTIONS, {"overdue": "true"}).json()
    assert [r["uuid"] for r in overdue["results"]] == [str(late.uuid)] and overdue["results"][0]["overdue"]
    assert governor.get(ACTIONS, {"status": "done"}).json()["count"] == 1

    head = as_(client, world, Role.HEADTEACHER)
    assert str(waiting.uuid) in uuids(head.get(ACTIONS, {"academy": world.north_a.urn}))
    assert str(waiting.uuid) not in uuids(head.get(ACTIONS, {"overdue": "true"}))  # not published yet
    bad = head.get(ACTIONS, {"overdue": "maybe", "status": "late"})
    assert bad.status_code == 400 and set(bad.json()) == {"overdue", "status"}


def test_a_headteacher_reviews_an_action_and_a_governor_may_not(client, world):
    published = make_health_check(world.north_a, status=S.PUBLISHED)
    tracked = published.actions.get()
    later = make_health_check(world.north_a, status=S.PUBLISHED, visit_start=datetime.date(2026, 4, 20))
    body = {"status": "done", "commentary": "Fluency checks show the gain.", "evidence": "Year 4 MTC 24/25.",
            "health_check": str(later.uuid)}
    governor = as_(client, world, Role.GOVERNOR)
    assert post(governor, "health-check-action-review", tracked, body).status_code == 403
    answer = post(as_(client, world, Role.HEADTEACHER), "health-check-action-review", tracked, body)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["status"], data["completed_on"], data["evidence"]) == (
        "done", "2026-05-01", "Year 4 MTC 24/25.")
    assert [(r["status"], r["commentary"], r["health_check"], r["by"]) for r in data["reviews"]] == [
        ("done", "Fluency checks show the gain.", str(later.uuid), world[Role.HEADTEACHER].full_name)]


def test_a_later_report_still_in_draft_is_not_named_to_the_academy(client, world):
    tracked = make_health_check(world.north_a, status=S.PUBLISHED).actions.get()
    later = make_health_check(world.north_a, status=S.DRAFT, visit_start=datetime.date(2026, 4, 20))
    body = {"status": "in_progress", "commentary": "Seen on the visit.", "health_check": str(later.uuid)}
    reviewed = post(as_(client, world, Role.SIEL), "health-check-action-review", tracked, body)
    assert reviewed.json()["reviews"][0]["health_check"] == str(later.uuid)
    head = as_(client, world, Role.HEADTEACHER).get(detail("health-check-action-detail", tracked)).json()
    assert head["reviews"][0]["health_check"] is None
    assert head["reviews"][0]["commentary"] == "Seen on the visit."
    refused = post(client, "health-check-action-review", tracked,
                   {"status": "done", "commentary": "Done.", "health_check": str(later.uuid)})
    assert refused.status_code == 400 and "health_check" in refused.json()


def test_an_action_review_the_services_refuse_is_400(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    other = make_health_check(world.south_a, status=S.PUBLISHED)
    published = make_health_check(world.north_a, status=S.PUBLISHED)
    client = as_(client, world, Role.EXECUTIVE)
    body = {"status": "in_progress", "commentary": "Started."}
    refused = post(client, "health-check-action-review", draft.actions.get(), body)
    assert refused.json() == {"detail": "Actions are tracked once their report is published."}
    elsewhere = post(client, "health-check-action-review", published.actions.get(),
                     {**body, "health_check": str(other.uuid)})
    assert elsewhere.status_code == 400
    assert post(client, "health-check-action-review", published.actions.get(),
                {**body, "status": "finished"}).status_code == 400
    assert not published.actions.get().reviews.exists()


# ---------------------------------------------------------------------------------------------
# Risks


def test_academy_roles_never_see_or_count_trust_only_or_trust_level_risks(client, world):
    shared = make_risk(world.north_a)
    secret = make_risk(world.north_a, visibility=Visibility.TRUST_ONLY)
    level = make_risk(None, visibility=Visibility.TRUST_ONLY)
    make_risk(world.south_a)
    for role in (Role.GOVERNOR, Role.HEADTEACHER, Role.ACADEMY_DATA_MANAGER):
        client = as_(client, world, role)
        listed = client.get(RISKS).json()
        assert listed["count"] == 1 and [r["uuid"] for r in listed["results"]] == [str(shared.uuid)], role
        assert client.get(RISKS, {"visibility": "trust_only"}).json()["count"] == 0
        missing = client.get(detail("risk-detail", uuid.uuid4()))
        for hidden in (secret, level):
            response = client.get(detail("risk-detail", hidden))
            assert response.status_code == 404 and response.json() == missing.json()
    hub = as_(client, world, Role.HUB_LEAD).get(RISKS).json()
    assert hub["count"] == 2 and {r["uuid"] for r in hub["results"]} == {str(shared.uuid), str(secret.uuid)}
    assert as_(client, world, Role.TRUSTEE).get(RISKS).json()["count"] == 4


def test_the_risk_list_filters(client, world):
    red = make_risk(world.north_a, likelihood=5, impact=4, category="safeguarding")
    amber = make_risk(world.north_a, next_review_on=datetime.date(2026, 4, 1))
    closed = make_risk(world.north_b, status=Risk.Status.CLOSED, next_review_on=datetime.date(2026, 1, 1))
    secret = make_risk(world.north_b, visibility=Visibility.TRUST_ONLY, likelihood=1, impact=2)
    client = as_(client, world, Role.EXECUTIVE)
    assert uuids(client.get(RISKS, {"rag": "red"})) == {str(red.uuid)}
    assert uuids(client.get(RISKS, {"category": "safeguarding"})) == {str(red.uuid)}
    assert uuids(client.get(RISKS, {"overdue": "true"})) == {str(amber.uuid)}
    assert uuids(client.get(RISKS, {"status": "closed"})) == {str(closed.uuid)}
    assert uuids(client.get(RISKS, {"visibility": "trust_only"})) == {str(secret.uuid)}
    assert uuids(client.get(RISKS, {"academy": world.north_b.urn, "rag": "green"})) == {str(secret.uuid)}
    row = client.get(detail("risk-detail", amber)).json()
    assert (row["score"], row["rag"], row["review_overdue"]) == (12, "amber", True)
    bad = client.get(RISKS, {"rag": "purple", "category": "weather", "status": "x", "visibility": "all",
                             "overdue": "soon"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"rag", "category", "status", "visibility", "overdue"}


def test_raising_a_risk_derives_its_score_and_rag_and_ignores_workflow_fields(client, world):
    client = as_(client, world, Role.SIEL)
    body = risk_body(world, owner=world[Role.HUB_LEAD].email, score=1, rag="green", status="closed",
                     reference="R-9999", closed_on="2026-01-01", last_reviewed_on="2026-01-01")
    created = client.post(RISKS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["score"], data["rag"], data["status"], data["closed_on"]) == (16, "red", "open", None)
    assert data["reference"] != "R-9999" and data["reference"].startswith("R-")
    assert data["last_reviewed_on"] is None and data["next_review_on"] == "2026-07-31"
    assert data["owner_name"] == world[Role.HUB_LEAD].full_name and "owner" not in data
    assert [(e["kind"], e["who"], e["reason"]) for e in data["events"]] == [
        ("raised", world[Role.SIEL].full_name, "Census figures.")]


def test_a_trust_level_risk_is_raised_only_trust_wide_and_a_forged_academy_is_refused(client, world):
    client = as_(client, world, Role.HUB_LEAD)
    level = client.post(RISKS, risk_body(world, academy=None), content_type="application/json")
    assert level.status_code == 403
    forged = client.post(RISKS, risk_body(world, academy="south_a"), content_type="application/json")
    assert forged.status_code == 404
    assert forged.json() == {"detail": "No academy with that URN in your scope."}
    assert as_(client, world, Role.GOVERNOR).post(RISKS, risk_body(world),
                                                 content_type="application/json").status_code == 403
    assert not Risk.objects.exists() and not RiskEvent.objects.exists()

    level = as_(client, world, Role.EXECUTIVE).post(
        RISKS, risk_body(world, academy=None, visibility="shared"), content_type="application/json")
    assert level.status_code == 201
    assert (level.json()["academy"], level.json()["visibility"]) == (None, "trust_only")


def test_an_owner_who_cannot_see_the_risk_is_refused(client, world):
    client = as_(client, world, Role.EXECUTIVE)
    body = risk_body(world, visibility="trust_only", owner=world[Role.HEADTEACHER].email)
    refused = client.post(RISKS, body, content_type="application/json")
    assert refused.status_code == 400 and "owner" in refused.json()
    assert not Risk.objects.exists()


def test_changing_a_risk_needs_a_reason_and_the_version_and_is_kept_in_its_history(client, world):
    risk = make_risk(world.north_a)
    client = as_(client, world, Role.HUB_LEAD)
    assert patch(client, "risk-detail", risk, {"version": 1, "likelihood": 5}).json() == {
        "reason": ["Say why the risk is changing: it goes in its history."]}
    assert "version" in patch(client, "risk-detail", risk, {"likelihood": 5, "reason": "Worse."}).json()
    changed = patch(client, "risk-detail", risk, {"version": 1, "likelihood": 5, "score": 2, "rag": "green",
                                                  "reason": "Persistent absence up again."})
    assert changed.status_code == 200, changed.content
    data = changed.json()
    assert (data["likelihood"], data["score"], data["rag"], data["version"]) == (5, 20, "red", 2)
    assert changed["ETag"] == '"2"'
    assert [(e["kind"], e["who"], e["reason"], e["changes"]) for e in data["events"]] == [
        ("changed", world[Role.HUB_LEAD].full_name, "Persistent absence up again.",
         {"likelihood": ["3", "5"], "score": ["12", "20"], "rag": ["amber", "red"]})]

    stale = patch(client, "risk-detail", risk, {"version": 1, "impact": 1, "reason": "Better."})
    assert stale.status_code == 412 and "Someone else changed this risk" in stale.json()["detail"]
    assert patch(client, "risk-detail", risk, {"impact": 1, "reason": "Better."},
                 HTTP_IF_MATCH='"1"').status_code == 412
    risk.refresh_from_db()
    assert (risk.impact, risk.version, risk.events.count()) == (4, 2, 1)
    moved = patch(client, "risk-detail", risk, {"version": 2, "academy": world.north_b.urn, "reason": "x"})
    assert moved.status_code == 400 and "academy" in moved.json()


def test_review_close_and_reopen_through_the_api_with_their_history(client, world):
    risk = make_risk(world.north_a, visibility=Visibility.TRUST_ONLY)
    client = as_(client, world, Role.EXECUTIVE)
    reviewed = post(client, "risk-review", risk, {"commentary": "Calls now daily.", "version": 1})
    assert reviewed.status_code == 200
    assert (reviewed.json()["last_reviewed_on"], reviewed.json()["next_review_on"]) == (
        "2026-05-01", "2026-05-31")
    assert post(client, "risk-review", risk, {"commentary": "Again.", "version": 1}).status_code == 412
    future = post(client, "risk-review", risk, {"commentary": "Later.", "reviewed_on": "2026-06-01"})
    assert future.status_code == 400
    closed = post(client, "risk-close", risk, {"reason": "Below national for two terms."},
                  HTTP_IF_MATCH='"2"')
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = post(client, "risk-close", risk, {"reason": "Still fine."})
    assert again.status_code == 400 and again.json() == {"detail": "This risk is already closed."}
    assert post(client, "risk-reopen", risk, {}).status_code == 400
    reopened = post(client, "risk-reopen", risk, {"reason": "Absence rising again."})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"

    history = client.get(detail("risk-detail", risk)).json()["events"]
    assert [(e["kind"], e["reason"]) for e in history] == [
        ("reviewed", "Calls now daily."), ("closed", "Below national for two terms."),
        ("reopened", "Absence rising again.")]
    assert history[1]["changes"] == {"status": ["open", "closed"]} and history[0]["at"]
    assert all(e["who"] == world[Role.EXECUTIVE].full_name for e in history)


def test_academy_roles_may_not_change_a_risk_and_a_hidden_one_is_404(client, world):
    shared = make_risk(world.north_a)
    secret = make_risk(world.north_a, visibility=Visibility.TRUST_ONLY)
    client = as_(client, world, Role.HEADTEACHER)
    assert patch(client, "risk-detail", shared, {"version": 1, "impact": 1, "reason": "x"}).status_code == 403
    assert post(client, "risk-close", shared, {"reason": "x"}).status_code == 403
    assert post(client, "risk-close", secret, {"reason": "x"}).status_code == 404
    assert not RiskEvent.objects.exists()


# ---------------------------------------------------------------------------------------------
# Link-governor visits


def test_a_governor_records_and_changes_their_own_visit(client, world):
    priority = make_priority(world.north_a)
    client = as_(client, world, Role.GOVERNOR)
    body = {"academy": world.north_a.urn, "visited_on": "2026-04-22", "focus": "Reading in Year 2",
            "notes": "Heard six pupils read.", "priority": str(priority.uuid)}
    created = client.post(VISITS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["governor"], data["priority"], data["priority_title"]) == (
        world[Role.GOVERNOR].full_name, str(priority.uuid), priority.title)
    visit = GovernorVisit.objects.get(uuid=data["uuid"])
    changed = patch(client, "governor-visit-detail", visit, {"focus": "Reading fluency", "priority": None})
    assert changed.status_code == 200 and (changed.json()["focus"], changed.json()["priority"]) == (
        "Reading fluency", None)

    other_governor = person(Role.GOVERNOR, academy=world.north_a, email="governor2@trust.test")
    client.force_login(other_governor)
    assert patch(client, "governor-visit-detail", visit, {"focus": "Maths"}).status_code == 403
    assert as_(client, world, Role.HEADTEACHER).get(detail("governor-visit-detail", visit)).status_code == 200
    visit.refresh_from_db()
    assert visit.focus == "Reading fluency"


def test_a_visit_elsewhere_or_about_another_academys_priority_is_refused(client, world):
    elsewhere = make_priority(world.south_a)
    client = as_(client, world, Role.GOVERNOR)
    body = {"academy": world.north_a.urn, "visited_on": "2026-04-22", "focus": "Maths",
            "notes": "Saw Year 5."}
    forged = client.post(VISITS, {**body, "academy": world.north_b.urn}, content_type="application/json")
    assert forged.status_code == 404
    wrong = client.post(VISITS, {**body, "priority": str(elsewhere.uuid)}, content_type="application/json")
    assert wrong.json() == {"priority": ["Choose one of this academy's priorities."]}
    head = as_(client, world, Role.HEADTEACHER)
    assert head.post(VISITS, body, content_type="application/json").status_code == 403
    assert not GovernorVisit.objects.exists()


def test_visits_are_listed_in_scope(client, world):
    mine = make_visit(world.north_a, world[Role.GOVERNOR])
    make_visit(world.south_a, person(Role.GOVERNOR, academy=world.south_a, email="south-gov@trust.test"))
    assert uuids(as_(client, world, Role.GOVERNOR).get(VISITS)) == {str(mine.uuid)}
    assert as_(client, world, Role.EXECUTIVE).get(VISITS).json()["count"] == 2
    assert uuids(client.get(VISITS, {"academy": world.north_a.urn})) == {str(mine.uuid)}


# ---------------------------------------------------------------------------------------------
# Costs and the schema


def _grow_reports(world, academies):
    for academy in academies:
        check = make_health_check(academy, status=S.PUBLISHED, actions=2)
        check.actions.update(owner=world[Role.HEADTEACHER])
        check.events.create(kind="published", by=world[Role.SIEL], to_status="published")


def _grow_risks(world, academies):
    for academy in academies:
        risk = make_risk(academy, owner=world[Role.SIEL], raised_by=world[Role.EXECUTIVE])
        risk.events.create(kind="raised", by=world[Role.EXECUTIVE], reason="Seen in the data.")


def _grow_actions(world, academies):
    for academy in academies:
        check = make_health_check(academy, status=S.PUBLISHED, actions=0)
        action = make_action(check, owner=world[Role.HEADTEACHER])
        action.reviews.create(reviewed_on=TODAY, status="in_progress", commentary="Begun.",
                              by=world[Role.SIEL])


def _grow_visits(world, academies):
    for academy in academies:
        make_visit(academy, world[Role.GOVERNOR], priority=make_priority(academy, title=f"P {academy.urn}"))


@pytest.mark.parametrize(("url", "grow"), [
    (CHECKS, _grow_reports), (RISKS, _grow_risks), (ACTIONS, _grow_actions), (VISITS, _grow_visits),
])
def test_each_list_costs_the_same_queries_for_few_rows_or_many(client, world, url, grow):
    client = as_(client, world, Role.EXECUTIVE)
    grow(world, [world.north_a])
    _, few = queries_for(client, url)
    grow(world, [world.north_b, world.south_a, world.south_b])
    response, many = queries_for(client, url)
    assert response.json()["count"] == 4
    assert len(many) == len(few), "\n".join(many)


def test_the_schema_documents_every_answer(client, world):
    schema = as_(client, world, Role.EXECUTIVE).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/health-checks/", "get"): {"200", "400"},
        ("/api/v1/health-checks/", "post"): {"201", "400", "403", "404"},
        ("/api/v1/health-checks/{uuid}/", "get"): {"200", "404"},
        ("/api/v1/health-checks/{uuid}/", "patch"): {"200", "400", "403", "404", "412"},
        ("/api/v1/health-check-actions/{uuid}/review/", "post"): {"200", "400", "403", "404"},
        ("/api/v1/risks/", "get"): {"200", "400"},
        ("/api/v1/risks/", "post"): {"201", "400", "403", "404"},
        ("/api/v1/risks/{uuid}/", "patch"): {"200", "400", "403", "404", "412"},
        ("/api/v1/governor-visits/", "post"): {"201", "400", "403", "404"},
        ("/api/v1/governor-visits/{uuid}/", "patch"): {"200", "400", "403", "404"},
    }
    for name in ("submit", "respond", "return", "publish"):
        expected[(f"/api/v1/health-checks/{{uuid}}/{name}/", "post")] = {"200", "400", "403", "404"}
    for name in ("review", "close", "reopen"):
        expected[(f"/api/v1/risks/{{uuid}}/{name}/", "post")] = {"200", "400", "403", "404", "412"}
    for (path, method), codes in expected.items():
        assert codes <= set(paths[path][method]["responses"]), (path, method)
    close = paths["/api/v1/risks/{uuid}/close/"]["post"]
    body = close["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"reason", "version"}
    assert "If-Match" in {p["name"] for p in paths["/api/v1/health-checks/{uuid}/"]["patch"]["parameters"]}
    listed = {p["name"] for p in paths["/api/v1/risks/"]["get"]["parameters"]}
    assert {"academy", "category", "rag", "status", "visibility", "overdue"} <= listed
