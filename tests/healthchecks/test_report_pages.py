"""The health-check report pages: the whole workflow as people use it, what each role reads in
each state, the PDF of a published report, stale edits, refused steps, progress on actions, bad
input, and lists whose cost does not grow with the number of reports."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.urls import reverse
from pypdf import PdfReader

from academies import exports
from academies.models import SEFJudgement
from healthchecks import services
from healthchecks.forms_reports import NOT_ON_SCALE
from healthchecks.models import Action, ActionReview, HealthCheck, HealthCheckEvent
from tests.access_cases.healthchecks import report_form
from tests.factories import Role, person
from tests.healthchecks.makers import make_action, make_health_check
from tests.utils import queries_for

R = Role
S = HealthCheck.Status
FIRST = "Plan the foundation-subject curriculum so knowledge builds year on year."
SECOND = "Train every teaching assistant in the phonics programme."


def detail(report):
    return reverse("healthchecks:detail", kwargs={"uuid": report.uuid})


def step(name, report):
    return reverse(f"healthchecks:{name}", kwargs={"uuid": report.uuid})


def as_(client, world, role):
    client.force_login(world[role])
    return client


def words_of(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_whole_workflow_through_the_pages(client, world):
    SEFJudgement.objects.create(academy=world.north_a, area="curriculum_and_teaching", scale="five_point",
                                grade="expected", judged_on=datetime.date(2025, 9, 20))
    siel, head = world[R.SIEL], world[R.HEADTEACHER]

    # The SIEL files the report, with judgements and two recommendations.
    as_(client, world, R.SIEL)
    page = client.get(reverse("healthchecks:create", kwargs={"urn": world.north_a.urn}))
    assert page.status_code == 200
    assert "Expected standard" in text(page)  # the academy's SEF, for reference
    data = report_form(world, world.north_a, recommendations=[
        {"recommendation": FIRST, "owner": head.pk, "due_on": "2026-03-31"},
        {"recommendation": SECOND, "owner_name": "Phonics lead", "due_on": "2026-01-31"},
    ], grade_curriculum_and_teaching="strong")
    response = client.post(reverse("healthchecks:create", kwargs={"urn": world.north_a.urn}), data)
    report = HealthCheck.objects.get(academy=world.north_a)
    assert response.status_code == 302 and response["Location"] == detail(report)
    assert (report.status, report.lead_reviewer, report.safeguarding) == (S.DRAFT, siel, "met")
    assert {(j.area, j.grade) for j in report.judgements.all()} == {
        ("curriculum_and_teaching", "strong"), ("leadership_and_governance", "strong")}
    assert [(a.number, a.recommendation, a.owner, a.owner_name) for a in report.actions.all()] == [
        (1, FIRST, head, ""), (2, SECOND, None, "Phonics lead")]

    # The headteacher cannot see the draft; the SIEL sends it to them.
    as_(client, world, R.HEADTEACHER)
    assert client.get(detail(report)).status_code == 404
    as_(client, world, R.SIEL)
    assert client.post(step("submit", report)).status_code == 302
    report.refresh_from_db()
    assert report.status == S.SUBMITTED

    # The headteacher reads it and responds.
    as_(client, world, R.HEADTEACHER)
    page = client.get(detail(report))
    assert page.status_code == 200
    assert page.context["can"]["respond"] and not page.context["can"]["publish"]
    assert 'name="response"' in text(page)
    response = client.post(step("respond", report), {"response": "The visit ended on 13 November."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.responded_by) == (S.RESPONDED, head)

    # The governor still cannot see it, nor its PDF; the SIEL publishes.
    as_(client, world, R.GOVERNOR)
    assert client.get(detail(report)).status_code == 404
    assert client.get(step("pdf", report)).status_code == 404
    as_(client, world, R.SIEL)
    assert client.post(step("publish", report)).status_code == 302
    report.refresh_from_db()
    assert report.status == S.PUBLISHED and report.published_by == siel

    # The governor reads the report and its PDF.
    as_(client, world, R.GOVERNOR)
    page = client.get(detail(report))
    body = text(page)
    assert page.status_code == 200
    assert "North A" in body and "Strong standard" in body and FIRST in body and SECOND in body
    assert "The visit ended on 13 November." in body
    assert step("pdf", report) in body
    assert not any(page.context["can"][name] for name in ("edit", "submit", "respond", "publish", "update"))
    # The governor reads the steps that reached the academy, never the trust's working edits.
    history = [e.kind for e in page.context["c"].events]
    assert history == ["submitted", "responded", "published"]

    response = client.get(step("pdf", report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="health-check-100001-2025-11-12.pdf"'
    assert "no-store" in response["Cache-Control"]
    words = words_of(response.content)
    assert "North A" in words
    assert "Curriculum and teaching Strong standard" in words
    assert FIRST in words and SECOND in words
    assert "The visit ended on 13 November." in words


def test_academy_roles_never_see_a_draft_or_the_pdf_of_an_unpublished_report(client, world):
    draft = make_health_check(world.north_a, status=S.DRAFT)
    submitted = make_health_check(world.north_a, status=S.SUBMITTED, visit_start=datetime.date(2025, 10, 1))
    published = make_health_check(world.north_a, status=S.PUBLISHED, visit_start=datetime.date(2025, 6, 1))
    as_(client, world, R.GOVERNOR)
    assert client.get(detail(draft)).status_code == 404
    assert client.get(detail(submitted)).status_code == 404
    assert client.get(step("pdf", draft)).status_code == 404
    assert client.get(step("pdf", submitted)).status_code == 404
    assert client.get(step("pdf", published)).status_code == 200

    listed = client.get(reverse("healthchecks:list"))
    assert [r.pk for r in listed.context["page"].object_list] == [published.pk]
    assert listed.context["page"].paginator.count == 1
    assert "1 report" in text(listed) and "1 reports" not in text(listed)
    own = client.get(reverse("healthchecks:academy-list", kwargs={"urn": world.north_a.urn}))
    assert [r.pk for r in own.context["reports"]] == [published.pk]
    assert "File a health check" not in text(own)

    # Nobody has a PDF of a report that is not published, not even the trust.
    as_(client, world, R.SIEL)
    assert client.get(step("pdf", draft)).status_code == 404
    assert client.get(step("pdf", submitted)).status_code == 404
    as_(client, world, R.HEADTEACHER)
    assert client.get(detail(submitted)).status_code == 200
    assert client.get(step("pdf", submitted)).status_code == 404


def test_the_list_filters_within_the_persons_scope(client, world):
    north = make_health_check(world.north_a, status=S.PUBLISHED, kind="termly")
    make_health_check(world.north_b, status=S.DRAFT, actions=3)
    south = make_health_check(world.south_a, status=S.PUBLISHED)
    as_(client, world, R.HUB_LEAD)
    page = client.get(reverse("healthchecks:list"))
    listed = list(page.context["page"].object_list)
    assert {r.academy for r in listed} == {world.north_a, world.north_b}
    assert {r.academy: r.open_actions for r in listed} == {world.north_a: 1, world.north_b: 3}
    offered = [urn for urn, _ in page.context["form"].fields["academy"].choices if urn]
    assert {str(urn) for urn in offered} == {world.north_a.urn, world.north_b.urn}
    assert south.academy.name not in text(page)

    filtered = client.get(reverse("healthchecks:list"), {"academy": world.north_a.urn, "kind": "termly"})
    assert [r.pk for r in filtered.context["page"].object_list] == [north.pk]
    assert not list(client.get(reverse("healthchecks:list"), {"status": "submitted"}).context["page"])
    # An academy out of scope is refused as a filter, and shows nothing.
    refused = client.get(reverse("healthchecks:list"), {"academy": world.south_a.urn})
    assert refused.context["form"].errors["academy"]
    assert refused.context["page"].paginator.count == 0


def test_a_stale_edit_is_refused_and_saves_nothing(client, world):
    report = make_health_check(world.north_a, status=S.DRAFT)
    as_(client, world, R.SIEL)
    page = client.get(step("edit", report))
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1
    # Meanwhile the executive changes the key findings.
    services.health_check_edit(health_check=report, by=world[R.EXECUTIVE], version=1,
                               key_findings="The executive's findings.")
    data = report_form(world, world.north_a, version=1, recommendations=[],
                       key_findings="The SIEL's findings.", grade_achievement="needs_attention")
    response = client.post(step("edit", report), data)
    assert response.status_code == 200
    assert "Someone else changed this report since you opened it" in text(response)
    report.refresh_from_db()
    assert (report.key_findings, report.version) == ("The executive's findings.", 2)
    assert not report.judgements.filter(area="achievement").exists()
    assert report.actions.count() == 1
    assert HealthCheckEvent.objects.filter(health_check=report, by=world[R.SIEL]).count() == 0


def test_an_edit_keeps_renumbers_and_removes_recommendations(client, world):
    report = make_health_check(world.north_a, status=S.DRAFT, actions=2)
    first, second = report.actions.all()
    as_(client, world, R.HUB_LEAD)
    data = report_form(world, world.north_a, version=1, recommendations=[
        {"uuid": str(second.uuid), "recommendation": "Reworded.", "owner_name": "Deputy",
         "due_on": "2026-04-30"},
        {"uuid": str(first.uuid), "recommendation": first.recommendation, "owner_name": "Deputy",
         "due_on": "2026-03-31"},
        {"recommendation": "A new one.", "owner": world[R.GOVERNOR].pk, "due_on": "2026-05-31"},
    ], **{"rec-1-DELETE": "on", "rec-INITIAL_FORMS": "2"})
    response = client.post(step("edit", report), data)
    assert response.status_code == 302
    assert [(a.number, a.uuid, a.recommendation, a.owner) for a in report.actions.all()] == [
        (1, second.uuid, "Reworded.", None), (2, mock.ANY, "A new one.", world[R.GOVERNOR])]
    report.refresh_from_db()
    assert report.version == 2
    assert not Action.objects.filter(pk=first.pk).exists()


def test_a_published_report_cannot_be_edited(client, world):
    report = make_health_check(world.north_a, status=S.PUBLISHED)
    as_(client, world, R.SIEL)
    assert client.get(step("edit", report)).status_code == 403
    response = client.post(step("edit", report), report_form(world, world.north_a, version=1))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.version == 1


def test_a_step_in_the_wrong_state_shows_the_reason(client, world):
    report = make_health_check(world.north_a, status=S.DRAFT)
    as_(client, world, R.SIEL)
    response = client.post(step("publish", report))
    assert response.status_code == 200
    assert ("This report is a draft; this step needs it awaiting the factual-accuracy check or back "
            "from the factual-accuracy check.") in text(response)
    report.refresh_from_db()
    assert report.status == S.DRAFT

    no_findings = make_health_check(world.north_a, status=S.DRAFT, key_findings="")
    response = client.post(step("submit", no_findings))
    assert "Write the key findings before submitting the report." in text(response)
    no_findings.refresh_from_db()
    assert no_findings.status == S.DRAFT

    # A return to draft without a reason is refused beside its form.
    submitted = make_health_check(world.north_a, status=S.SUBMITTED)
    response = client.post(step("return", submitted), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["failed"] == "return"
    assert "Say why the report goes back to draft." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED

    # The headteacher's response must say something.
    as_(client, world, R.HEADTEACHER)
    response = client.post(step("respond", submitted), {"response": ""})
    assert response.status_code == 200
    assert "Write your response: the facts you would correct, or that there are none." in text(response)


def test_a_refused_step_on_a_report_the_person_can_no_longer_see_shows_no_report(client, world):
    report = make_health_check(world.north_a, status=S.SUBMITTED, key_findings="Findings not for the head.")
    reason = "Someone else has acted on this report: reload it to see where it is now."

    def returned_meanwhile(**kwargs):
        # The SIEL returned the report to draft just before the headteacher's response arrived.
        HealthCheck.objects.filter(pk=report.pk).update(status=S.DRAFT)
        raise services.WorkflowError(reason)

    as_(client, world, R.HEADTEACHER)
    with mock.patch.object(services, "health_check_respond", side_effect=returned_meanwhile):
        response = client.post(step("respond", report), {"response": "No inaccuracies."}, follow=True)
    assert response.redirect_chain == [(reverse("healthchecks:list"), 302)]
    assert "Findings not for the head." not in text(response)
    assert messages_of(response) == [reason]


def test_progress_on_an_action_is_recorded(client, world):
    report = make_health_check(world.north_a, status=S.PUBLISHED)
    action = report.actions.get()
    as_(client, world, R.HEADTEACHER)
    page = client.get(detail(report))
    assert page.context["can"]["update"]
    assert reverse("healthchecks:action-update", kwargs={"uuid": action.uuid}) in text(page)
    response = client.post(reverse("healthchecks:action-update", kwargs={"uuid": action.uuid}), {
        "status": "done", "commentary": "Maps in place for every subject.", "evidence": "Curriculum maps",
        "reviewed_on": "2026-01-15"})
    assert response.status_code == 302
    assert response["Location"] == f"{detail(report)}#action-{action.uuid}"
    action.refresh_from_db()
    assert (action.status, action.evidence, action.completed_on) == ("done", "Curriculum maps",
                                                                     datetime.date(2026, 1, 15))
    review = ActionReview.objects.get(action=action)
    assert (review.by, review.health_check) == (world[R.HEADTEACHER], None)
    page = client.get(detail(report))
    assert "Maps in place for every subject." in text(page)

    # Bad input is said, and nothing is recorded.
    response = client.post(reverse("healthchecks:action-update", kwargs={"uuid": action.uuid}),
                           {"status": "done", "commentary": ""}, follow=True)
    assert any("Say what has happened since the last review." in m for m in messages_of(response))
    assert ActionReview.objects.filter(action=action).count() == 1


def test_an_earlier_action_is_reviewed_at_a_later_health_check(client, world):
    earlier = make_health_check(world.north_a, status=S.PUBLISHED, visit_start=datetime.date(2025, 3, 1))
    action = earlier.actions.get()
    done = make_action(earlier, number=2, status=Action.Status.DONE, recommendation="Already done.")
    later = make_health_check(world.north_a, status=S.DRAFT, visit_start=datetime.date(2025, 11, 12))
    as_(client, world, R.SIEL)
    page = client.get(detail(later))
    assert [a.pk for a in page.context["earlier"]] == [action.pk]
    assert done.recommendation not in text(page)
    assert f'name="health_check" value="{later.uuid}"' in text(page)

    response = client.post(reverse("healthchecks:action-update", kwargs={"uuid": action.uuid}), {
        "status": "in_progress", "commentary": "Half the subjects mapped.", "health_check": str(later.uuid)})
    assert response["Location"] == f"{detail(later)}#action-{action.uuid}"
    review = ActionReview.objects.get(action=action)
    assert review.health_check == later
    page = client.get(detail(later))
    assert [r.pk for r in page.context["c"].reviewed_here] == [review.pk]

    # An earlier report does not review a later one's actions.
    response = client.post(reverse("healthchecks:action-update", kwargs={"uuid": action.uuid}), {
        "status": "done", "commentary": "Wrong way round.", "health_check": str(earlier.uuid)}, follow=True)
    assert any("Only a later health check" in m for m in messages_of(response))
    assert ActionReview.objects.filter(action=action).count() == 1


def test_overdue_actions_are_marked_in_words(client, world):
    report = make_health_check(world.north_a, status=S.PUBLISHED, actions=0)
    make_action(report, number=1, due_on=datetime.date(2020, 1, 31))
    make_action(report, number=2, due_on=datetime.date(2099, 1, 31), recommendation="Not yet due.")
    as_(client, world, R.GOVERNOR)
    page = client.get(reverse("healthchecks:academy-list", kwargs={"urn": world.north_a.urn}))
    assert [a.overdue for a in page.context["actions"]] == [True, False]
    assert page.context["overdue"] == 1
    assert "Overdue" in text(page)


@pytest.mark.parametrize("url_name", ["healthchecks:list", "healthchecks:academy-list"])
def test_list_pages_cost_the_same_for_few_reports_or_many(client, world, url_name):
    kwargs = {"urn": world.north_a.urn} if url_name == "healthchecks:academy-list" else {}
    url = reverse(url_name, kwargs=kwargs)
    as_(client, world, R.SIEL)

    def add(count, start):
        for n in range(count):
            make_health_check(world.north_a, status=S.PUBLISHED, actions=2,
                              visit_start=datetime.date(2024, 1, 1) + datetime.timedelta(days=start + n),
                              lead_reviewer=person(R.SIEL, email=f"reviewer{start + n}@trust.test"))

    add(2, 0)
    _, few = queries_for(client, url)
    add(8, 100)
    response, many = queries_for(client, url)
    assert response.status_code == 200
    shown = response.context["page"] if "page" in response.context else response.context["reports"]
    assert len(list(shown)) == 10
    assert len(many) == len(few), "\n".join(many)


def test_bad_input_is_shown_on_the_form_and_nothing_saved(client, world):
    as_(client, world, R.SIEL)
    url = reverse("healthchecks:create", kwargs={"urn": world.north_a.urn})
    response = client.post(url, report_form(world, world.north_a, visit_start="2025-11-12",
                                            visit_end="2025-11-10"))
    assert response.status_code == 200
    assert response.context["form"].errors["visit_end"] == ["The visit cannot end before it starts."]
    assert "The visit cannot end before it starts." in text(response)

    response = client.post(url, report_form(world, world.north_a, grade_curriculum_and_teaching="good"))
    assert response.status_code == 200
    assert response.context["form"].errors["grade_curriculum_and_teaching"] == [NOT_ON_SCALE]

    response = client.post(url, report_form(world, world.north_a, recommendations=[
        {"recommendation": "No due date."}, {"owner_name": "Maths lead", "due_on": "2026-01-31"}]))
    assert response.status_code == 200
    rows = response.context["formset"]
    assert rows[0].errors["due_on"] == ["Give the date the recommendation is due."]
    assert rows[1].errors["recommendation"] == ["Write the recommendation, or clear the row."]
    assert "A recommendation needs correcting" in text(response)

    # Someone outside the academy cannot lead its health check, nor own its actions.
    outsider = person(R.HEADTEACHER, academy=world.south_a, email="south-head@trust.test")
    response = client.post(url, report_form(world, world.north_a, lead_reviewer=outsider.pk, recommendations=[
        {"recommendation": "Owned elsewhere.", "owner": outsider.pk, "due_on": "2026-01-31"}]))
    assert response.status_code == 200
    assert response.context["form"].errors["lead_reviewer"]
    assert response.context["formset"][0].errors["owner"]
    assert not HealthCheck.objects.exists()


def test_the_pdf_shows_markup_as_text_and_fetches_nothing(client, world):
    hostile = '<img src="http://127.0.0.1:9/x.png">'
    report = make_health_check(world.north_a, status=S.PUBLISHED, key_findings=hostile,
                               commissioned_expert='<link rel="stylesheet" href="file:///etc/passwd">')
    fetched = []

    def spy(url):
        fetched.append(url)
        return exports.static_only_fetcher(url)

    as_(client, world, R.GOVERNOR)
    with mock.patch.object(exports, "static_only_fetcher", spy):
        response = client.get(step("pdf", report))
    assert response.status_code == 200
    assert hostile in words_of(response.content)
    assert fetched == []


def test_a_change_of_commentary_alone_is_saved_with_its_history(world):
    report = make_health_check(world.north_a, status=HealthCheck.Status.DRAFT,
                               judgements=[("achievement", "expected")])
    edited = services.health_check_edit(
        health_check=report, by=world[Role.SIEL], version=report.version,
        judgements=[("achievement", "expected", "Reading is strong; writing lags in Year 4.")],
    )
    assert edited.version == report.version + 1
    assert edited.judgements.get().commentary == "Reading is strong; writing lags in Year 4."
    event = HealthCheckEvent.objects.filter(health_check=report).latest("pk")
    assert event.changes == {"achievement commentary": ["", "Reading is strong; writing lags in Year 4."]}
