"""The tier decision pages, through their URLs: the board, an academy's tier page, proposing and
the board's decisions, the definitions and the engine's rules."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AcademyFactory
from tests.utils import queries_for
from tiers import services
from tiers.models import SupportItem, TierAssignment, TierDefinition, TierRecommendation, TierRule
from trust.models import AcademicYear, Role

TODAY = datetime.date(2025, 11, 20)
MEETING = datetime.date(2025, 10, 14)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2025, 11, 20, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def year(db):
    return AcademicYear.for_date(TODAY)


def agreed(world, academy, year, tier, minute="TB/25/9"):
    proposal = services.propose(academy=academy, year=year, tier=tier, rationale="The evidence.",
                                by=world[Role.EXECUTIVE])
    return services.agree(proposal, by=world[Role.TRUSTEE], board_meeting=MEETING, board_minute=minute)


def recommend(academy, year, tier, agreed_tier=None):
    return TierRecommendation.objects.create(
        academy=academy, academic_year=year, tier=tier, weighted_mean=tier, fingerprint=f"{academy.pk}",
        agreed_tier=agreed_tier, computed_at=datetime.datetime(2025, 11, 19, tzinfo=datetime.UTC),
        trace=[{
            "rule": 1, "name": "Latest Ofsted inspection", "kind": "inspection", "weight": "2",
            "decisive": True, "status": "indicated", "explanation": "Ofsted found requires improvement.",
            "evidence": "Overall effectiveness: Requires improvement", "value": "Requires improvement",
            "date": "2024-03-05", "source": "Ofsted inspection 10299", "threshold": "→ tier 3", "tier": 3,
            "contribution": "tier 3 × weight 2", "url": "/academies/100001/ofsted/",
        }, {
            "rule": 2, "name": "Attendance against national", "kind": "measure", "weight": "1",
            "decisive": False, "status": "missing",
            "explanation": "No published attendance figure is stored.",
        }],
    )


def section(html, testid):
    """The HTML of the section marked with `testid`, up to its end."""
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</section>", start)]


def login(client, world, role):
    client.force_login(world[role])
    return client


def test_board_groups_academies_by_agreed_tier_and_flags_a_differing_recommendation(client, world, year):
    agreed(world, world.north_a, year, 2)
    agreed(world, world.south_a, year, 3)
    recommend(world.north_a, year, 3, agreed_tier=2)
    recommend(world.south_a, year, 3, agreed_tier=3)
    html = login(client, world, Role.EXECUTIVE).get(reverse("tiers:board")).content.decode()

    tier_2 = section(html, "tier-group-2")
    assert "North A" in tier_2 and "South A" not in tier_2
    assert "Differs from the agreed tier" in tier_2
    tier_3 = section(html, "tier-group-3")
    assert "South A" in tier_3 and "Differs" not in tier_3
    none = section(html, "tier-group-0")
    assert "North B" in none and "South B" in none
    counts = section(html, "tier-counts")
    assert re.search(r'data-tier="2">Tier 2 Grow: <strong>1</strong>', counts)
    assert re.search(r'data-tier="0">No agreed tier: <strong>2</strong>', counts)


def test_hub_lead_board_shows_only_their_hub(client, world, year):
    html = login(client, world, Role.HUB_LEAD).get(reverse("tiers:board")).content.decode()
    assert "North A" in html and "North B" in html
    assert "South A" not in html


def test_board_shows_last_years_tier_and_the_change(client, world, year):
    last = AcademicYear.for_date(datetime.date(2024, 10, 1))
    proposal = services.propose(academy=world.north_a, year=last, tier=3, rationale="Then.",
                                by=world[Role.EXECUTIVE])
    services.agree(proposal, by=world[Role.TRUSTEE], board_meeting=datetime.date(2024, 10, 10))
    agreed(world, world.north_a, year, 2)
    html = login(client, world, Role.TRUSTEE).get(reverse("tiers:board")).content.decode()
    row = html[html.index('data-urn="100001"'):]
    row = row[:row.index("</tr>")]
    assert "Tier 3" in row and 'data-change="up"' in row and "Up" in row


def test_governor_reads_the_agreed_tier_but_never_the_recommendation(client, world, year):
    agreed(world, world.north_a, year, 2)
    recommend(world.north_a, year, 3, agreed_tier=2)
    url = reverse("tiers:academy", kwargs={"urn": world.north_a.urn})

    html = login(client, world, Role.GOVERNOR).get(url).content.decode()
    assert "Tier 2 Grow" in html[html.index('data-testid="agreed-tier"'):]
    assert "TB/25/9" in html
    for hidden in ("recommend", "Latest Ofsted inspection", "trace", "weighted", "Differs"):
        assert hidden.lower() not in html.lower()

    html = login(client, world, Role.EXECUTIVE).get(url).content.decode()
    trace = section(html, "recommendation")
    assert "Latest Ofsted inspection" in trace and "Missing evidence" in trace
    assert "Differs from the agreed tier" in trace


def test_propose_makes_a_proposal_with_its_history(client, world, year):
    recommend(world.north_a, year, 3)
    login(client, world, Role.SIEL)
    url = reverse("tiers:propose", kwargs={"urn": world.north_a.urn})
    form = client.get(url)
    assert 'value="3" selected' in form.content.decode()  # the recommendation starts the form

    response = client.post(url, {"academic_year": "2025", "tier": "3", "rationale": "Attendance has fallen."})
    assert response.status_code == 302
    proposal = TierAssignment.objects.get(academy=world.north_a)
    assert (proposal.status, proposal.tier, proposal.proposed_by) == ("proposed", 3, world[Role.SIEL])
    html = client.get(reverse("tiers:academy", kwargs={"urn": world.north_a.urn})).content.decode()
    assert "Awaiting the Trust Board" in html
    history = html[html.index('data-testid="history"'):]
    assert "Attendance has fallen." in history and "Proposed" in history


def test_a_reclassification_without_a_reason_shows_the_field_error(client, world, year):
    agreed(world, world.north_a, year, 2)
    login(client, world, Role.EXECUTIVE)
    url = reverse("tiers:propose", kwargs={"urn": world.north_a.urn})
    response = client.post(url, {"academic_year": "2025", "tier": "4", "rationale": "Safeguarding failed.",
                                 "exceptional_reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Exceptional circumstances" in html
    assert "already has an agreed tier" in html
    assert not TierAssignment.objects.filter(status="proposed").exists()


def test_agreeing_on_the_page_records_the_meeting_and_sets_the_schedule(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=4, rationale="Unsafe.",
                                by=world[Role.EXECUTIVE])
    login(client, world, Role.TRUSTEE)
    url = reverse("tiers:assignment-agree", kwargs={"uuid": proposal.uuid})
    assert "Record the Trust Board" in client.get(url).content.decode()
    response = client.post(url, {"board_meeting": "2025-11-18", "board_minute": "TB/25/44",
                                 "effective_from": "", "version": proposal.version})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "agreed"
    assert (proposal.board_meeting, proposal.board_minute) == (datetime.date(2025, 11, 18), "TB/25/44")
    assert SupportItem.objects.filter(academy=world.north_a, kind="ceo_one_to_one").count() > 10
    html = client.get(response["Location"]).content.decode()
    assert "TB/25/44" in html and "Agreed by the Trust Board" in html


def test_agreeing_in_the_future_is_refused_on_the_form(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Fine.",
                                by=world[Role.EXECUTIVE])
    login(client, world, Role.TRUSTEE)
    response = client.post(reverse("tiers:assignment-agree", kwargs={"uuid": proposal.uuid}),
                           {"board_meeting": "2025-12-01", "board_minute": "", "version": proposal.version})
    assert response.status_code == 200
    assert "that date is in the future" in response.content.decode()
    assert TierAssignment.objects.get(pk=proposal.pk).status == "proposed"


def test_agree_many_agrees_only_the_ticked_proposals(client, world, year):
    ticked = [services.propose(academy=a, year=year, tier=2, rationale="Close to national.",
                               by=world[Role.EXECUTIVE]) for a in (world.north_a, world.south_a)]
    left = services.propose(academy=world.north_b, year=year, tier=3, rationale="Below.",
                            by=world[Role.EXECUTIVE])
    login(client, world, Role.EXECUTIVE)
    board = client.get(reverse("tiers:board")).content.decode()
    awaiting = section(board, "awaiting")
    assert all(str(a.uuid) in awaiting for a in [*ticked, left])
    response = client.post(reverse("tiers:agree-many"), {
        "assignments": [str(a.uuid) for a in ticked], "board_meeting": "2025-10-14",
        "board_minute": "TB/25/7", "year": "2025", **{f"version-{a.uuid}": a.version for a in ticked},
    })
    assert response.status_code == 302
    statuses = dict(TierAssignment.objects.values_list("academy__name", "status"))
    assert statuses == {"North A": "agreed", "South A": "agreed", "North B": "proposed"}
    assert set(TierAssignment.objects.agreed().values_list("board_minute", flat=True)) == {"TB/25/7"}


def test_agree_many_without_a_meeting_agrees_nothing(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Close.",
                                by=world[Role.EXECUTIVE])
    login(client, world, Role.TRUSTEE)
    response = client.post(reverse("tiers:agree-many"), {"assignments": [str(proposal.uuid)],
                                                         "board_meeting": ""}, follow=True)
    assert "Nothing was agreed" in response.content.decode()
    assert TierAssignment.objects.get(pk=proposal.pk).status == "proposed"


def _definition_post(definition, version, name):
    return {
        "name": name, "led_by": "academy", "summary": "Changed.", "version": str(version),
        "descriptors-TOTAL_FORMS": "1", "descriptors-INITIAL_FORMS": "0",
        "descriptors-0-area": "safeguarding", "descriptors-0-text": "Safeguarding is exemplary.",
        "entitlements-TOTAL_FORMS": "1", "entitlements-INITIAL_FORMS": "0",
        "entitlements-0-kind": "ceo_one_to_one", "entitlements-0-cadence": "weekly",
        "entitlements-0-description": "Weekly.",
    }


def test_definition_edit_with_a_stale_version_changes_nothing(client, world, year):
    definition = services.definitions_for(year)[0]
    login(client, world, Role.EXECUTIVE)
    url = reverse("tiers:definition-edit", kwargs={"start_year": 2025, "number": 1})
    opened = definition.version
    assert client.post(url, _definition_post(definition, opened, "Flourish")).status_code == 302
    saved = TierDefinition.objects.get(pk=definition.pk)
    descriptors = list(saved.descriptors.values_list("text", flat=True))

    response = client.post(url, _definition_post(definition, opened, "Excel"))
    assert response.status_code == 200
    assert "Someone saved this tier since you opened it" in response.content.decode()
    definition.refresh_from_db()
    assert definition.name == "Flourish"
    assert list(definition.descriptors.values_list("text", flat=True)) == descriptors


def test_definitions_page_shows_the_four_tiers_with_support(client, world, year):
    html = login(client, world, Role.GOVERNOR).get(reverse("tiers:definitions")).content.decode()
    for number, name in [(1, "Lead"), (2, "Grow"), (3, "Reinvent"), (4, "Stabilise")]:
        assert f"Tier {number} {name}" in section(html, f"definition-{number}")
    assert "CEO one-to-one</strong> (every week)" in section(html, "entitlements-4")
    assert "Change tier" not in html


def test_rule_edit_shows_the_models_validation_and_changes_nothing(client, world, year):
    rule = TierRule.objects.create(name="Open risks", kind="open_risks", lead_from=5, grow_from=12,
                                   reinvent_from=16)
    login(client, world, Role.ADMINISTRATOR)
    response = client.post(reverse("tiers:rule-edit", kwargs={"pk": rule.pk}), {
        "name": "Open risks", "kind": "open_risks", "active": "on", "weight": "1", "pupil_group": "all",
        "lead_from": "16", "grow_from": "12", "reinvent_from": "5", "trend_margin": "1",
        "max_age_months": "0", "order": "0",
    })
    assert response.status_code == 200
    assert "For risk scores, lower is better" in response.content.decode()
    rule.refresh_from_db()
    assert rule.lead_from == 5


def test_saving_a_rule_recalculates_the_recommendations(client, world, year, eager,
                                                        django_capture_on_commit_callbacks):
    TierRule.objects.all().delete()
    login(client, world, Role.EXECUTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tiers:rule-create"), {
            "name": "Open risks", "kind": "open_risks", "active": "on", "weight": "1", "pupil_group": "all",
            "lead_from": "5", "grow_from": "12", "reinvent_from": "16", "trend_margin": "1",
            "max_age_months": "0", "order": "0",
        })
    assert response.status_code == 302
    assert TierRecommendation.objects.current().filter(academy=world.north_a).exists()


def test_board_query_count_does_not_grow_with_the_academies(client, world, year):
    login(client, world, Role.EXECUTIVE)
    url = reverse("tiers:board")
    agreed(world, world.north_a, year, 2)
    recommend(world.north_a, year, 3, agreed_tier=2)
    services.propose(academy=world.north_b, year=year, tier=3, rationale="Below.", by=world[Role.EXECUTIVE])
    client.get(url)  # the year's definitions are made on first view
    _, few = queries_for(client, url)

    for n in range(8):
        academy = AcademyFactory(trust=world.trust, hub=world.south if n % 2 else world.north,
                                 name=f"Extra {n}")
        agreed(world, academy, year, 1 + n % 4)
        recommend(academy, year, 1 + (n + 1) % 4, agreed_tier=1 + n % 4)
    response, many = queries_for(client, url)
    assert response.content.decode().count("data-urn=") == 12
    # Session and user, the scope, the menu's unread count, the year, the filter's hubs, the
    # definitions (with descriptors and entitlements), the academies, their assignments, last
    # year's tiers, the recommendations and the proposals the person may decide.
    assert len(many) == len(few)


def test_editing_a_proposal_someone_changed_since_shows_the_stale_message(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Close.",
                                by=world[Role.EXECUTIVE])
    services.edit_proposal(proposal, by=world[Role.SIEL], version=proposal.version, tier=3,
                           rationale="Worse than we thought.")
    login(client, world, Role.HUB_LEAD)
    response = client.post(reverse("tiers:assignment-edit", kwargs={"uuid": proposal.uuid}),
                           {"tier": "1", "rationale": "Better.", "version": "1"})
    assert response.status_code == 200
    assert "Someone changed the proposal for North A since you opened it" in response.content.decode()
    assert TierAssignment.objects.get(pk=proposal.pk).tier == 3


def test_agree_many_refuses_a_table_changed_since_the_board_read_it(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Close to national.",
                                by=world[Role.EXECUTIVE])
    read = proposal.version
    services.edit_proposal(proposal, by=world[Role.SIEL], version=read, tier=4,
                           rationale="Worse than we thought.")
    login(client, world, Role.EXECUTIVE)
    response = client.post(reverse("tiers:agree-many"), {
        "assignments": [str(proposal.uuid)], "board_meeting": "2025-10-14", "board_minute": "TB/25/8",
        "year": "2025", f"version-{proposal.uuid}": read,
    }, follow=True)
    assert "Someone changed the proposal for North A since you opened it" in response.content.decode()
    assert TierAssignment.objects.get(pk=proposal.pk).status == "proposed"


def test_a_reclassification_is_offered_only_the_other_tiers(client, world, year):
    proposal = services.propose(academy=world.north_a, year=year, tier=2, rationale="Close to national.",
                                by=world[Role.EXECUTIVE])
    services.agree(proposal, by=world[Role.TRUSTEE], board_meeting=datetime.date(2025, 10, 14))
    login(client, world, Role.SIEL)
    form = client.get(reverse("tiers:propose", kwargs={"urn": world.north_a.urn})).context["form"]
    assert [number for number, _ in form.fields["tier"].choices] == [1, 3, 4]
    assert "exceptional_reason" in form.fields
