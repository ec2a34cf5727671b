"""Every URL, every role, every method that matters: allowed works, out of scope is 404,
read-only is 403, anonymous is sent to sign in (401 on the API).

The cases live in tests/access_cases/, one module per area.
`test_every_url_has_an_access_case` fails when a URL is added without a case there.
"""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_cases import CASES
from tests.access_cases.common import ANON, PRINCIPALS, R

# The admin has its own access rules (staff only), tested in test_admin_is_for_staff_only.
NOT_IN_MATRIX = {"admin"}
# Everything a refused request must leave exactly as it was.
GUARDED_APPS = ("academies", "trust", "healthchecks", "tiers", "academycards")


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
        f"These URLs have no access case in tests/access_cases/: {missing}. Add a Case for each: "
        "who may use it, and 404 for everyone out of scope."
    )


def snapshot():
    state = {}
    for app in GUARDED_APPS:
        for model in apps.get_app_config(app).get_models():
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def _params():
    for case in CASES:
        for principal in PRINCIPALS:
            for target in case.targets:
                yield pytest.param(
                    case, principal, target,
                    id=f"{case.method.upper()} {case.name} as {principal} on {target}",
                )


@pytest.mark.parametrize(("case", "principal", "target"), list(_params()))
def test_access(client, world, case, principal, target):
    if principal != ANON:
        client.force_login(world[principal])
    academy = getattr(world, target)
    url = case.url(world, academy)
    body = case.data(world, academy) if case.data else None
    before = snapshot()
    kwargs = {}
    if body is not None:
        kwargs = {"data": body}
        if case.name.startswith("api:") and not case.multipart:
            kwargs["content_type"] = "application/json"
    response = getattr(client, case.method)(url, **kwargs)

    expected = case.expected(principal, target)
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {principal}: {response.status_code}, expected {expected}"
    )
    if expected == 302 and principal == ANON and case.anon == 302 and case.name != "logout":
        assert response["Location"].startswith(reverse("login"))
    if response.status_code >= 400:
        after = snapshot()
        changed = [label for label in before if before[label] != after[label]]
        assert not changed, f"a refused request changed {changed}"


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
