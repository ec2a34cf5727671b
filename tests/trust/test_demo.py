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
from healthchecks import rules
from healthchecks.models import (
    Action,
    ActionReview,
    Category,
    GovernorVisit,
    HealthCheck,
    HealthCheckEvent,
    HealthCheckJudgement,
    Risk,
    RiskEvent,
    RiskRule,
    Visibility,
)
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
        HealthCheck, HealthCheckJudgement, Action, ActionReview, HealthCheckEvent, Risk, RiskEvent, RiskRule,
        GovernorVisit,
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
    assert_health_checks_in_every_state_and_kind()
    assert_a_risk_register_of_every_category_and_rating()
    assert_the_rules_raised_risks_with_evidence()
    assert_link_governor_visits_follow_up_priorities()
    assert_notifications_for_the_demo_people()

    before = counts()
    Academy.objects.filter(urn="999101").update(name="Renamed by someone")
    run_demo("second-password")
    assert counts() == before
    assert rules.run() == []  # the rules have raised all they will
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


def assert_health_checks_in_every_state_and_kind():
    S, K = HealthCheck.Status, HealthCheck.Kind
    checks = HealthCheck.objects.select_related("academy")
    assert set(checks.values_list("status", flat=True)) == set(S)
    assert set(checks.values_list("kind", flat=True)) == set(K)
    [due_diligence] = checks.filter(kind=K.DUE_DILIGENCE)
    assert due_diligence.academy.status == "joining" and due_diligence.status == S.PUBLISHED
    for academy in Academy.objects.filter(status="open"):
        assert checks.filter(academy=academy, kind=K.ANNUAL, status=S.PUBLISHED).exists(), academy.urn
        assert checks.filter(academy=academy).count() == 2, academy.urn
    # Each report is complete: judgements with commentary, focus areas, leadership QA, findings.
    for check in checks:
        judgements = list(check.judgements.all())
        assert len(judgements) >= 6 and all(j.commentary for j in judgements), check
        assert check.focus_list and check.key_findings and check.leadership_qa, check
        assert check.safeguarding in ("met", "not_met")
        assert check.actions.exists(), check
    assert {"agrees", "partly"} <= set(checks.values_list("leadership_qa", flat=True))
    assert checks.filter(safeguarding="not_met", status=S.PUBLISHED).count() == 1
    assert checks.exclude(commissioned_expert="").exists()
    # Its history is real: every step taken by someone, in order.
    for check in checks.filter(status=S.PUBLISHED):
        kinds = list(check.events.values_list("kind", flat=True))
        assert kinds[:2] == ["created", "submitted"] and "published" in kinds, check
        assert check.published_at > check.submitted_at > check.created_at
    assert HealthCheckEvent.objects.filter(kind="returned").exclude(reason="").exists()
    assert HealthCheckEvent.objects.filter(kind="edited").exclude(changes={}).exists()
    assert checks.get(status=S.RESPONDED).response

    # Published actions are open, in progress, done and overdue, with progress reviews, some
    # reviewed by the academy's later health check.
    today = datetime.date.today()
    live = Action.objects.filter(health_check__status=S.PUBLISHED)
    assert {"open", "in_progress", "done"} <= set(live.values_list("status", flat=True))
    assert any(action.is_overdue(today) for action in live)
    assert live.filter(status="done").exclude(completed_on=None).exists()
    assert not Action.objects.exclude(health_check__status=S.PUBLISHED).filter(reviews__isnull=False).exists()
    later = ActionReview.objects.exclude(health_check=None).select_related(
        "action__health_check", "health_check")
    assert later.exists()
    for review in later:
        earlier = review.action.health_check
        assert review.health_check.academy_id == earlier.academy_id
        assert review.health_check.visit_start > earlier.visit_start
        assert review.health_check.status == S.PUBLISHED


def assert_a_risk_register_of_every_category_and_rating():
    today = datetime.date.today()
    risks = Risk.objects.all()
    assert set(risks.values_list("category", flat=True)) == set(Category)
    assert set(risks.values_list("rag", flat=True)) == {"red", "amber", "green"}
    trust_only = risks.filter(visibility=Visibility.TRUST_ONLY)
    assert trust_only.exclude(academy=None).exists()
    trust_level = risks.filter(academy=None)
    assert trust_level.count() >= 2 and not trust_level.filter(visibility=Visibility.SHARED).exists()
    assert risks.filter(status="closed").exclude(closed_on=None).exists()
    overdue = risks.review_overdue(today)
    assert 0 < overdue.count() < risks.open().count() / 2
    assert all(r.score == r.likelihood * r.impact for r in risks)
    # Realistic histories: raised, changed with reasons, reviewed, closed; each by a person.
    for risk in risks.filter(rule=None):
        events = list(risk.events.all())
        assert events[0].kind == "raised" and events[0].by_id, risk
        assert all(e.by_id for e in events if e.kind != "review_overdue"), risk
    changed = RiskEvent.objects.filter(kind="changed")
    assert changed.exists() and not changed.filter(reason="").exists()
    assert any("rag" in e.changes or "score" in e.changes for e in changed)
    assert RiskEvent.objects.filter(kind="reviewed").count() >= risks.count() / 2
    assert RiskEvent.objects.filter(kind="closed").exclude(reason="").exists()
    assert RiskEvent.objects.filter(kind="review_overdue").count() == overdue.count()
    # An academy's people see only the shared risks of their academy.
    governor = User.objects.get(email="governor.meadow@demo-trust.example")
    seen = Risk.objects.visible_to(governor)
    assert seen.exists()
    assert set(seen.values_list("academy__urn", "visibility").distinct()) == {("999101", "shared")}


def assert_the_rules_raised_risks_with_evidence():
    assert RiskRule.objects.count() >= 3
    assert {"measure_vs_national", "safeguarding", "ofsted_concern"} <= set(
        RiskRule.objects.values_list("kind", flat=True))
    raised = Risk.objects.exclude(rule=None).select_related("rule", "academy")
    assert set(raised.values_list("rule__kind", flat=True)) == {"measure_vs_national", "safeguarding",
                                                               "ofsted_concern"}
    for risk in raised:
        assert risk.evidence and risk.rule_key, risk
        assert risk.events.first().kind == "raised_by_rule" and risk.events.first().by_task, risk
    by_measure = raised.filter(rule__kind="measure_vs_national")
    assert 1 <= by_measure.count() <= 2  # the margin fires for one or two academies, not all
    for risk in by_measure:
        assert len(risk.evidence) == risk.rule.periods
        assert all(float(e["value"]) - float(e["national"]) > float(risk.rule.margin) for e in risk.evidence)
    [safeguarding] = raised.filter(rule__kind="safeguarding")
    not_met = HealthCheck.objects.get(safeguarding="not_met")
    assert safeguarding.academy == not_met.academy
    assert safeguarding.evidence[0]["health_check"] == str(not_met.uuid)


def assert_link_governor_visits_follow_up_priorities():
    visits = GovernorVisit.objects.select_related("academy", "governor", "priority__plan")
    for academy in Academy.objects.filter(status="open"):
        assert visits.filter(academy=academy).count() >= 2, academy.urn
    for visit in visits:
        assert visit.governor.memberships.filter(role=Role.GOVERNOR, academy=visit.academy).exists()
        assert visit.visited_on <= datetime.date.today() and visit.notes
        if visit.priority_id:
            assert visit.priority.plan.academy_id == visit.academy_id
    assert visits.exclude(priority=None).count() > visits.filter(priority=None).count() > 0
    meadow = visits.filter(academy__urn="999101", governor__email="governor.meadow@demo-trust.example")
    assert meadow.count() >= 3


def assert_notifications_for_the_demo_people():
    chairs = Membership.objects.filter(role=Role.GOVERNOR, lgb_chair=True)
    assert chairs.filter(user__email="governor.meadow@demo-trust.example", academy__urn="999101").exists()
    assert chairs.count() == Academy.objects.filter(status="open").count()
    about = Notification.objects.filter(kind__regex=r"^(risk|healthcheck|action)\.")
    for kind in ("risk.raised", "risk.changed", "risk.closed", "risk.review_overdue", "healthcheck.published",
                 "action.overdue"):
        assert about.filter(kind=kind).exists(), kind
    assert about.filter(read_at=None).exists() and about.exclude(read_at=None).exists()
    # A chair hears of their academy's shared risks, never of those kept to the trust.
    to_chairs = about.filter(kind__startswith="risk.", user__memberships__lgb_chair=True)
    assert to_chairs.exists()
    trust_only = {str(uuid) for uuid in Risk.objects.filter(
        visibility=Visibility.TRUST_ONLY).values_list("uuid", flat=True)}
    assert not any(n.url.split("/")[2] in trust_only for n in to_chairs)
    assert not Notification.objects.email_unsent().exists()
