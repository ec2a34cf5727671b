"""The demo trust: realistic, complete for every role, and safe to build again."""

from io import StringIO

from django.core.management import call_command

from academies.models import (
    Academy,
    Comparator,
    ImportBatch,
    Inspection,
    Result,
    SEFJudgement,
)
from trust.models import AcademicYear, Hub, Membership, Role, User


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
        ImportBatch,
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
