"""What of the trust's working an academy may read: a report's draft edits and a risk's
trust-only past stay the trust's; notifications go when their object becomes unreadable."""

import datetime

from django.urls import reverse

from healthchecks import risks, services
from healthchecks.models import HealthCheck, Visibility
from tests.factories import Role
from tests.healthchecks.makers import make_health_check
from trust.models import Membership, Notification

S = HealthCheck.Status
SECRET = "DRAFT-ONLY: the trust is considering intervention"


def test_governors_read_the_steps_of_a_report_never_its_draft_edits(client, world):
    siel = world[Role.SIEL]
    report = services.health_check_create(
        academy=world.north_a, by=siel, visit_start=datetime.date(2025, 11, 12), key_findings=SECRET,
        judgements=[("leadership_and_governance", "urgent_improvement", "")],
    )
    report = services.health_check_edit(
        health_check=report, by=siel, version=report.version, key_findings="Leaders know the school well.",
        judgements=[("leadership_and_governance", "expected", "")],
    )
    services.health_check_submit(health_check=report, by=siel)
    services.health_check_respond(health_check=report, by=world[Role.HEADTEACHER],
                                  response="No inaccuracies.")
    services.health_check_publish(health_check=report, by=siel)
    page = reverse("healthchecks:detail", kwargs={"uuid": report.uuid})
    api = reverse("api:health-check-detail", kwargs={"uuid": report.uuid})
    for role in (Role.GOVERNOR, Role.HEADTEACHER):
        client.force_login(world[role])
        body = client.get(page).content.decode()
        assert SECRET not in body and "Urgent improvement" not in body
        events = client.get(api).json()["events"]
        assert [e["kind"] for e in events] == ["submitted", "responded", "published"]
        assert SECRET not in str(events)
    client.force_login(siel)
    assert SECRET in client.get(page).content.decode()  # the trust keeps its working


def test_a_risk_shared_later_shows_the_academy_only_what_came_after(client, world):
    executive = world[Role.EXECUTIVE]
    risk = risks.risk_raise(
        by=executive, academy=world.north_a, category="staffing", title="CONFIDENTIAL: HR investigation",
        description="Allegation under investigation.", likelihood=3, impact=4,
        visibility=Visibility.TRUST_ONLY, reason="whistleblowing report",
    )
    risk = risks.risk_change(
        risk=risk, by=executive, reason="Investigation closed; the staffing gap remains.",
        title="Leadership capacity while a senior post is vacant", visibility=Visibility.SHARED,
    )
    risk = risks.risk_change(risk=risk, by=executive, reason="Interim deputy appointed.", likelihood=2)
    client.force_login(world[Role.HEADTEACHER])
    body = client.get(reverse("healthchecks:risk", kwargs={"uuid": risk.uuid})).content.decode()
    assert "CONFIDENTIAL" not in body and "whistleblowing" not in body and "Investigation closed" in body
    events = client.get(reverse("api:risk-detail", kwargs={"uuid": risk.uuid})).json()["events"]
    assert [e["reason"] for e in events] == ["Investigation closed; the staffing gap remains.",
                                             "Interim deputy appointed."]
    assert "CONFIDENTIAL" not in str(events)


def test_a_risk_made_trust_only_takes_back_what_the_chair_was_told(world):
    Membership.objects.filter(user=world[Role.GOVERNOR]).update(lgb_chair=True)
    executive = world[Role.EXECUTIVE]
    risk = risks.risk_raise(by=executive, academy=world.north_a, category="finance", title="Deficit budget",
                            description="In deficit by March.", likelihood=4, impact=4)
    assert Notification.objects.filter(user=world[Role.GOVERNOR]).exists()
    risks.risk_change(risk=risk, by=executive, reason="Restructuring talks are confidential.",
                      visibility=Visibility.TRUST_ONLY)
    assert not Notification.objects.filter(user=world[Role.GOVERNOR]).exists()
    assert Notification.objects.filter(user=executive, kind="risk.raised").exists()


def test_a_report_with_the_headteacher_is_returned_to_draft_before_it_changes(world):
    report = make_health_check(world.north_a, status=S.SUBMITTED)
    try:
        services.health_check_edit(health_check=report, by=world[Role.SIEL], version=report.version,
                                   key_findings="Changed behind the headteacher's back.")
    except services.WorkflowError as error:
        assert "return it to draft" in str(error)
    else:
        raise AssertionError("an edit during the factual-accuracy check was allowed")
    report.refresh_from_db()
    assert "behind" not in report.key_findings


def test_someone_new_in_a_role_is_not_told_of_actions_overdue_before_they_came(world):
    from tests.factories import person
    from tests.healthchecks.makers import make_action

    report = make_health_check(world.north_a, actions=0)
    make_action(report, due_on=datetime.date(2026, 1, 10))
    assert services.notify_overdue_actions(datetime.date(2026, 2, 1)) == 1
    newcomer = person(Role.SIEL, email="new-siel@trust.test")
    assert services.notify_overdue_actions(datetime.date(2026, 2, 2)) == 0
    assert not Notification.objects.filter(user=newcomer).exists()
