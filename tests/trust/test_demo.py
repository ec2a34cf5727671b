"""The demo trust: realistic, complete for every role, and safe to build again."""

import datetime
from io import StringIO

from django.core.management import call_command

from academies.models import (
    Academy,
    Comparator,
    DevelopmentPlan,
    ImportBatch,
    Inspection,
    PlanAction,
    Priority,
    ProgressReview,
    Result,
    SEFJudgement,
    Target,
    TargetEvent,
)
from academies.plans import is_overdue
from trust.models import AcademicYear, Hub, Membership, Notification, Role, User


def signs_in(client, email, password):
    client.logout()
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302


def run_demo(password="demo-password-1"):
    out = StringIO()
    call_command("demo", "--password", password, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in (
        Academy, Hub, User, Membership, AcademicYear, Result, Comparator, Inspection, SEFJudgement,
        ImportBatch, Target, TargetEvent, Notification, DevelopmentPlan, Priority, PlanAction, ProgressReview,
    )}


def test_the_demo_trust_is_realistic_complete_and_idempotent(client, db):
    output = run_demo("first-password")
    academies = Academy.objects.all()
    assert academies.count() == 21
    assert Hub.objects.count() == 3
    assert {"primary", "secondary", "special", "ap"} <= set(academies.values_list("phase", flat=True))
    assert academies.filter(status="joining").count() == 1
    assert all(a.hub_id for a in academies.exclude(status="joining"))
    assert {m.role for m in Membership.objects.all()} == set(Role)
    # The first academies match the synthetic DfE and Ofsted sample files.
    assert Academy.objects.get(urn="999101").name == "Synthetic Meadow Primary Academy"
    assert "Northvale Learning Trust: 21 academies in 3 hubs" in output

    # Five years of published results for every open academy, brought in by imports.
    current = AcademicYear.current().start_year
    for academy in academies.filter(status="open"):
        years = set(academy.results.filter(source="published").values_list(
            "academic_year__start_year", flat=True))
        assert set(range(current - 5, current)) <= years, academy.urn
    assert ImportBatch.objects.filter(status="succeeded").count() >= 7
    assert set(Inspection.objects.values_list("framework", flat=True)) == {
        "graded", "no_overall", "report_card"}
    assert Inspection.objects.filter(urn_at_inspection="999003").exists()  # a predecessor's
    assert SEFJudgement.objects.filter(academy__urn="999101").exists()
    # Suppression and "not published" are states, never zeros.
    assert Result.objects.filter(academy__urn="999103", state="suppressed").exists()
    assert Result.objects.filter(measure__code="ks2_progress", state="not_applicable").exists()
    assert_targets_in_every_state(current)
    assert_a_plan_for_every_academy(current)

    before = counts()
    Academy.objects.filter(urn="999101").update(name="Renamed by someone")
    run_demo("second-password")
    assert counts() == before
    assert Academy.objects.get(urn="999101").name == "Synthetic Meadow Primary Academy"
    assert signs_in(client, "ceo@demo-trust.example", "second-password")
    assert not signs_in(client, "ceo@demo-trust.example", "first-password")


def test_the_demo_prints_a_login_for_every_role_and_each_works(client, db):
    output = run_demo("pw-for-the-table")
    assert "pw-for-the-table" in output
    for role in Role:
        assert role.label in output
    governor_line = next(line for line in output.splitlines() if line.startswith("LGB governor"))
    assert "governor.meadow@demo-trust.example" in governor_line and "999101" in governor_line
    for user in User.objects.all():
        assert signs_in(client, user.email, "pw-for-the-table"), user.email


def test_without_a_password_the_demo_makes_and_prints_one(client, db):
    output = run_demo(password="")
    password = output.split("password: ", 1)[1].splitlines()[0].strip()
    assert len(password) >= 12
    assert signs_in(client, "trustee@demo-trust.example", password)


def assert_targets_in_every_state(current):
    open_academies = Academy.objects.filter(status="open")
    S, A = Target.Status, TargetEvent.Action
    last_year = Target.objects.filter(academic_year__start_year=current - 1)
    this_year = Target.objects.filter(academic_year__start_year=current)
    for academy in open_academies:
        assert last_year.filter(academy=academy).count() >= 3, academy.urn
        assert this_year.filter(academy=academy).count() >= 3, academy.urn
    # Last year's were all agreed at an October board and judged against last year's results.
    assert set(last_year.values_list("status", flat=True)) == {S.AGREED}
    assert {t.board_meeting.month for t in last_year} == {10}
    assert not last_year.filter(progress=Target.Progress.NO_DATA).exists()
    judged = set(last_year.values_list("progress", flat=True))
    assert {Target.Progress.ON_TRACK, Target.Progress.AT_RISK} <= judged
    # This year's are at every step, 999101's too, awaiting its governor and the trustee.
    assert set(this_year.values_list("status", flat=True)) == set(S)
    meadow = this_year.filter(academy__urn="999101")
    assert set(meadow.values_list("status", flat=True)) == set(S)
    unread = Notification.objects.filter(academy__urn="999101", read_at=None)
    to_review = unread.filter(kind="target.review_needed", user__email="governor.meadow@demo-trust.example")
    to_decide = unread.filter(kind="target.decision_needed", user__email="trustee@demo-trust.example")
    assert to_review.count() == meadow.filter(status=S.PROPOSED).count()
    assert to_decide.count() == meadow.filter(status=S.REVIEWED).count()
    assert not Notification.objects.email_unsent().exists()  # nobody is emailed about the history
    # The history is real: each step by the person who took it, when it would have happened.
    agreed = TargetEvent.objects.filter(action=A.AGREED, target__academic_year__start_year=current - 1)
    assert {(e.by.email, e.at.month) for e in agreed} == {("trustee@demo-trust.example", 10)}
    reviewers = {e.by for e in TargetEvent.objects.filter(action=A.REVIEWED).select_related("by")}
    assert all(r.memberships.filter(role=Role.GOVERNOR).exists() for r in reviewers)
    [amended] = TargetEvent.objects.filter(action=A.AMENDED)
    assert amended.target.academy.urn == "999101" and amended.reason and amended.changes["value"]
    assert TargetEvent.objects.filter(action=A.RETURNED, target__academy__urn="999101").exists()


def assert_a_plan_for_every_academy(current):
    today = datetime.date.today()
    for academy in Academy.objects.filter(status="open"):
        plan = DevelopmentPlan.objects.get(academy=academy, academic_year__start_year=current)
        priorities = list(plan.priorities.all())
        assert 3 <= len(priorities) <= 4, academy.urn
        assert all(2 <= p.actions.count() <= 3 for p in priorities), academy.urn
        assert sum(bool(p.rag) for p in priorities) > len(priorities) / 2, academy.urn
        linked = Target.objects.filter(priorities__plan=plan)
        assert linked.exists() and set(linked.values_list("academy_id", flat=True)) == {academy.pk}
    actions = PlanAction.objects.filter(priority__plan__academic_year__start_year=current)
    assert actions.filter(status=PlanAction.Status.DONE).exists()
    assert any(is_overdue(action, today) for action in actions)
    themes = Priority.objects.filter(plan__academic_year__start_year=current).values_list(
        "theme", "plan__academy")
    academies_by_theme = {}
    for theme, academy in themes:
        academies_by_theme.setdefault(theme, set()).add(academy)
    assert max(len(a) for a in academies_by_theme.values()) >= 5  # a priority many academies share
