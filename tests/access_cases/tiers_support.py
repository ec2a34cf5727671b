"""The support pages of tiers: schedule and log, overview, calendar and feed, capacity, baselines.

The `make_*` helpers build the rows these cases and the support page tests need.
"""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from tests.factories import person
from tiers.models import BaselineAssessment, CalendarFeed, CapacityOffer, SupportKind, SupportLogEntry
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped, sees, trust_level

LOGGERS = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}
OVERSEERS = {R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.HUB_LEAD, R.ADMINISTRATOR}  # tier.recommendation.view
CAPACITY = {R.EXECUTIVE, R.SIEL, R.ADMINISTRATOR}
BASELINE_READERS = OVERSEERS
BASELINE_WRITERS = {R.EXECUTIVE, R.SIEL, R.HUB_LEAD}


def make_entry(academy, *, kind=SupportKind.CEO_ONE_TO_ONE, held_on=None, **fields):
    return SupportLogEntry.objects.create(
        academy=academy, kind=kind, held_on=held_on or timezone.localdate(), **fields
    )


def make_offer(*, provider=None, theme="reading", expertise="KS1 phonics coaching", days="4.5", year=None):
    return CapacityOffer.objects.create(
        academic_year=year or AcademicYear.current(), provider=provider, theme=theme,
        expertise=expertise, days_available=Decimal(days), contact="Reading lead",
    )


def make_baseline(academy, **fields):
    values = {
        "assessed_on": timezone.localdate(),
        "curriculum": BaselineAssessment.Curriculum.DEVELOPING,
        "capacity": BaselineAssessment.Capacity.TAKER,
        "proposed_tier": 3,
        "rationale": "Outcomes well below national; leadership new and not yet secure.",
    }
    values.update(fields)
    return BaselineAssessment.objects.create(academy=academy, **values)


def feed_of(user):
    return CalendarFeed.objects.get_or_create(user=user)[0]


def joining(academy):
    """Mark the academy as a school joining the trust: only such a school has a baseline."""
    academy.status = academy.Status.JOINING
    academy.save(update_fields=["status"])
    return academy


def baseline_form(**changes):
    data = {
        "assessed_on": timezone.localdate().isoformat(), "curriculum": "developing", "capacity": "taker",
        "proposed_tier": "3", "rationale": "Outcomes well below national.",
    }
    data.update(changes)
    return data


def offer_form(**changes):
    data = {"provider": "", "theme": "maths", "expertise": "Mastery maths coaching", "days_available": "3"}
    data.update(changes)
    return data


def _baseline_access(writers, ok=200):
    """Baselines are trust-only evidence: 404 for anyone without baseline.view anywhere."""
    def expect(role, target):
        if role not in BASELINE_READERS or not sees(role, target):
            return 404
        return ok if role in writers else 403
    return expect


def _everyone_with(roles, ok=200, otherwise=403):
    def expect(role, target):
        return ok if role in roles else otherwise
    return expect


def _entry_kwargs(world, academy):
    return {"uuid": make_entry(academy).uuid}


def _offer_kwargs(world, academy):
    return {"uuid": make_offer(provider=academy).uuid}


def _baseline_kwargs(world, academy):
    return {"uuid": make_baseline(academy).uuid}


def _inactive_feed(world, academy):
    user = person(R.EXECUTIVE, email="left@trust.test", is_active=False)
    return {"token": feed_of(user).token}


def _yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


CASES = [
    Case("tiers:support", "get", read, per_academy=True),
    Case("tiers:support", "post", 405, per_academy=True),
    Case("tiers:support-log", "post", scoped(holds(LOGGERS), ok=302), per_academy=True,
         data=lambda w, a: {"kind": "ceo_one_to_one", "held_on": _yesterday(), "led_by": "CEO"}),
    Case("tiers:support-log", "get", 405, per_academy=True),
    Case("tiers:support-delete", "post", scoped(holds(LOGGERS), ok=302), object_kwargs=_entry_kwargs),
    Case("tiers:support-delete", "get", 405, object_kwargs=_entry_kwargs),
    Case("tiers:support-overview", "get", trust_level(OVERSEERS, otherwise=404)),
    Case("tiers:support-overview", "post", 405),
    Case("tiers:calendar", "get", 200),
    Case("tiers:calendar", "post", 405),
    Case("tiers:calendar-feed-settings", "get", 200),
    Case("tiers:calendar-feed-settings", "post", 302),
    # The feed needs no sign-in: its token is the credential, whoever brings it. An unknown
    # token, or the token of someone no longer active, finds nothing.
    Case("tiers:calendar-feed", "get", 200, anon=200,
         object_kwargs=lambda w, a: {"token": feed_of(w[R.GOVERNOR]).token}),
    Case("tiers:calendar-feed", "get", 404, anon=404, kwargs={"token": "not-a-real-token"}),
    Case("tiers:calendar-feed", "get", 404, anon=404, object_kwargs=_inactive_feed),
    Case("tiers:calendar-feed", "post", 405, anon=405,
         object_kwargs=lambda w, a: {"token": feed_of(w[R.GOVERNOR]).token}),
    Case("tiers:capacity", "get", trust_level(OVERSEERS, otherwise=404)),
    Case("tiers:capacity-create", "get", trust_level(CAPACITY)),
    Case("tiers:capacity-create", "post", trust_level(CAPACITY, ok=302), data=lambda w, a: offer_form()),
    Case("tiers:capacity-edit", "get", _everyone_with(CAPACITY), object_kwargs=_offer_kwargs),
    Case("tiers:capacity-edit", "post", _everyone_with(CAPACITY, ok=302), object_kwargs=_offer_kwargs,
         data=lambda w, a: offer_form(provider=str(a.pk), days_available="2")),
    Case("tiers:capacity-delete", "post", _everyone_with(CAPACITY, ok=302), object_kwargs=_offer_kwargs),
    Case("tiers:capacity-delete", "get", 405, object_kwargs=_offer_kwargs),
    Case("tiers:academy-capacity", "get", read, per_academy=True),
    Case("tiers:baselines", "get", trust_level(BASELINE_READERS, otherwise=404)),
    Case("tiers:baseline-create", "get", _baseline_access(BASELINE_WRITERS), per_academy=True),
    Case("tiers:baseline-create", "post", _baseline_access(BASELINE_WRITERS, ok=302), per_academy=True,
         data=lambda w, a: joining(a) and baseline_form()),
    Case("tiers:baseline", "get", _baseline_access(BASELINE_READERS), object_kwargs=_baseline_kwargs),
    Case("tiers:baseline-edit", "get", _baseline_access(BASELINE_WRITERS), object_kwargs=_baseline_kwargs),
    Case("tiers:baseline-edit", "post", _baseline_access(BASELINE_WRITERS, ok=302),
         object_kwargs=_baseline_kwargs, data=lambda w, a: baseline_form(version="1")),
    Case("tiers:baseline-complete", "post", _baseline_access(BASELINE_WRITERS, ok=302),
         object_kwargs=_baseline_kwargs, data=lambda w, a: {"version": "1"}),
    Case("tiers:baseline-complete", "get", 405, object_kwargs=_baseline_kwargs),
]


def agree_tier(world, academy, tier, *, year=None, board_meeting=None):
    """A tier proposed by the executive and agreed by a trustee for a past board meeting, through
    the services, so the academy's support schedule is generated as in use."""
    from tiers import services

    year = year or AcademicYear.current()
    assignment = services.propose(
        academy=academy, year=year, tier=tier, by=world[R.EXECUTIVE],
        rationale="The evidence points to this tier.",
    )
    return services.agree(
        assignment, by=world[R.TRUSTEE],
        board_meeting=board_meeting or timezone.localdate() - datetime.timedelta(days=1),
    )


def frozen_on(day):
    """Time stopped at noon on `day` (UTC), for schedules that depend on today's date."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)
