"""Who may see and change what: the one place scope is decided.

Every view, API endpoint, export, PDF and task that acts for a person asks this module.
An object outside a person's scope answers 404 (so nothing can be enumerated); an object in
scope that the person may only read answers 403 to a change.

A person's scope comes from their memberships: trust-wide roles see every academy, a hub lead
sees the academies of their hub, academy roles see their own academy. What a role may *do*
is the ACTIONS table below; a role grants an action only within the academies it covers.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

from .models import HUB_ROLES, TRUST_ROLES, Role

R = Role
ALL_ROLES = frozenset(Role)

# action -> roles that may take it (within the academies each role covers)
ACTIONS: dict[str, frozenset[str]] = {
    "academy.view": ALL_ROLES,
    "academy.create": frozenset({R.ADMINISTRATOR, R.EXECUTIVE}),
    "academy.change": frozenset({R.ADMINISTRATOR, R.EXECUTIVE, R.HUB_LEAD}),
    "api.docs": ALL_ROLES,
    # Performance data
    "results.view": ALL_ROLES,
    "data.import": frozenset({R.ADMINISTRATOR, R.DATA_MANAGER, R.ACADEMY_DATA_MANAGER}),
    "measure.change": frozenset({R.ADMINISTRATOR, R.EXECUTIVE, R.DATA_MANAGER}),
    "inspection.change": frozenset({R.ADMINISTRATOR, R.EXECUTIVE, R.HUB_LEAD, R.DATA_MANAGER}),
    "sef.change": frozenset({R.ADMINISTRATOR, R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}),
    # Targets and development plans
    "target.view": ALL_ROLES,
    "target.edit": frozenset({R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}),  # drafts, and proposing
    "target.review": frozenset({R.GOVERNOR}),  # the LGB's review, recorded by a governor
    "target.agree": frozenset({R.TRUSTEE, R.EXECUTIVE}),  # the Trust Board's decision
    "target.amend": frozenset({R.TRUSTEE, R.EXECUTIVE}),  # a change after agreement, with a reason
    "standard.change": frozenset({R.ADMINISTRATOR, R.EXECUTIVE}),
    "plan.view": ALL_ROLES,
    "plan.change": frozenset({R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER, R.SIEL}),
    # Health checks (which states a role reads is the HealthCheck queryset's rule) and visits
    "healthcheck.view": ALL_ROLES,
    "healthcheck.file": frozenset({R.SIEL, R.EXECUTIVE, R.HUB_LEAD}),  # write, submit, publish
    "healthcheck.respond": frozenset({R.HEADTEACHER}),  # the factual-accuracy response
    "healthaction.update": frozenset({R.SIEL, R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}),
    "visit.view": ALL_ROLES,
    "visit.record": frozenset({R.GOVERNOR}),
    # The risk register (trust-only risks are the Risk queryset's rule)
    "risk.view": ALL_ROLES,
    "risk.change": frozenset({R.EXECUTIVE, R.SIEL, R.HUB_LEAD}),
    "risk.register": frozenset({R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}),
    "riskrule.change": frozenset({R.EXECUTIVE, R.ADMINISTRATOR}),
    # School-improvement tiers. Every role reads an academy's agreed tier and the support it is
    # owed; the engine's recommendations and baselines read trust-only evidence, so only trust
    # staff read them.
    "tier.view": ALL_ROLES,
    "tier.recommendation.view": frozenset({R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}),
    "tier.propose": frozenset({R.EXECUTIVE, R.SIEL, R.HUB_LEAD}),
    "tier.decide": frozenset({R.TRUSTEE, R.EXECUTIVE}),  # records the Trust Board's decision
    "tier.define": frozenset({R.EXECUTIVE, R.ADMINISTRATOR}),  # definitions and engine rules
    "support.view": ALL_ROLES,
    "support.log": frozenset({R.EXECUTIVE, R.SIEL, R.HUB_LEAD}),
    "capacity.change": frozenset({R.EXECUTIVE, R.SIEL, R.ADMINISTRATOR}),
    "baseline.view": frozenset({R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}),
    "baseline.change": frozenset({R.EXECUTIVE, R.SIEL, R.HUB_LEAD}),
}


@dataclass(frozen=True)
class Scope:
    """The roles one person holds, resolved once per request."""

    trust_roles: frozenset = frozenset()
    hub_roles: dict = field(default_factory=dict)  # hub id -> roles
    academy_roles: dict = field(default_factory=dict)  # academy id -> roles

    @property
    def is_empty(self):
        return not (self.trust_roles or self.hub_roles or self.academy_roles)

    @property
    def trust_wide(self):
        return bool(self.trust_roles)

    @property
    def all_roles(self):
        roles = set(self.trust_roles)
        for held in (*self.hub_roles.values(), *self.academy_roles.values()):
            roles |= held
        return frozenset(roles)

    def roles_for(self, academy=None):
        """Roles that apply to one academy (or, with None, to trust-level things)."""
        if academy is None:
            return self.trust_roles
        roles = set(self.trust_roles)
        roles |= self.hub_roles.get(academy.hub_id, frozenset())
        roles |= self.academy_roles.get(academy.pk, frozenset())
        return frozenset(roles)

    def can(self, action, academy=None):
        return bool(self.roles_for(academy) & _roles_for_action(action))

    def can_anywhere(self, action):
        """True when the person may take `action` for at least one academy or trust-wide."""
        return bool(self.all_roles & _roles_for_action(action))

    def academy_q(self, action=None, prefix=""):
        """A filter over academies (through `prefix`, e.g. "academy__") this scope covers.

        With an action, only the academies where the person may take it.
        """
        allowed = _roles_for_action(action) if action else ALL_ROLES
        if self.trust_roles & allowed:
            return Q()
        hubs = [hub for hub, roles in self.hub_roles.items() if roles & allowed]
        academies = [a for a, roles in self.academy_roles.items() if roles & allowed]
        q = Q(pk__in=[])
        if hubs:
            q |= Q(**{f"{prefix}hub_id__in": hubs})
        if academies:
            q |= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": academies})
        return q


EMPTY_SCOPE = Scope()


def _roles_for_action(action):
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}: add it to trust.access.ACTIONS.") from None


def scope_for(user):
    """The person's scope, computed from their memberships once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_trust_scope", None)
    if cached is not None:
        return cached
    trust_roles, hub_roles, academy_roles = set(), {}, {}
    memberships = user.memberships.order_by().values_list("role", "hub_id", "academy_id")
    for role, hub_id, academy_id in memberships:
        if role in TRUST_ROLES:
            trust_roles.add(role)
        elif role in HUB_ROLES:
            hub_roles.setdefault(hub_id, set()).add(role)
        else:
            academy_roles.setdefault(academy_id, set()).add(role)
    scope = Scope(
        trust_roles=frozenset(trust_roles),
        hub_roles={k: frozenset(v) for k, v in hub_roles.items()},
        academy_roles={k: frozenset(v) for k, v in academy_roles.items()},
    )
    user._trust_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to one person's scope.

    `academy_path` names the way from the model to its academy ("" for Academy itself), and
    the model's `access_academy` property gives that academy for one row.
    Models with trust-only rows extend `visible_to` with their own confidentiality rule.
    """

    academy_path = "academy"

    def _prefix(self):
        return f"{self.academy_path}__" if self.academy_path else ""

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        return self.filter(scope.academy_q(prefix=self._prefix()))

    def permitting(self, user, action):
        """Rows in the academies where the person may take `action`."""
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        return self.filter(scope.academy_q(action, prefix=self._prefix()))


def require(user, action, academy=None):
    """Raise 403 unless the person may take `action` (for `academy`, or trust-wide)."""
    if not scope_for(user).can(action, academy):
        raise PermissionDenied


def require_anywhere(user, action):
    """Raise 404 unless the person may take `action` somewhere: the page is not theirs."""
    if not scope_for(user).can_anywhere(action):
        raise Http404


def get_scoped_or_404(user, queryset, *, action, **lookup):
    """The object matching `lookup` within the person's scope, or 404; 403 if not `action`."""
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        # A malformed identifier (e.g. not a UUID) is not found, like a missing one.
        raise Http404 from None
    require(user, action, obj.access_academy)
    return obj
