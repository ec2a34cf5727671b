"""The targets pages as each person uses them: the headteacher adds and proposes, a governor
records the LGB's review, a trustee agrees (one at a time or a meeting's list), an executive
amends an agreed target with a reason; and each refuses the wrong role or a skipped step."""

import datetime
import re
import uuid
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from academies.models import Measure, Target, TargetEvent
from tests.access_cases.data import make_comparator, make_result
from tests.access_cases.targets import make_target
from tests.factories import Role
from tests.utils import queries_for
from trust.models import Notification

S = Target.Status
# 2025/26, before the board's deadline; 13:00 in London, where the pages tell the time.
TODAY = datetime.datetime(2025, 10, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def text(response):
    """The page as a person reads it: tags gone, spaces collapsed."""
    return words(response.content.decode())


def words(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def targets_url(academy, **params):
    url = reverse("academies:targets", kwargs={"urn": academy.urn})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def step_url(name, target):
    return reverse(f"academies:target-{name}", kwargs={"urn": target.academy.urn, "uuid": target.uuid})


def detail_url(target):
    return reverse("academies:target", kwargs={"urn": target.academy.urn, "uuid": target.uuid})


def board_url(**params):
    url = reverse("academies:targets-board")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def as_(client, world, role):
    client.force_login(world[role])
    return client


def status_of(target):
    target.refresh_from_db()
    return target.status


def new_target(**changes):
    data = {"academic_year": "2025", "measure": Measure.objects.get(code="ks2_expected").pk,
            "pupil_group": "all", "year_group": "", "subject": "rwm", "value": "66",
            "rationale": "Build on last year.", "standard": ""}
    data.update(changes)
    return data


# Adding a target ---------------------------------------------------------------------------

def test_suggestions_are_shown_beside_the_value_which_starts_at_the_challenge(client, world):
    make_result(world.north_a, value="64", start_year=2024)
    make_comparator(value="61", start_year=2024)
    ks2 = Measure.objects.get(code="ks2_expected")
    page = as_(client, world, Role.HEADTEACHER).get(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}),
        {"academic_year": "2025", "measure": ks2.pk, "pupil_group": "all", "subject": "rwm"},
    )
    assert page.status_code == 200
    suggestions = re.search(r'data-testid="suggestions">(.*?)</section>', page.content.decode(), re.S)[1]
    shown = words(suggestions)
    assert "Last year's result (2024/25) 64%" in shown
    assert "National (latest published) 61%" in shown
    assert "Last year's result with the trust's challenge 66%" in shown
    assert re.search(r'name="value" value="66"', page.content.decode())


def test_suggest_values_shows_the_form_again_without_adding_anything(client, world):
    make_result(world.north_a, value="64", start_year=2024)
    page = as_(client, world, Role.HEADTEACHER).post(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}),
        {**new_target(value=""), "suggest": "1"},
    )
    assert page.status_code == 200
    assert "Last year's result with the trust's challenge 66%" in text(page)
    assert re.search(r'name="value" value="66"', page.content.decode())
    assert not Target.objects.exists()


def test_without_a_measure_the_page_says_how_to_get_suggestions(client, world):
    page = as_(client, world, Role.HEADTEACHER).get(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}))
    assert "then “Suggest values for this figure”" in text(page)


def test_a_headteacher_adds_a_draft_target(client, world):
    response = as_(client, world, Role.HEADTEACHER).post(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}), new_target(value="66"),
    )
    target = Target.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{targets_url(world.north_a, year='2025/26')}#target-{target.uuid}"
    assert (target.status, target.value, target.academic_year.label) == (S.DRAFT, Decimal("66"), "2025/26")
    assert target.events.get().action == TargetEvent.Action.CREATED
    page = client.get(response["Location"])
    assert ("Target added as a draft: KS2 expected standard (All pupils, Reading, writing and maths), "
            "2025/26.") in text(page)


def test_the_measures_offered_are_those_of_the_academys_phase(client, world):
    attainment8 = Measure.objects.get(code="ks4_attainment8")
    pupil_premium = Measure.objects.get(code="pupil_premium")
    client = as_(client, world, Role.HEADTEACHER)
    form = client.get(reverse("academies:target-create", kwargs={"urn": world.north_a.urn}))
    offered = re.search(r'<select name="measure".*?</select>', form.content.decode(), re.S)[0]
    assert 'value="{}"'.format(Measure.objects.get(code="ks2_expected").pk) in offered
    assert f'value="{attainment8.pk}"' not in offered
    assert f'value="{pupil_premium.pk}"' not in offered  # a context figure
    for forged in (attainment8, pupil_premium):
        page = client.post(reverse("academies:target-create", kwargs={"urn": world.north_a.urn}),
                           new_target(measure=forged.pk))
        assert page.status_code == 200
        assert "Select a valid choice" in text(page)
    assert not Target.objects.exists()


def test_the_same_figure_twice_in_a_year_is_refused(client, world):
    make_target(world.north_a, start_year=2025)
    page = as_(client, world, Role.HEADTEACHER).post(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}), new_target())
    assert "North A already has a target for this measure, pupil group, year group and subject in 2025/26" \
        in text(page)
    assert Target.objects.count() == 1


def test_a_percentage_above_100_is_refused_by_the_model_and_shown_on_the_field(client, world):
    page = as_(client, world, Role.HEADTEACHER).post(
        reverse("academies:target-create", kwargs={"urn": world.north_a.urn}), new_target(value="120"))
    assert "A percentage target must be between 0 and 100." in text(page)
    assert not Target.objects.exists()


def test_a_governor_may_not_add_a_target(client, world):
    url = reverse("academies:target-create", kwargs={"urn": world.north_a.urn})
    assert as_(client, world, Role.GOVERNOR).post(url, new_target()).status_code == 403
    assert not Target.objects.exists()


# Editing a draft ----------------------------------------------------------------------------

def test_a_draft_is_edited_and_the_change_is_in_its_history(client, world):
    target = make_target(world.north_a, start_year=2025, value="70")
    response = as_(client, world, Role.HEADTEACHER).post(
        step_url("edit", target), new_target(value="72", pupil_group="disadvantaged"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.pupil_group) == (Decimal("72"), "disadvantaged")
    history = text(client.get(detail_url(target)))
    assert "Target: 70% → changed to 72%" in history
    assert "Pupil group: All pupils → changed to Disadvantaged" in history


def test_a_proposed_target_is_not_edited(client, world):
    target = make_target(world.north_a, S.PROPOSED, start_year=2025, value="70")
    client = as_(client, world, Role.HEADTEACHER)
    assert "only a draft can be edited" in text(client.get(step_url("edit", target)))
    client.post(step_url("edit", target), new_target(value="50"))
    target.refresh_from_db()
    assert target.value == Decimal("70")


# The workflow, step by step -------------------------------------------------------------------

def test_the_headteacher_proposes_and_the_governor_is_told(client, world, django_capture_on_commit_callbacks):
    target = make_target(world.north_a, start_year=2025)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(client, world, Role.HEADTEACHER).post(step_url("propose", target), {"next": "list"})
    assert response.status_code == 302
    assert status_of(target) == S.PROPOSED
    told = Notification.objects.get(user=world[Role.GOVERNOR])
    assert told.url == targets_url(world.north_a)


@pytest.mark.parametrize(("step", "status", "data", "allowed", "refused"), [
    ("propose", S.DRAFT, {}, Role.HEADTEACHER, [Role.GOVERNOR, Role.TRUSTEE, Role.SIEL]),
    ("review", S.PROPOSED, {"comments": "Agreed at the LGB."}, Role.GOVERNOR,
     [Role.HEADTEACHER, Role.EXECUTIVE, Role.TRUSTEE]),
    ("agree", S.REVIEWED, {"meeting": "2025-09-30", "minute": "TB 6"}, Role.TRUSTEE,
     [Role.HEADTEACHER, Role.GOVERNOR, Role.HUB_LEAD]),
])
def test_each_step_by_the_right_role_works_and_by_the_wrong_role_is_403(
    client, world, step, status, data, allowed, refused
):
    target = make_target(world.north_a, status, start_year=2025)
    for role in refused:
        assert as_(client, world, role).post(step_url(step, target), data).status_code == 403, role
        assert status_of(target) == status
        assert not target.events.exists()
    response = as_(client, world, allowed).post(step_url(step, target), {**data, "next": "detail"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(target)
    assert status_of(target) != status
    event = target.events.get()
    assert (event.by, event.from_status, event.to_status) == (world[allowed], status, target.status)


def test_the_governor_sees_the_review_form_on_proposed_targets_only(client, world):
    proposed = make_target(world.north_a, S.PROPOSED, start_year=2025)
    draft = make_target(world.north_a, start_year=2025, pupil_group="disadvantaged")
    page = as_(client, world, Role.GOVERNOR).get(targets_url(world.north_a)).content.decode()
    assert step_url("review", proposed) in page
    assert step_url("review", draft) not in page
    assert step_url("propose", draft) not in page
    assert "The LGB's comments" in page


def test_buttons_are_those_of_the_persons_role(client, world):
    draft = make_target(world.north_a, start_year=2025)
    reviewed = make_target(world.north_a, S.REVIEWED, start_year=2025, pupil_group="disadvantaged")
    agreed = make_target(world.north_a, S.AGREED, start_year=2025, pupil_group="boys")
    head = as_(client, world, Role.HEADTEACHER).get(targets_url(world.north_a)).content.decode()
    assert step_url("propose", draft) in head and step_url("edit", draft) in head
    assert step_url("agree", reviewed) not in head and step_url("amend", agreed) not in head
    trustee = as_(client, world, Role.TRUSTEE).get(targets_url(world.north_a)).content.decode()
    assert step_url("agree", reviewed) in trustee and step_url("amend", agreed) in trustee
    assert step_url("return", reviewed) in trustee
    assert step_url("propose", draft) not in trustee and "Add a target" not in trustee
    siel = as_(client, world, Role.SIEL).get(targets_url(world.north_a)).content.decode()
    assert "Next step" not in siel and "<form method=\"post\"" not in siel.split("Targets for 2025/26")[1]


def test_a_review_without_comments_is_shown_as_an_error_and_changes_nothing(client, world):
    target = make_target(world.north_a, S.PROPOSED, start_year=2025)
    page = as_(client, world, Role.GOVERNOR).post(step_url("review", target), {"comments": " "})
    assert page.status_code == 200
    assert "Record the LGB's comments on the target." in text(page)
    assert status_of(target) == S.PROPOSED


def test_steps_cannot_be_skipped(client, world):
    draft = make_target(world.north_a, start_year=2025)
    page = as_(client, world, Role.TRUSTEE).post(step_url("agree", draft), {"meeting": "2025-09-30"})
    assert page.status_code == 200
    assert "This target is a draft" in text(page)
    assert 'role="alert"' in page.content.decode()
    assert status_of(draft) == S.DRAFT
    assert not draft.events.exists()
    page = as_(client, world, Role.GOVERNOR).post(step_url("review", draft), {"comments": "Fine."})
    assert "This target is a draft" in text(page)
    assert status_of(draft) == S.DRAFT


def test_a_board_meeting_in_the_future_is_refused(client, world):
    target = make_target(world.north_a, S.REVIEWED, start_year=2025)
    page = as_(client, world, Role.EXECUTIVE).post(step_url("agree", target), {"meeting": "2025-10-20"})
    assert "The board meeting cannot be in the future" in text(page)
    assert status_of(target) == S.REVIEWED


def test_a_governor_returns_a_proposed_target_with_comments(client, world):
    target = make_target(world.north_a, S.PROPOSED, start_year=2025)
    client = as_(client, world, Role.GOVERNOR)
    page = client.post(step_url("return", target), {"comments": ""})
    assert "Say why the target goes back to draft." in text(page)
    assert status_of(target) == S.PROPOSED
    client.post(step_url("return", target), {"comments": "Too low for this cohort."})
    assert status_of(target) == S.DRAFT
    assert target.events.get().reason == "Too low for this cohort."


def test_an_amendment_needs_a_reason_and_its_history_says_who_when_and_why(client, world):
    target = make_target(world.north_a, S.AGREED, start_year=2025, value="70")
    client = as_(client, world, Role.EXECUTIVE)
    page = client.post(step_url("amend", target), {"value": "68", "rationale": "", "reason": ""})
    assert "A change to an agreed target needs a reason." in text(page)
    target.refresh_from_db()
    assert target.value == Decimal("70")
    response = client.post(step_url("amend", target),
                           {"value": "68", "rationale": "", "reason": "Ten pupils joined with EHC plans."})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.value) == (S.AGREED, Decimal("68"))
    history = text(client.get(detail_url(target)))
    executive = world[Role.EXECUTIVE].full_name
    assert f"1 Oct 2025, 13:00 {executive} Changed after agreement Ten pupils joined with EHC plans." \
        in history
    assert "Target: 70% → changed to 68%" in history


def test_a_governor_may_not_amend(client, world):
    target = make_target(world.north_a, S.AGREED, start_year=2025, value="70")
    url = step_url("amend", target)
    client = as_(client, world, Role.GOVERNOR)
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "50", "reason": "Because."}).status_code == 403
    target.refresh_from_db()
    assert target.value == Decimal("70")


def test_out_of_scope_is_404_for_every_page_and_step(client, world):
    target = make_target(world.south_a, S.PROPOSED, start_year=2025)
    client = as_(client, world, Role.HEADTEACHER)
    assert client.get(targets_url(world.south_a)).status_code == 404
    assert client.get(detail_url(target)).status_code == 404
    for step in ("propose", "review", "return", "agree"):
        assert client.post(step_url(step, target), {"comments": "x"}).status_code == 404
    # The right target under another academy's URN is not found either.
    wrong = reverse("academies:target", kwargs={"urn": world.north_a.urn, "uuid": target.uuid})
    assert client.get(wrong).status_code == 404


# The academy's targets page -----------------------------------------------------------------

def test_the_page_groups_targets_by_status_with_progress_in_words_and_symbols(client, world):
    make_target(world.north_a, S.AGREED, start_year=2025, value="66", progress=Target.Progress.AT_RISK,
                progress_value=Decimal("64"), board_minute="TB 6")
    make_target(world.north_a, S.PROPOSED, start_year=2025, pupil_group="disadvantaged",
                rationale="Close the gap by a third.")
    page = text(as_(client, world, Role.HEADTEACHER).get(targets_url(world.north_a)))
    proposed = page.index("Proposed 1")
    agreed = page.index("Agreed by the Trust Board 1")
    assert page.index("Draft 0") < proposed < page.index("Reviewed by the LGB 0") < agreed
    assert "⚠ At risk Latest: 64%" in page[agreed:]
    assert "Agreed at the meeting of 15 Oct 2025, minute TB 6" in page[agreed:]
    assert "○ No data yet" in page[proposed:agreed]
    assert "Close the gap by a third." in page[proposed:agreed]


def test_targets_not_agreed_by_the_deadline_are_flagged(client, world):
    make_target(world.north_a, S.REVIEWED, start_year=2025)
    make_target(world.north_a, S.AGREED, start_year=2025, pupil_group="boys")
    with time_machine.travel(datetime.datetime(2025, 11, 3, 12, 0, tzinfo=datetime.UTC), tick=False):
        page = text(as_(client, world, Role.TRUSTEE).get(targets_url(world.north_a)))
    assert "1 target of 2025/26 was not agreed by the Trust Board's deadline of 31 October 2025." in page
    assert page.count("Not agreed by the deadline (31 Oct 2025)") == 1


def test_another_year_is_chosen_with_year(client, world):
    make_target(world.north_a, start_year=2024, value="61")
    make_target(world.north_a, start_year=2025, value="66")
    client = as_(client, world, Role.GOVERNOR)
    last = text(client.get(targets_url(world.north_a, year="2024/25")))
    assert "Targets for 2024/25" in last and "61%" in last and "66%" not in last
    this = text(client.get(targets_url(world.north_a)))
    assert "Targets for 2025/26" in this and "66%" in this and "61%" not in this
    junk = text(client.get(targets_url(world.north_a, year="2025-26")))
    assert "Give the academic year as, for example, 2024/25." in junk and "Targets for 2025/26" in junk


def test_the_targets_page_costs_the_same_queries_for_two_targets_or_twelve(client, world):
    client = as_(client, world, Role.EXECUTIVE)

    def add(groups):
        for status, group in zip([*S.values] * 3, groups, strict=False):
            target = make_target(world.north_a, status, start_year=2025, pupil_group=group,
                                 reviewed_by=world[Role.GOVERNOR], agreed_by=world[Role.TRUSTEE])
            TargetEvent.objects.create(target=target, action="created", by=world[Role.HEADTEACHER])

    add(["all", "boys"])
    client.get(targets_url(world.north_a))  # the trust's target settings are made on first use
    _, few = queries_for(client, targets_url(world.north_a))
    add(["girls", "eal", "sen", "ehcp", "sen_support", "disadvantaged", "not_disadvantaged", "low_prior",
         "middle_prior", "high_prior"])
    page, many = queries_for(client, targets_url(world.north_a))
    assert page.status_code == 200 and page.content.decode().count('<tr id="target-') == 12
    assert len(many) == len(few), "\n".join(many)


def test_the_target_page_shows_its_history(client, world):
    target = make_target(world.north_a, start_year=2025)
    client = as_(client, world, Role.HEADTEACHER)
    client.post(step_url("propose", target))
    page = text(client.get(detail_url(target)))
    assert f"1 Oct 2025, 13:00 {world[Role.HEADTEACHER].full_name} Proposed" in page


# The Trust Board's list ---------------------------------------------------------------------

@pytest.fixture
def board(world):
    """Reviewed targets in both hubs, and targets in other states that are not the board's yet."""
    return {
        "north": make_target(world.north_a, S.REVIEWED, start_year=2025),
        "north_b": make_target(world.north_b, S.REVIEWED, start_year=2025),
        "south": make_target(world.south_a, S.REVIEWED, start_year=2025),
        "draft": make_target(world.north_a, S.DRAFT, start_year=2025, pupil_group="boys"),
        "agreed": make_target(world.south_a, S.AGREED, start_year=2025, pupil_group="girls"),
    }


def test_the_board_sees_reviewed_targets_across_the_trust_filtered_by_hub_and_academy(client, world, board):
    client = as_(client, world, Role.TRUSTEE)
    page = client.get(board_url()).content.decode()
    shown = set(re.findall(r'name="targets" value="([0-9a-f-]+)"', page))
    assert shown == {str(board[k].uuid) for k in ("north", "north_b", "south")}
    north = client.get(board_url(hub="north")).content.decode()
    assert set(re.findall(r'name="targets" value="([0-9a-f-]+)"', north)) == {
        str(board["north"].uuid), str(board["north_b"].uuid)}
    one = client.get(board_url(academy=world.south_a.urn)).content.decode()
    assert set(re.findall(r'name="targets" value="([0-9a-f-]+)"', one)) == {str(board["south"].uuid)}


def test_the_board_agrees_the_ticked_targets_in_one_post_and_reports_the_others(client, world, board):
    client = as_(client, world, Role.TRUSTEE)
    ticked = [board["north"], board["south"], board["draft"]]
    response = client.post(board_url(hub="north"), {
        "targets": [str(t.uuid) for t in ticked], "meeting": "2025-09-30", "minute": "TB 25/09 item 4",
    })
    assert response.status_code == 302 and response["Location"] == board_url(hub="north")
    expected = {"north": S.AGREED, "south": S.AGREED, "draft": S.DRAFT, "north_b": S.REVIEWED}
    assert {key: status_of(board[key]) for key in expected} == expected
    board["north"].refresh_from_db()
    assert (board["north"].board_meeting, board["north"].board_minute) == (
        datetime.date(2025, 9, 30), "TB 25/09 item 4")
    page = text(client.get(response["Location"]))
    assert "Agreed 2 targets for the Trust Board meeting of 30 September 2025." in page
    assert ("Not agreed (1): This target is a draft; this step needs it reviewed by the LGB. "
            "North A: KS2 expected standard (Boys, Reading, writing and maths), 2025/26.") in page


def test_the_board_needs_a_meeting_date_and_a_ticked_target(client, world, board):
    client = as_(client, world, Role.EXECUTIVE)
    page = client.post(board_url(), {"targets": [str(board["north"].uuid)], "minute": "TB 1"})
    assert page.status_code == 200 and "Give the date of the board meeting." in text(page)
    assert 'value="{}" id="agree-{}" checked'.format(board["north"].uuid, board["north"].uuid) \
        in page.content.decode()
    page = client.post(board_url(), {"meeting": "2025-09-30"})
    assert "Tick the targets the board agreed." in text(page)
    assert Target.objects.filter(status=S.AGREED).count() == 1


def test_a_target_that_is_not_there_cannot_be_forged_into_the_board_list(client, world, board):
    page = as_(client, world, Role.TRUSTEE).post(
        board_url(), {"targets": [str(board["north"].uuid), str(uuid.uuid4())], "meeting": "2025-09-30"})
    assert "Select a valid choice" in text(page)
    assert status_of(board["north"]) == S.REVIEWED


@pytest.mark.parametrize("role", [Role.HUB_LEAD, Role.HEADTEACHER, Role.GOVERNOR, Role.SIEL])
def test_only_trustees_and_executives_use_the_board_list(client, world, board, role):
    client = as_(client, world, role)
    assert client.get(board_url()).status_code == 403
    assert client.post(board_url(), {"targets": [str(board["north"].uuid)],
                                     "meeting": "2025-09-30"}).status_code == 403
    assert status_of(board["north"]) == S.REVIEWED


def test_tick_all_ticks_every_target_shown(client, world, board):
    page = as_(client, world, Role.TRUSTEE).get(board_url(hub="north", all=1)).content.decode()
    assert page.count("checked") == 2


def test_the_board_list_costs_the_same_queries_for_few_targets_or_many(client, world, board):
    client = as_(client, world, Role.TRUSTEE)
    client.get(board_url())
    _, few = queries_for(client, board_url())
    for group in ("eal", "sen", "ehcp", "boys"):
        for academy in (world.north_b, world.south_b):
            make_target(academy, S.REVIEWED, start_year=2025, pupil_group=group,
                        reviewed_by=world[Role.GOVERNOR])
    page, many = queries_for(client, board_url())
    assert page.status_code == 200 and page.content.decode().count('name="targets"') == 11
    assert len(many) == len(few), "\n".join(many)
