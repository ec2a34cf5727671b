"""The vocabulary of access cases: who is tried, against which academies, expecting what."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.factories import Role

R = Role
TRUST_WIDE = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.DATA_MANAGER, R.ADMINISTRATOR}
ANON = "anonymous"
PRINCIPALS = [*Role, ANON]
# Academies a case is tried against: the academy people's own (North A), another in the hub
# lead's hub (North B), and one in the other hub (South A).
TARGETS = ["north_a", "north_b", "south_a"]


def sees(role, target):
    if role in TRUST_WIDE:
        return True
    if role == R.HUB_LEAD:
        return target in {"north_a", "north_b"}
    return target == "north_a"


def holds(roles):
    """A rule: the role is one of `roles` and sees the academy."""
    def allowed(role, target):
        return sees(role, target) and role in roles
    return allowed


def scoped(allowed, otherwise=403, ok=200):
    """Out of scope: 404. In scope: `ok` if `allowed(role, target)`, else `otherwise`."""
    def expect(role, target):
        if not sees(role, target):
            return 404
        return ok if allowed(role, target) else otherwise
    return expect


def read(role, target):
    return 200 if sees(role, target) else 404


def trust_level(roles, ok=200, otherwise=403):
    """Pages that belong to no academy: `ok` for `roles`, else `otherwise`."""
    def expect(role, target):
        return ok if role in roles else otherwise
    return expect


@dataclass
class Case:
    name: str
    method: str
    expect: object  # callable(principal, target) -> status, or an int for everyone signed in
    per_academy: bool = False
    anon: int = 302  # what an anonymous visitor gets (302 = sent to the sign-in page)
    kwargs: dict = field(default_factory=dict)
    data: object = None  # callable(world, academy) -> body
    # For URLs of objects that are not academies: make the object for the target academy and
    # return the URL's kwargs, e.g. lambda world, academy: {"uuid": make_thing(academy).uuid}.
    object_kwargs: Callable | None = None
    multipart: bool = False

    def url(self, world, academy):
        kwargs = dict(self.kwargs)
        if self.object_kwargs is not None:
            kwargs.update(self.object_kwargs(world, academy))
        elif self.per_academy:
            kwargs["urn"] = academy.urn
        return reverse(self.name, kwargs=kwargs)

    @property
    def targets(self):
        return TARGETS if (self.per_academy or self.object_kwargs) else ["north_a"]

    def expected(self, principal, target):
        if principal == ANON:
            return self.anon
        return self.expect(principal, target) if callable(self.expect) else self.expect


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
