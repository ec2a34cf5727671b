"""Every URL, every role, every method that matters: allowed works, out of scope is 404,
read-only is 403, anonymous is sent to sign in (401 on the API).

`test_every_url_has_an_access_case` fails when a URL is added without a case here.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from academies.models import Academy
from tests.factories import Role

R = Role
TRUST_WIDE = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.DATA_MANAGER, R.ADMINISTRATOR}
ANON = "anonymous"
PRINCIPALS = [*Role, ANON]
# Academies a case is tried against: the academy people's own, another in the hub lead's hub,
# and one in the other hub.
TARGETS = ["north_a", "north_b", "south_a"]


def sees(role, target):
    if role in TRUST_WIDE:
        return True
    if role == R.HUB_LEAD:
        return target in {"north_a", "north_b"}
    return target == "north_a"


def changes(role, target):
    return sees(role, target) and (
        role in {R.EXECUTIVE, R.ADMINISTRATOR} or role == R.HUB_LEAD
    )


def creates(role):
    return role in {R.EXECUTIVE, R.ADMINISTRATOR}


def academy_form_data(academy, **changes):
    data = {
        "urn": academy.urn, "name": academy.name, "phase": academy.phase,
        "academy_type": academy.academy_type, "hub": academy.hub_id,
        "local_authority": academy.local_authority, "la_code": academy.la_code,
        "status": academy.status, "date_joined": academy.date_joined.isoformat(),
        "date_left": "", "statutory_low_age": "", "statutory_high_age": "",
    }
    data.update(changes)
    return data


@dataclass
class Case:
    name: str
    method: str
    expect: object  # callable(principal, target) -> status, or an int for everyone signed in
    per_academy: bool = False
    anon: int = 302  # what an anonymous visitor gets (302 = sent to the sign-in page)
    kwargs: dict = field(default_factory=dict)
    data: object = None  # callable(world, academy) -> body

    def url(self, world, academy):
        kwargs = dict(self.kwargs)
        if self.per_academy:
            kwargs["urn"] = academy.urn
        return reverse(self.name, kwargs=kwargs)

    def expected(self, principal, target):
        if principal == ANON:
            return self.anon
        return self.expect(principal, target) if callable(self.expect) else self.expect


def scoped(allowed, otherwise=403):
    """In scope: `allowed(role, target)` decides 200 or `otherwise`; out of scope: 404."""
    def expect(role, target, ok=200):
        if not sees(role, target):
            return 404
        return ok if allowed(role, target) else otherwise
    return expect


def read(role, target):
    return 200 if sees(role, target) else 404


CASES = [
    Case("home", "get", 302),
    Case("healthz", "get", 200, anon=200),
    Case("healthz", "post", 405, anon=405),
    Case("login", "get", 302, anon=200),  # signed-in people are sent on
    Case("logout", "post", 302, anon=302),
    Case("logout", "get", 405, anon=405),
    Case("password_change", "get", 200),
    Case("password_change_done", "get", 200),
    Case("password_reset", "get", 200, anon=200),
    Case("password_reset_done", "get", 200, anon=200),
    Case("password_reset_confirm", "get", 200, anon=200, kwargs={"uidb64": "MQ", "token": "x-y"}),
    Case("password_reset_complete", "get", 200, anon=200),
    Case("api-token", "get", 200),
    Case("api-token", "post", 302),
    Case("academies:list", "get", 200),
    Case("academies:list", "post", 405),
    Case("academies:create", "get", lambda role, t: 200 if creates(role) else 403),
    Case("academies:detail", "get", read, per_academy=True),
    Case("academies:detail", "post", 405, per_academy=True),  # never says whether it exists
    Case("academies:edit", "get", scoped(changes), per_academy=True),
    Case("academies:edit", "post", lambda role, t: scoped(changes)(role, t, ok=302),
         per_academy=True, data=lambda w, a: academy_form_data(a, name=f"{a.name} renamed")),
    Case("api:api-root", "get", 200, anon=401),
    Case("api:academy-list", "get", 200, anon=401),
    Case("api:academy-list", "post", lambda role, t: 400 if creates(role) else 403, anon=401,
         data=lambda w, a: {}),
    Case("api:academy-detail", "get", read, per_academy=True, anon=401),
    Case("api:academy-detail", "patch", scoped(changes), per_academy=True, anon=401,
         data=lambda w, a: {"name": f"{a.name} renamed"}),
    Case("api:academy-detail", "put", lambda role, t: scoped(changes)(role, t, ok=400),
         per_academy=True, anon=401, data=lambda w, a: {"name": ""}),
    Case("api:academy-detail", "delete", 405, per_academy=True, anon=401),
    Case("api-schema", "get", 200, anon=401),
    Case("api-docs", "get", 200),
]

# The admin has its own access rules (staff only), tested in test_admin_is_for_staff_only.
NOT_IN_MATRIX = {"admin"}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in NOT_IN_MATRIX:
                continue
            yield from _url_names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def test_every_url_has_an_access_case():
    covered = {case.name for case in CASES}
    missing = sorted(set(_url_names()) - covered)
    assert not missing, (
        f"These URLs have no access case in {__file__}: {missing}. Add a Case for each: "
        "who may use it, and 404 for everyone out of scope."
    )


def _params():
    for case in CASES:
        for principal in PRINCIPALS:
            for target in (TARGETS if case.per_academy else ["north_a"]):
                yield pytest.param(
                    case, principal, target,
                    id=f"{case.method.upper()} {case.name} as {principal} on {target}",
                )


@pytest.mark.parametrize(("case", "principal", "target"), list(_params()))
def test_access(client, world, case, principal, target):
    if principal != ANON:
        client.force_login(world[principal])
    academy = getattr(world, target)
    before = list(Academy.objects.order_by("pk").values())
    body = case.data(world, academy) if case.data else None
    send = getattr(client, case.method)
    kwargs = {}
    if body is not None:
        kwargs = {"data": body}
        if case.name.startswith("api:"):
            kwargs["content_type"] = "application/json"
    response = send(case.url(world, academy), **kwargs)

    expected = case.expected(principal, target)
    assert response.status_code == expected, (
        f"{case.method.upper()} {case.url(world, academy)} as {principal}: "
        f"{response.status_code}, expected {expected}"
    )
    if expected == 302 and principal == ANON and case.anon == 302 and case.name != "logout":
        assert response["Location"].startswith(reverse("login"))
    if response.status_code >= 400:
        assert list(Academy.objects.order_by("pk").values()) == before, "a refused request changed data"


def _without_csrf(content):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_out_of_scope_404_is_indistinguishable_from_missing(client, world):
    client.force_login(world[R.GOVERNOR])
    hidden = client.get(reverse("academies:detail", kwargs={"urn": world.south_a.urn}))
    missing = client.get(reverse("academies:detail", kwargs={"urn": "999999"}))
    assert hidden.status_code == missing.status_code == 404
    # The pages differ only in the masked CSRF token of the sign-out form.
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)

    api_hidden = client.get(reverse("api:academy-detail", kwargs={"urn": world.south_a.urn}))
    api_missing = client.get(reverse("api:academy-detail", kwargs={"urn": "999999"}))
    assert api_hidden.status_code == api_missing.status_code == 404
    assert api_hidden.json() == api_missing.json()


def test_admin_is_for_staff_only(client, world):
    client.force_login(world[R.EXECUTIVE])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(world[R.ADMINISTRATOR])
    assert client.get(reverse("admin:index")).status_code == 200
