from io import StringIO

from django.core.management import call_command

from academies.models import Academy
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
    return (Academy.objects.count(), Hub.objects.count(), User.objects.count(),
            Membership.objects.count(), AcademicYear.objects.count())


def test_the_demo_trust_is_realistic(db):
    output = run_demo()
    academies = Academy.objects.all()
    assert academies.count() == 21
    assert Hub.objects.count() == 3
    phases = set(academies.values_list("phase", flat=True))
    assert {"primary", "secondary", "special", "ap"} <= phases
    assert academies.filter(status="joining").count() == 1
    assert all(a.hub_id for a in academies.exclude(status="joining"))
    assert {m.role for m in Membership.objects.all()} == set(Role)
    assert AcademicYear.objects.count() >= 6  # five years of history and the current one
    # The first academies match the synthetic DfE and Ofsted sample files.
    assert Academy.objects.get(urn="999101").name == "Synthetic Meadow Primary Academy"
    assert "Northvale Learning Trust: 21 academies in 3 hubs." in output


def test_the_demo_prints_a_login_for_every_role(db):
    output = run_demo("pw-for-the-table")
    assert "pw-for-the-table" in output
    for role in Role:
        assert role.label in output
    governor_line = next(line for line in output.splitlines() if line.startswith("LGB governor"))
    assert "governor.meadow@demo-trust.example" in governor_line and "999101" in governor_line


def test_every_demo_login_works_with_the_password(client, db):
    run_demo("open-sesame-42")
    for user in User.objects.all():
        assert signs_in(client, user.email, "open-sesame-42"), user.email


def test_the_demo_is_idempotent_and_resets_the_password(client, db):
    run_demo("first-password")
    before = counts()
    Academy.objects.filter(urn="999101").update(name="Renamed by someone")
    run_demo("second-password")
    assert counts() == before
    assert Academy.objects.get(urn="999101").name == "Synthetic Meadow Primary Academy"
    assert signs_in(client, "ceo@demo-trust.example", "second-password")
    assert not signs_in(client, "ceo@demo-trust.example", "first-password")


def test_without_a_password_the_demo_makes_and_prints_one(client, db):
    output = run_demo(password="")
    password = output.split("password: ", 1)[1].splitlines()[0].strip()
    assert len(password) >= 12
    assert signs_in(client, "trustee@demo-trust.example", password)
