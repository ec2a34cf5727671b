"""Accounts, the academies register and its API."""

from .common import Case, R, academy_form_data, read, scoped, sees, trust_level


def changes(role, target):
    return sees(role, target) and role in {R.EXECUTIVE, R.ADMINISTRATOR, R.HUB_LEAD}


CREATORS = {R.EXECUTIVE, R.ADMINISTRATOR}

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
    Case("academies:create", "get", trust_level(CREATORS)),
    Case("academies:detail", "get", read, per_academy=True),
    Case("academies:detail", "post", 405, per_academy=True),  # never says whether it exists
    Case("academies:edit", "get", scoped(changes), per_academy=True),
    Case("academies:edit", "post", scoped(changes, ok=302), per_academy=True,
         data=lambda w, a: academy_form_data(a, name=f"{a.name} renamed")),
    Case("api:api-root", "get", 200, anon=401),
    Case("api:academy-list", "get", 200, anon=401),
    Case("api:academy-list", "post", trust_level(CREATORS, ok=400), anon=401, data=lambda w, a: {}),
    Case("api:academy-detail", "get", read, per_academy=True, anon=401),
    Case("api:academy-detail", "patch", scoped(changes), per_academy=True, anon=401,
         data=lambda w, a: {"name": f"{a.name} renamed"}),
    Case("api:academy-detail", "put", scoped(changes, ok=400), per_academy=True, anon=401,
         data=lambda w, a: {"name": ""}),
    Case("api:academy-detail", "delete", 405, per_academy=True, anon=401),
    Case("api-schema", "get", 200, anon=401),
    Case("api-docs", "get", 200),
]
