"""Development plans: the page, its forms and their rules, common priorities across the trust, and
the plans API. Scoping of every URL is in tests/access_cases/plans.py; here is what people notice."""

import datetime
import html
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from academies import plans as services
from academies.models import (
    DevelopmentPlan,
    PerformanceStandard,
    PlanAction,
    Priority,
    ProgressReview,
    Target,
)
from tests.access_cases.plans import make_action, make_plan, make_priority, make_review, make_target
from tests.factories import AcademyFactory, Role
from tests.utils import queries_for
from trust.models import AcademicYear

R = Role
# Frozen in the spring term of 2025/26, so "current year" and "overdue" are fixed.
TODAY = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _spring_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def year(start):
    return AcademicYear.for_date(datetime.date(start, 9, 1))


def plan_url(academy, **query):
    url = at("plan", academy)
    return f"{url}?year={query['year']}" if "year" in query else url


def at(name, academy, obj=None):
    """The URL `name` of the academy's plan, for `obj` (a priority or an action) when it takes one."""
    return reverse(f"academies:{name}", kwargs={"urn": academy.urn, **({"uuid": obj.uuid} if obj else {})})


def text_of(markup):
    """What a reader sees: the words, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def text(response):
    return text_of(response.content.decode())


def priority_post(target_ids=(), **changes):
    data = {"year": "2025/26", "title": "Close the disadvantaged gap in reading", "theme": "disadvantaged",
            "description": "Tutoring and fluency work for Year 5 and 6.",
            "targets": [str(pk) for pk in target_ids]}
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------
# The plan page


def test_the_plan_shows_each_priority_with_its_targets_actions_and_reviews(client, world):
    priority = make_priority(world.north_a, title="Every pupil reads fluently by the end of Year 2")
    target = make_target(world.north_a, value="72", progress=Target.Progress.AT_RISK)
    standard = PerformanceStandard.objects.create(code="gap", title="Eradicate the disadvantaged gap",
                                                  rule="gap_closed")
    priority.targets.add(target)
    priority.standards.add(standard)
    make_action(priority, title="Phonics training for every adult", owner="Reading lead",
                starts_on=datetime.date(2025, 9, 8), due_on=datetime.date(2026, 1, 31), status="in_progress",
                milestones="Training in October\nFirst fluency check in January")
    make_action(priority, title="Fluency checks each half term", owner="Year 2 team",
                due_on=datetime.date(2026, 7, 17))
    review = make_review(priority, reviewed_on=datetime.date(2025, 12, 10), rag="amber",
                         next_review=datetime.date(2026, 3, 10))
    services.review_record(priority=priority, by=world[R.HEADTEACHER], reviewed_on=review.reviewed_on,
                           rag="amber", commentary="Recorded again through the service.",
                           next_review=datetime.date(2026, 3, 10))

    client.force_login(world[R.GOVERNOR])
    page = text(client.get(plan_url(world.north_a)))

    assert "Development plan 2025/26: North A" in page
    assert "1. Every pupil reads fluently by the end of Year 2" in page
    assert "Theme: Reading and phonics" in page
    assert "KS2 expected standard, Reading, writing and maths: 72%" in page
    assert "(Agreed by the Trust Board)" in page and "At risk" in page
    assert "Standard: Eradicate the disadvantaged gap" in page
    assert "Phonics training for every adult Reading lead 8 Sep 2025 31 Jan 2026" in page
    assert "Training in October First fluency check in January" in page
    assert "Latest rating: ▲ Amber: some concerns" in page
    assert "Next review: 10 March 2026" in page
    assert "Training done; fluency checks not yet showing the gain." in page
    # Only the action past its due date is flagged.
    assert page.count("✖ Overdue") == 1
    assert re.search(r"Phonics training for every adult.*?Overdue.*?In progress", page)
    # A governor reads the plan but is offered no forms.
    assert "Add a priority" not in page and "Record a progress review" not in page
    assert "Edit priority" not in page


def test_the_year_can_be_chosen_and_defaults_to_the_current_one(client, world):
    make_priority(world.north_a, year=year(2024), title="Last year's big move")
    make_priority(world.north_a, year=year(2025), title="This year's big move")
    client.force_login(world[R.HEADTEACHER])

    assert "This year's big move" in text(client.get(plan_url(world.north_a)))
    last = text(client.get(plan_url(world.north_a, year="2024/25")))
    assert "Development plan 2024/25" in last and "Last year's big move" in last
    assert "This year's big move" not in last
    upcoming = text(client.get(plan_url(world.north_a, year="2026/27")))
    assert "North A has no development plan for 2026/27 yet. Add its first priority below." in upcoming
    wrong = text(client.get(plan_url(world.north_a, year="2019/20")))
    assert "There is no plan to show or write for 2019/20. Showing 2025/26." in wrong


def test_the_plan_page_costs_the_same_queries_however_big_the_plan(client, world):
    def build(academy, priorities):
        for number in range(priorities):
            priority = make_priority(academy, title=f"Priority {number}", order=number + 1)
            group = ["all", "disadvantaged", "girls"][number]
            priority.targets.add(make_target(academy, pupil_group=group))
            make_action(priority)
            make_action(priority, title="Second action")
            make_review(priority)

    build(world.north_a, 1)
    build(world.north_b, 3)
    client.force_login(world[R.HUB_LEAD])
    small, small_queries = queries_for(client, plan_url(world.north_a))
    large, large_queries = queries_for(client, plan_url(world.north_b))
    assert small.status_code == large.status_code == 200
    assert "Priority 2" in text(large)
    assert len(small_queries) == len(large_queries)
    # Session, user, memberships, academy, the years offered; the plan, its priorities and their
    # targets, standards, aims, actions and reviews; unread notifications (menu); session saved.
    client.force_login(world[R.GOVERNOR])
    response, statements = queries_for(client, plan_url(world.north_a))
    assert response.status_code == 200
    assert len(statements) == 14, "\n".join(statements)


# ---------------------------------------------------------------------------------------------
# Changing the plan


def test_the_headteacher_adds_a_priority_linked_to_a_target_of_their_academy(client, world):
    target = make_target(world.north_a, pupil_group="disadvantaged")
    client.force_login(world[R.HEADTEACHER])
    response = client.post(at("plan-priority-create", world.north_a),
                           priority_post([target.pk]))
    assert response.status_code == 302
    priority = Priority.objects.get()
    assert priority.plan.academy == world.north_a and priority.plan.academic_year.label == "2025/26"
    assert list(priority.targets.all()) == [target]
    assert priority.order == 1
    page = text(client.get(response["Location"]))
    assert "Priority added to the 2025/26 plan: Close the disadvantaged gap in reading." in page
    assert "1. Close the disadvantaged gap in reading" in page
    assert "KS2 expected standard, disadvantaged, Reading, writing and maths: 72%" in page


def test_the_form_offers_only_targets_of_the_academy_and_year(client, world):
    own = make_target(world.north_a, value="71")
    make_target(world.north_a, year=year(2024), value="64")
    make_target(world.north_b, value="88")
    client.force_login(world[R.HEADTEACHER])
    page = text(client.get(plan_url(world.north_a)))
    assert "Add a priority to the 2025/26 plan" in page
    assert "71% (Agreed by the Trust Board)" in page
    assert "64%" not in page and "88%" not in page
    assert own.pk


@pytest.mark.parametrize("where", ["another academy", "another year"])
def test_a_forged_target_id_is_refused(client, world, where):
    stray = (make_target(world.north_b) if where == "another academy"
             else make_target(world.north_a, year=year(2024)))
    client.force_login(world[R.HEADTEACHER])
    response = client.post(at("plan-priority-create", world.north_a),
                           priority_post([stray.pk]))
    assert response.status_code == 200
    assert (f"There is a problem Targets this priority works towards: Select a valid choice. {stray.pk} "
            "is not one of the available choices.") in text(response)
    assert not Priority.objects.exists()
    assert not DevelopmentPlan.objects.exists()


def test_the_service_refuses_a_target_of_another_academy_too(world):
    plan = make_plan(world.north_a, year=year(2025))
    with pytest.raises(ValidationError, match="its own academy and year"):
        services.priority_create(plan=plan, by=world[R.EXECUTIVE], title="Maths", theme="maths",
                                 targets=[make_target(world.north_b)])
    with pytest.raises(PermissionDenied):
        services.priority_create(plan=plan, by=world[R.GOVERNOR], title="Maths", theme="maths")
    assert not Priority.objects.exists()


def test_next_years_plan_can_be_started_but_not_one_for_a_year_long_gone(client, world):
    client.force_login(world[R.HEADTEACHER])
    url = at("plan-priority-create", world.north_a)
    assert client.post(url, priority_post(year="2026/27")).status_code == 302
    assert DevelopmentPlan.objects.get().academic_year.label == "2026/27"
    refused = client.post(url, priority_post(year="2019/20", title="Back in time"))
    assert "There is no plan to show or write for 2019/20." in text(refused)
    assert not Priority.objects.filter(title="Back in time").exists()


def test_a_second_priority_goes_last_unless_placed(client, world):
    make_priority(world.north_a, order=1)
    client.force_login(world[R.HEADTEACHER])
    url = at("plan-priority-create", world.north_a)
    client.post(url, priority_post(title="Attendance", theme="attendance"))
    assert Priority.objects.get(title="Attendance").order == 2


def test_the_headteacher_edits_and_removes_a_priority(client, world):
    priority = make_priority(world.north_a)
    target = make_target(world.north_a)
    client.force_login(world[R.HEADTEACHER])
    edit = at("plan-priority-edit", world.north_a, priority)
    assert "Edit a priority" in text(client.get(edit))
    response = client.post(edit, {"title": "Reading for pleasure", "theme": "curriculum", "order": "3",
                                  "targets": [str(target.pk)]})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.title, priority.theme, priority.order) == ("Reading for pleasure", "curriculum", 3)
    assert list(priority.targets.all()) == [target]

    delete = at("plan-priority-delete", world.north_a, priority)
    page = text(client.get(client.post(delete)["Location"]))
    assert "Priority removed from the plan: Reading for pleasure." in page
    assert not Priority.objects.exists()


def test_a_refused_edit_does_not_show_the_refused_title_as_saved(client, world):
    priority = make_priority(world.north_a, title="Writing stamina")
    client.force_login(world[R.HEADTEACHER])
    edit = at("plan-priority-edit", world.north_a, priority)
    page = text(client.post(edit, {"title": "", "theme": "writing"}))
    assert "This field is required." in page
    assert "Writing stamina, in the 2025/26 development plan" in page


def test_actions_are_added_and_edited_and_dates_checked(client, world):
    priority = make_priority(world.north_a)
    client.force_login(world[R.HEADTEACHER])
    add = at("plan-action-create", world.north_a, priority)
    refused = client.post(add, {"title": "Tutoring", "owner": "Deputy head", "starts_on": "2026-03-01",
                                "due_on": "2026-02-01", "status": "not_started"})
    assert "The due date cannot be before the start date." in text(refused)
    assert not PlanAction.objects.exists()

    response = client.post(add, {"title": "Tutoring", "owner": "Deputy head", "starts_on": "2026-01-05",
                                 "due_on": "2026-02-06", "milestones": "Groups set\nFirst assessment",
                                 "status": "in_progress"})
    assert response.status_code == 302
    action = PlanAction.objects.get()
    page = text(client.get(response["Location"]))
    assert "Action added to “Every pupil reads fluently by the end of Year 2”: Tutoring." in page
    assert "✖ Overdue" in page  # due on 6 February, still in progress on the 10th

    edit = at("plan-action-edit", world.north_a, action)
    client.post(edit, {"title": "Tutoring", "owner": "Deputy head", "starts_on": "2026-01-05",
                       "due_on": "2026-02-06", "status": "done"})
    action.refresh_from_db()
    assert action.status == "done"
    assert "✖ Overdue" not in text(client.get(plan_url(world.north_a)))


def test_a_review_gives_the_priority_its_rating_and_next_review(client, world):
    priority = make_priority(world.north_a)
    client.force_login(world[R.HEADTEACHER])
    url = at("plan-review-create", world.north_a, priority)
    response = client.post(url, {"reviewed_on": "2026-02-09", "rag": "green", "next_review": "2026-04-20",
                                 "commentary": "Fluency up 12 points since October."})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.rag, priority.next_review) == ("green", datetime.date(2026, 4, 20))
    page = text(client.get(response["Location"]))
    assert "Review of “Every pupil reads fluently by the end of Year 2” recorded: Green: on track." in page
    assert "Latest rating: ✔ Green: on track" in page
    assert "Next review: 20 April 2026" in page

    # A review entered late for an earlier date is kept, but the latest review still rates the priority.
    client.post(url, {"reviewed_on": "2025-11-20", "rag": "red", "commentary": "Slow start.",
                      "next_review": "2026-01-15"})
    priority.refresh_from_db()
    assert (priority.rag, priority.next_review) == ("green", datetime.date(2026, 4, 20))
    assert ProgressReview.objects.count() == 2
    assert "Slow start." in text(client.get(plan_url(world.north_a)))


def test_a_review_in_the_future_or_with_an_earlier_next_review_is_refused(client, world):
    priority = make_priority(world.north_a)
    client.force_login(world[R.HEADTEACHER])
    url = at("plan-review-create", world.north_a, priority)
    future = text(client.post(url, {"reviewed_on": "2026-03-01", "rag": "green", "commentary": "x"}))
    assert "A review cannot be dated in the future." in future
    backwards = text(client.post(url, {"reviewed_on": "2026-02-01", "rag": "green", "commentary": "x",
                                       "next_review": "2026-01-01"}))
    assert "The next review must come after this one." in backwards
    assert not ProgressReview.objects.exists()
    priority.refresh_from_db()
    assert priority.rag == ""


def test_a_governor_may_not_change_the_plan(client, world):
    priority = make_priority(world.north_a)
    client.force_login(world[R.GOVERNOR])
    academy = world.north_a
    posts = [
        (at("plan-priority-create", academy), priority_post()),
        (at("plan-action-create", academy, priority),
         {"title": "x", "owner": "y", "due_on": "2026-03-01", "status": "not_started"}),
        (at("plan-review-create", academy, priority),
         {"reviewed_on": "2026-02-01", "rag": "red", "commentary": "x"}),
        (at("plan-priority-delete", academy, priority), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert Priority.objects.count() == 1
    assert not PlanAction.objects.exists() and not ProgressReview.objects.exists()


def test_people_outside_the_academy_get_404(client, world):
    priority = make_priority(world.north_b)
    client.force_login(world[R.HEADTEACHER])
    assert client.get(plan_url(world.north_b)).status_code == 404
    url = at("plan-review-create", world.north_b, priority)
    assert client.post(url, {"reviewed_on": "2026-02-01", "rag": "red", "commentary": "x"}).status_code == 404
    # The priority's id under the headteacher's own academy is no way in either.
    url = at("plan-review-create", world.north_a, priority)
    assert client.post(url, {"reviewed_on": "2026-02-01", "rag": "red", "commentary": "x"}).status_code == 404
    client.force_login(world[R.HUB_LEAD])
    assert client.get(plan_url(world.south_a)).status_code == 404
    assert not ProgressReview.objects.exists()


# ---------------------------------------------------------------------------------------------
# Common priorities


def common_url(**query):
    url = reverse("academies:priorities")
    return f"{url}?year={query['year']}" if query else url


def section(response, theme):
    """(how many academies, the text) of one theme's section of the common priorities page."""
    match = re.search(rf'<section[^>]*data-theme="{theme}">(.*?)</section>', response.content.decode(), re.S)
    assert match, f"no section for {theme}"
    words = text_of(match[1])
    return re.search(r"\d+ academ\w+", words)[0], words


@pytest.fixture
def shared_priorities(world):
    make_priority(world.north_a, title="Phonics first", theme="reading")
    make_priority(world.north_a, title="Times tables", theme="maths", order=2)
    make_priority(world.north_b, title="Fluency in Key Stage 1", theme="reading")
    south = make_priority(world.south_a, title="Reading across the curriculum", theme="reading")
    services.review_record(priority=south, by=world[R.EXECUTIVE], reviewed_on=datetime.date(2026, 1, 20),
                           rag="red", commentary="Behind.", next_review=datetime.date(2026, 3, 2))
    make_priority(world.south_b, year=year(2024), title="Last year's attendance drive", theme="attendance")


def test_common_priorities_are_grouped_by_theme_for_the_trust(client, world, shared_priorities):
    client.force_login(world[R.EXECUTIVE])
    response = client.get(common_url())
    page = text(response)
    count, reading = section(response, "reading")
    assert count == "3 academies"
    for line in ("North A North Phonics first", "North B North Fluency in Key Stage 1",
                 "South A South Reading across the curriculum ✖ Red: not on track 2 Mar 2026"):
        assert line in reading
    assert section(response, "maths")[0] == "1 academy"
    # The most shared theme comes first; last year's plans are not this year's.
    assert page.index("Reading and phonics") < page.index("Mathematics")
    assert "attendance drive" not in page
    assert "Last year's attendance drive" in text(client.get(common_url(year="2024/25")))


def test_common_priorities_are_scoped(client, world, shared_priorities):
    client.force_login(world[R.HUB_LEAD])
    response = client.get(common_url())
    page = text(response)
    assert section(response, "reading")[0] == "2 academies"
    assert "South A" not in page and "Reading across the curriculum" not in page

    client.force_login(world[R.GOVERNOR])
    response = client.get(common_url())
    page = text(response)
    assert "You see your own academy's priorities." in page
    assert section(response, "reading")[0] == "1 academy"
    assert "North B" not in page and "South A" not in page


def test_common_priorities_cost_the_same_queries_for_more_academies(client, world, shared_priorities):
    client.force_login(world[R.EXECUTIVE])
    _, before = queries_for(client, common_url())
    for number in range(4):
        academy = AcademyFactory(trust=world.trust, hub=world.south)
        make_priority(academy, title=f"Extra {number}", theme="send")
    response, after = queries_for(client, common_url())
    assert section(response, "send")[0] == "4 academies"
    assert len(before) == len(after)


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_lists_plans_with_priorities_actions_and_reviews(client, world):
    priority = make_priority(world.north_a)
    priority.targets.add(make_target(world.north_a))
    make_action(priority, due_on=datetime.date(2026, 1, 31))
    make_review(priority)
    make_priority(world.north_a, year=year(2024), title="Old")
    make_priority(world.south_a, title="Not theirs")
    client.force_login(world[R.HEADTEACHER])

    body = client.get(reverse("api:plan-list"), {"academy": world.north_a.urn, "year": "2025/26"}).json()
    assert body["count"] == 1
    plan = body["results"][0]
    assert (plan["academy"], plan["academic_year"]) == (world.north_a.urn, "2025/26")
    [got] = plan["priorities"]
    assert (got["title"], got["theme_label"]) == (priority.title, "Reading and phonics")
    assert got["targets"][0]["status"] == "agreed"
    assert got["targets"][0]["label"] == "KS2 expected standard, Reading, writing and maths"
    assert got["actions"][0]["overdue"] is True
    assert got["reviews"][0]["rag_label"] == "Amber: some concerns"

    # Out of scope is the same as not there; a malformed year is a 400.
    assert client.get(reverse("api:plan-list"), {"academy": world.south_a.urn}).json()["count"] == 0
    assert client.get(reverse("api:plan-list")).json()["count"] == 2
    assert client.get(reverse("api:plan-list"), {"year": "2025"}).status_code == 400
    other = DevelopmentPlan.objects.get(academy=world.south_a)
    assert client.get(reverse("api:plan-detail", kwargs={"uuid": other.uuid})).status_code == 404


def test_the_api_list_costs_the_same_queries_for_more_plans(client, world):
    make_priority(world.north_a)
    client.force_login(world[R.EXECUTIVE])
    _, before = queries_for(client, reverse("api:plan-list"))
    for academy in (world.north_b, world.south_a, world.south_b):
        priority = make_priority(academy)
        make_action(priority)
        make_review(priority)
        priority.targets.add(make_target(academy))
    response, after = queries_for(client, reverse("api:plan-list"))
    assert response.json()["count"] == 4
    assert len(before) == len(after)


def test_the_api_schema_documents_plans_and_their_404(client, world):
    client.force_login(world[R.EXECUTIVE])
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    detail = schema["paths"]["/api/v1/plans/{uuid}/"]["get"]
    assert "404" in detail["responses"]
    names = {p["name"] for p in schema["paths"]["/api/v1/plans/"]["get"]["parameters"]}
    assert {"academy", "year"} <= names

