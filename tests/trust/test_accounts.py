import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, Role

LOGIN = reverse("login")


def sign_in(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_signing_in_with_email_in_any_case(client, world):
    response = sign_in(client, "GOVERNOR@trust.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(world[Role.GOVERNOR].pk)


def test_a_wrong_password_is_refused_with_a_message(client, world):
    response = sign_in(client, "governor@trust.test", "not-the-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_session_key_changes_at_sign_in(client, world):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    sign_in(client, "governor@trust.test")
    assert client.session.session_key != before


def test_repeated_failures_lock_that_account_from_that_address_only(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "exec@trust.test", "guess", ip="203.0.113.9")
    locked = sign_in(client, "exec@trust.test", ip="203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert SESSION_KEY not in client.session
    # The real person, elsewhere, is not locked out by the attacker.
    assert sign_in(client, "exec@trust.test", ip="198.51.100.7").status_code == 302
    # Nor is another account from the attacker's address.
    client.logout()
    assert sign_in(client, "siel@trust.test", ip="203.0.113.9").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, world, settings):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "exec@trust.test", "guess")
        assert sign_in(client, "exec@trust.test").status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
        assert sign_in(client, "exec@trust.test").status_code == 302


def test_a_session_ends_after_the_idle_limit(client, world, settings):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "governor@trust.test")
        assert client.get(reverse("academies:list")).status_code == 200
        # Activity slides the expiry along ...
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("academies:list")).status_code == 200
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("academies:list")).status_code == 200
        # ... and idleness ends the session.
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get(reverse("academies:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_sign_out_flushes_the_session(client, world):
    sign_in(client, "governor@trust.test")
    key = client.session.session_key
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("academies:list")).status_code == 302


def test_password_reset_by_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "Governor@trust.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["governor@trust.test"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    new = "fresh-password-for-reset"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert sign_in(client, "governor@trust.test", new).status_code == 302
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_does_not_reveal_who_has_an_account(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_changing_the_password_checks_the_old_and_the_strength(client, world):
    client.force_login(world[Role.HEADTEACHER])
    url = reverse("password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"})
    assert "too short" in weak.content.decode()
    wrong = client.post(url, {"old_password": "nope", "new_password1": "a-good-new-pass-1",
                              "new_password2": "a-good-new-pass-1"})
    assert "old password was entered incorrectly" in wrong.content.decode()
    ok = client.post(url, {"old_password": PASSWORD, "new_password1": "a-good-new-pass-1",
                           "new_password2": "a-good-new-pass-1"})
    assert ok.status_code == 302
    world[Role.HEADTEACHER].refresh_from_db()
    assert world[Role.HEADTEACHER].check_password("a-good-new-pass-1")


def test_an_api_token_is_made_and_replaced(client, world):
    from rest_framework.authtoken.models import Token

    client.force_login(world[Role.TRUSTEE])
    client.post(reverse("api-token"))
    first = Token.objects.get(user=world[Role.TRUSTEE]).key
    page = client.get(reverse("api-token")).content.decode()
    assert first in page
    client.post(reverse("api-token"))
    second = Token.objects.get(user=world[Role.TRUSTEE]).key
    assert second != first
    api = reverse("api:academy-list")
    client.logout()
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        (Role.EXECUTIVE, "/academies/"),
        (Role.SIEL, "/academies/"),
        (Role.TRUSTEE, "/academies/"),
        (Role.DATA_MANAGER, "/academies/"),
        (Role.ADMINISTRATOR, "/academies/"),
        (Role.HUB_LEAD, "/academies/"),
        (Role.HEADTEACHER, "/academies/100001/"),
        (Role.GOVERNOR, "/academies/100001/"),
        (Role.ACADEMY_DATA_MANAGER, "/academies/100001/"),
    ],
)
def test_home_sends_each_role_where_it_works(client, world, role, lands_on):
    client.force_login(world[role])
    assert client.get("/")["Location"] == lands_on


def test_a_governor_of_two_academies_lands_on_the_list(client, world):
    from trust.models import Membership

    governor = world[Role.GOVERNOR]
    Membership.objects.create(user=governor, role=Role.GOVERNOR, academy=world.south_a)
    client.force_login(governor)
    assert client.get("/")["Location"] == "/academies/"
    names = [a.name for a in client.get("/academies/").context["page"].object_list]
    assert names == ["North A", "South A"]


def test_a_person_with_no_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "no role yet" in response.content.decode()
    assert client.get("/academies/").context["page"].paginator.count == 0


def test_the_menu_shows_each_role_only_what_it_may_use(client, world):
    client.force_login(world[Role.GOVERNOR])
    menu = [item["key"] for item in client.get("/academies/").context["nav_items"]]
    assert menu == ["academies", "standards", "priorities", "healthchecks", "api"]
    client.force_login(world[Role.ADMINISTRATOR])
    menu = [item["key"] for item in client.get("/academies/").context["nav_items"]]
    assert menu == ["academies", "standards", "priorities", "healthchecks", "risks", "tiers", "support",
                    "imports", "api", "admin"]
    client.logout()
    assert "Admin" not in client.get(LOGIN).content.decode()
