"""The demo trust's tiers: last year's and this year's board decisions, the support they owe and
what was given, the engine's recommendations, a joining school's baseline and the trust's
capacity to help.

Every open academy was agreed into a tier by the Trust Board last October, on a proposal from the
School Improvement Executive Lead or the CEO. This year's tiers were agreed at the October board
too, except two proposals still waiting for the next meeting; some academies moved up or down a
tier since last year, and one was reclassified mid-year when its headteacher left suddenly and a
safeguarding concern was raised. The free school joining in January has a completed due-diligence
baseline, which proposed its first tier.

This year's tiers are chosen from the engine's own reading of the evidence, so they stay sensible
when the demo's data change: most academies are agreed at the recommended tier and a few, near a
boundary, one tier off (the board took a view the data alone do not show), so the trust sees
recommendations that agree and some that differ, each of which tells the executives and the SIEL.

The support owed by each agreed tier is logged as given for most items due so far, a few of them
late; the latest items of a few academies are still owed and so overdue, and the daily sweep's
alerts about them exist. Published health checks were logged as support when they were published
and settle their items when the schedule is made.

Everything is written through the services by the people who would do it, then dated to when it
would have happened, relative to the day the demo is built. Running it again changes nothing: a
trust with tier decisions is left alone.
"""

import datetime
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import F, Max
from django.utils import timezone

from academies.models import Academy, Priority, Theme
from healthchecks.demo import Clock as HealthChecksClock
from healthchecks.models import HealthCheck
from trust.models import AcademicYear, Notification, Role, Term, User

from . import engine, services
from .models import (
    BaselineAssessment,
    CapacityOffer,
    SupportItem,
    SupportKind,
    SupportLogEntry,
    TierAssignment,
    TierEvent,
    TierRecommendation,
)

DAY = datetime.timedelta(days=1)
NAMES = {1: "Lead", 2: "Grow", 3: "Reinvent", 4: "Stabilise"}
MINUTES = {"last": 31, "this": 18}  # the first minute number of each October meeting's tier item
DIFFERING = 3  # academies agreed one tier off the recommendation (the reclassified one makes four)
OVERDUE = 4  # academies whose latest item is still owed
LATE_EVERY = {"this": 7, "last": 13}  # one logged item in so many was given after its due date

CASE = {
    1: "{name} is one of our strongest academies and we want it to lead: its leaders have the capacity to "
       "give to the hub and the wider trust while keeping standards high.",
    2: "{name} is secure and close to national in most areas. With the trust's networks and a challenge "
       "partner it can reach the top judgement.",
    3: "{name} is below national in important areas but improving under its own leaders. It needs more of "
       "the trust's challenge: a governors' committee every half term and a termly board review.",
    4: "{name} needs the trust to take the lead for rapid improvement: a statement of action within four "
       "weeks, our executive leaders deployed and a weekly one-to-one with the CEO.",
}
MOVED = {
    "up": "It moves up from tier {before} ({name_before}) last year: the improvement the health checks "
          "found has held.",
    "down": "It moves down from tier {before} ({name_before}) last year: the gains have not held and it "
            "needs more support this year.",
}
OFF_THE_DATA = {
    "more": "The data alone point to tier {recommended}; we propose more support than that because leadership "
            "is new this year and the hub lead wants closer contact through the transition.",
    "less": "The data alone point to tier {recommended}; we propose tier {tier} because this term's visits and "
            "the academy's own assessments show improvement the published figures do not yet reflect.",
}
LAST_YEAR = "Agreed at the autumn review of {year}, from the summer's results and last year's health check."
PENDING = ("To be decided at the December board, once this term's health check is published: the "
           "proposal stands on the evidence below until then.")
RECLASSIFICATION = (
    "The headteacher left without notice at half term and a safeguarding concern about the management of "
    "allegations was raised the same week. The trust has appointed an interim executive headteacher and "
    "needs to lead the academy's improvement until leadership is stable."
)
RECLASSIFICATION_RATIONALE = (
    "{name} cannot sustain its improvement without the trust taking the lead this year: an interim "
    "executive headteacher, a statement of action within four weeks and weekly contact with the CEO."
)
BASELINE = {
    "data_commentary": "Published results are close to national in reading and below it in mathematics; "
                       "attendance is improving but persistent absence is above national.",
    "improvement_plan_review": "The plan has the right priorities but few measurable milestones; the "
                               "Riverside hub will help rewrite it before the school joins.",
    "sef_review": "The self-evaluation is broadly accurate, a little generous about the curriculum in "
                  "the foundation subjects.",
    "curriculum": BaselineAssessment.Curriculum.DEVELOPING,
    "curriculum_commentary": "English and mathematics are well sequenced; the foundation subjects are "
                             "being rewritten with the trust's curriculum leads.",
    "capacity": BaselineAssessment.Capacity.TAKER,
    "rationale": "The school will need the trust's support with its curriculum and its leadership in the "
                 "first year; the due-diligence visit found safeguarding effective.",
}
# kind: (who gives it, what the log says)
LOG_NOTES = {
    SupportKind.CEO_ONE_TO_ONE: ("executive", "Went through the development plan's priorities and the "
                                              "latest attendance with the headteacher; next steps agreed."),
    SupportKind.RISK_REVIEW: ("siel", "Live risks reviewed with the headteacher: ratings confirmed and "
                                      "mitigations brought up to date."),
    SupportKind.GOVERNOR_COMMITTEE: ("siel", "The challenge and improvement committee met: the headteacher "
                                             "reported on the plan's milestones and governors questioned "
                                             "the latest assessments."),
    SupportKind.BOARD_REVIEW: ("executive", "The Trust Board reviewed the academy's standards and progress "
                                            "with the headteacher and the chair of governors."),
    SupportKind.HEALTH_CHECK: ("siel", "Follow-up visit: progress on the health check's recommendations "
                                       "checked in lessons and with leaders; a note sent to the headteacher."),
    SupportKind.STATEMENT_OF_ACTION: ("executive", "Statement of action agreed with the interim headteacher "
                                                   "and the chair, with fortnightly milestones."),
}
OTHER_NOTE = ("siel", "Support given as the tier sets out; notes with the academy's file.")
# theme: (what is offered, days)
OFFERS = {
    Theme.READING: ("Phonics training and in-class coaching for Reception and Key Stage 1 teachers", 12),
    Theme.WRITING: ("Key Stage 2 writing moderation and model texts", 6),
    Theme.MATHS: ("Mastery maths: planning sessions and lesson study in Key Stage 2", 10),
    Theme.CURRICULUM: ("Curriculum sequencing in the foundation subjects, with subject leaders", 8),
    Theme.DISADVANTAGED: ("Tracking disadvantaged pupils' progress half-termly, with our pupil premium lead",
                          6),
    Theme.SEND: ("Adaptive teaching for pupils with SEND: SENCo-led training and visits", 8),
    Theme.ATTENDANCE: ("First-day calls, attendance panels and work with families, from our attendance team",
                       10),
    Theme.BEHAVIOUR: ("One behaviour routine for every classroom: training and a reset for pupils at risk",
                      8),
    Theme.EARLY_YEARS: ("A language-rich early years: Nursery and Reception leads' visits", 6),
    Theme.LEADERSHIP: ("Coaching for new headteachers and deputies", 5),
    Theme.STAFFING: ("Early career teachers' mentoring and a shared supply pool", 6),
    Theme.SAFEGUARDING: ("Safeguarding audit and training for designated leads", 4),
}
CENTRAL_THEMES = {Theme.ATTENDANCE, Theme.SAFEGUARDING, Theme.LEADERSHIP, Theme.SEND}


def _last_pk(model):
    return model.objects.aggregate(last=Max("pk"))["last"] or 0


def _weekday(day):
    """`day`, or the Friday before it at a weekend."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


class Clock(HealthChecksClock):
    """Dates the tier history, the support log and the alerts to the moment they happened."""

    @contextmanager
    def at(self, day, hour=10, read=None):
        marks = {model: _last_pk(model) for model in (TierEvent, SupportLogEntry, TierAssignment)}
        with super().at(day, hour, read) as moment:
            yield moment
        TierEvent.objects.filter(pk__gt=marks[TierEvent]).update(at=moment)
        SupportLogEntry.objects.filter(pk__gt=marks[SupportLogEntry]).update(recorded_at=moment)
        TierAssignment.objects.filter(pk__gt=marks[TierAssignment]).update(proposed_at=moment)


class People:
    def __init__(self):
        def first(role):
            return User.objects.filter(memberships__role=role).order_by("pk").first()

        self.executive, self.siel, self.trustee = first(Role.EXECUTIVE), first(Role.SIEL), first(Role.TRUSTEE)

    def proposer(self, position):
        """The SIEL proposes most tiers; the CEO those of every third academy."""
        return self.executive if position % 3 == 2 else self.siel


# Choosing the tiers from the engine's reading


def _boundary_distance(outcome):
    """How close the weighted mean is to the half-way point between two tiers."""
    mean = outcome.weighted_mean
    if mean is None:
        return Decimal(9)
    return abs(mean - mean.to_integral_value(rounding="ROUND_FLOOR") - Decimal("0.5"))


def plan_tiers(academies, outcomes, published_this_year):
    """Which tier each open academy gets, from `outcomes` (academy -> engine Outcome).

    Returns a dict: `this` (the tier agreed in October), `last` (last year's), `pending` (two
    academies whose proposal awaits the board, at `this`), `reclassified` (academy, new tier) and
    `recommended` (academy -> the engine's tier, 2 when it has too little evidence).
    """
    recommended = {a: outcomes[a].tier or 2 for a in academies}
    waiting = [a for a in academies if a.pk not in published_this_year and recommended[a] in (2, 3)]
    pending = list(dict.fromkeys([waiting[0], waiting[-1]])) if waiting else []
    decided = [a for a in academies if a not in pending]
    this = {a: recommended[a] for a in decided}

    def sole(academy):
        return sum(1 for t in this.values() if t == this[academy]) == 1

    grow = sorted((a for a in decided if this[a] == 2), key=lambda a: -(outcomes[a].weighted_mean or 0))
    reclassified = grow[0] if grow and not sole(grow[0]) else None
    def target(academy):
        """One tier off the recommendation, on the other side of the boundary the mean is near."""
        mean = outcomes[academy].weighted_mean
        rounded_up = mean - mean.to_integral_value(rounding="ROUND_FLOOR") >= Decimal("0.5")
        return max(1, min(4, this[academy] + (-1 if rounded_up else 1)))

    # Near a boundary, and not held at tier 4 by a decisive rule (the board would not overrule that).
    candidates = [a for a in decided if a != reclassified and outcomes[a].weighted_mean is not None
                  and outcomes[a].floor is None]
    for _ in range(DIFFERING):
        candidates = [a for a in candidates if not sole(a) and target(a) != this[a]]
        if not candidates:
            break
        # The board's view evens out the tiers: a move into the least used tier first.
        used = Counter(this.values())
        academy = min(candidates, key=lambda a: (used[target(a)], _boundary_distance(outcomes[a]), a.urn))
        this[academy] = target(academy)
        candidates.remove(academy)
    # All four tiers in use: the best academy leads, the weakest is stabilised.
    ranked = sorted(decided, key=lambda a: (outcomes[a].weighted_mean or Decimal(2), a.urn))
    if 1 not in this.values():
        this[ranked[0]] = 1
    if 4 not in this.values() and reclassified is None:
        this[ranked[-1]] = 4
    if 3 not in this.values():
        this[next(a for a in reversed(ranked) if this[a] == 2 and a != reclassified)] = 3
    last = {}
    for position, academy in enumerate(academies):
        tier = this.get(academy, recommended[academy])
        if academy != reclassified and position % 5 == 1 and tier < 4:
            tier += 1  # improved since last year
        elif academy != reclassified and position % 7 == 3 and tier > 1:
            tier -= 1  # slipped since last year
        last[academy] = tier
    for tier in (1, 2, 3, 4):
        if tier not in last.values():
            last[min(academies, key=lambda a: (abs(this.get(a, recommended[a]) - tier), a.urn))] = tier
    return {
        "this": this, "last": last, "pending": pending, "recommended": recommended,
        "reclassified": (reclassified, 4) if reclassified is not None else None,
    }


# Writing it through the services


def _evidence_sentence(outcome):
    """What the proposer cites: inspections, health checks and published figures, which the
    academy's governors read too; never the risk register, which may hold trust-only risks."""
    lines = sorted(
        (line for line in outcome.lines
         if line.status == engine.Status.INDICATED and line.kind != engine.RuleKind.OPEN_RISKS),
        key=lambda line: -Decimal(line.weight),
    )
    return " ".join(line.explanation for line in lines[:2])


def _rationale(academy, tier, outcome=None, before=None, recommended=None):
    parts = [CASE[tier].format(name=academy.name)]
    if before is not None and before != tier:
        parts.append(MOVED["up" if tier < before else "down"].format(before=before, name_before=NAMES[before]))
    if recommended is not None and recommended != tier:
        parts.append(OFF_THE_DATA["more" if tier > recommended else "less"].format(
            recommended=recommended, tier=tier))
    if outcome is not None:
        parts.append(_evidence_sentence(outcome))
    return " ".join(p for p in parts if p)


def _links(outcome):
    """The evidence the engine read, as the proposal links to it."""
    return services._evidence_links(SimpleNamespace(trace=outcome.trace))


class Build:
    def __init__(self, academies, today):
        self.today = today
        self.year = AcademicYear.for_date(today)
        self.last_year = AcademicYear.for_date(self.year.starts_on - DAY)
        self.people = People()
        self.clock = Clock(today)
        self.academies = academies
        self.late = 0

    def meeting_this_year(self):
        return min(datetime.date(self.year.start_year, 10, 14), self.today - 10 * DAY)

    def decide(self, decisions, *, year, meeting, first_minute, rationale):
        """Propose each (academy, tier) three weeks before the board's `meeting`, then agree it there."""
        proposed = []
        for position, (academy, tier) in enumerate(decisions):
            with self.clock.at(_weekday(meeting - 21 * DAY + position % 5 * DAY), 14):
                proposed.append(services.propose(**rationale(academy, tier), academy=academy, year=year, tier=tier,
                                                 by=self.people.proposer(position)))
        with self.clock.at(meeting, 19):
            for number, assignment in enumerate(proposed, start=first_minute):
                services.agree(assignment, by=self.people.trustee, board_meeting=meeting,
                               board_minute=f"TB/{meeting.year % 100:02d}/{number:03d}")
        TierAssignment.objects.filter(pk__in=[a.pk for a in proposed]).update(
            decided_at=self.clock.moment(meeting, 19))
        return proposed

    def log_support(self, assignments, *, skip_latest=(), late_every):
        """Log the support each assignment owed up to today: every item due, in order, except
        the latest item due of the assignments in `skip_latest`; one in `late_every` given late."""
        logged = 0
        for assignment in assignments:
            due = list(SupportItem.objects.filter(assignment=assignment, status=SupportItem.Status.OWED,
                                                  due_on__lt=self.today).order_by("due_on", "pk"))
            if assignment.pk in skip_latest:
                due = [i for i in due if i != max(due, key=lambda i: (i.due_on, i.pk))] if due else due
            for item in due:
                logged += 1
                late = logged % late_every == 0
                held_on = item.due_on + (3 + logged % 4) * DAY if late else item.due_on - (logged % 3) * DAY
                held_on = min(max(_weekday(held_on), item.window_start), self.today)
                who, notes = LOG_NOTES.get(item.kind, OTHER_NOTE)
                by = getattr(self.people, who)
                with self.clock.at(held_on, 16):
                    services.log_support(academy=assignment.academy, kind=item.kind, held_on=held_on, by=by,
                                         notes=notes, led_by=by.get_full_name())
        return logged

    def run(self):
        year, last_year, today = self.year, self.last_year, self.today
        told_before = _last_pk(Notification)
        services.definitions_for(last_year)
        services.definitions_for(year)
        everyone = [a for a in self.academies if a.status != Academy.Status.LEFT]
        rules = engine.active_rules()
        evidence = engine.Evidence(everyone, rules, today)
        outcomes = {a: engine.recommend(a, rules, evidence) for a in everyone}
        open_academies = [a for a in everyone if a.status == Academy.Status.OPEN]
        published = set(HealthCheck.objects.published().filter(
            visit_start__gte=year.starts_on).values_list("academy_id", flat=True))
        plan = plan_tiers(open_academies, outcomes, published)
        this, last, recommended = plan["this"], plan["last"], plan["recommended"]

        # This year first, so that support given this year settles this year's schedule.
        meeting = self.meeting_this_year()
        agreed = self.decide(
            sorted(this.items(), key=lambda pair: pair[0].urn), year=year, meeting=meeting,
            first_minute=MINUTES["this"],
            rationale=lambda a, t: {"rationale": _rationale(a, t, outcomes[a], last[a], recommended[a]),
                                    "evidence": _links(outcomes[a])},
        )
        current = {a.academy_id: a for a in agreed}
        if plan["reclassified"]:
            academy, tier = plan["reclassified"]
            day = min(today - DAY, max(year.starts_on, meeting + max(1, (today - meeting).days * 2 // 3) * DAY))
            with self.clock.at(day - 2 * DAY, 11):
                proposal = services.propose(
                    academy=academy, year=year, tier=tier, by=self.people.executive,
                    rationale=RECLASSIFICATION_RATIONALE.format(name=academy.name),
                    exceptional_reason=RECLASSIFICATION, evidence=_links(outcomes[academy]),
                )
            with self.clock.at(day, 18):
                current[academy.pk] = services.agree(
                    proposal, by=self.people.trustee, board_meeting=day,
                    board_minute=f"TB/{day.year % 100:02d}/{MINUTES['this'] + len(agreed) + 12:03d}",
                )
            TierAssignment.objects.filter(pk=proposal.pk).update(decided_at=self.clock.moment(day, 18))
        ordered = sorted(current.values(), key=lambda a: a.academy.urn)
        owing = [a for a in ordered if SupportItem.objects.filter(
            assignment=a, due_on__lt=today, kind__in=list(LOG_NOTES)).exists()]
        skip = {a.pk for a in owing[1::max(1, len(owing) // OVERDUE)][:OVERDUE]}
        # The tier superseded by the reclassification was owed support until the day it changed.
        by_day = sorted(agreed, key=lambda a: a.academy.urn) + [a for a in ordered if a not in agreed]
        logged = self.log_support(by_day, skip_latest=skip, late_every=LATE_EVERY["this"])

        last_meeting = datetime.date(last_year.start_year, 10, 14)
        before = self.decide(
            sorted(last.items(), key=lambda pair: pair[0].urn), year=last_year, meeting=last_meeting,
            first_minute=MINUTES["last"],
            rationale=lambda a, t: {"rationale": _rationale(a, t) + " " + LAST_YEAR.format(year=last_year),
                                    "evidence": []},
        )
        logged += self.log_support(before, late_every=LATE_EVERY["last"])

        asked = min(today - DAY, meeting + 14 * DAY)
        pending = []
        for position, academy in enumerate(plan["pending"]):
            with self.clock.at(asked, 15, read=False):
                pending.append(services.propose(
                    academy=academy, year=year, tier=recommended[academy], by=self.people.proposer(position),
                    rationale=_rationale(academy, recommended[academy], outcomes[academy], last[academy])
                    + " " + PENDING, evidence=_links(outcomes[academy]),
                ))
        joining = self.baseline([a for a in everyone if a.status == Academy.Status.JOINING], outcomes)
        offers = self.capacity({a.academy: a.tier for a in ordered})

        with self.clock.at(today, 7, read=False):
            services.recalculate(today=today, year=year)
            services.notify_overdue_support(today)
        Notification.objects.filter(pk__gt=told_before).update(email=False)
        return {"agreed": agreed, "last": before, "pending": pending + joining, "logged": logged, "offers": offers}

    def baseline(self, joining, outcomes):
        """The due-diligence baseline of each school joining, completed, which proposes its first tier."""
        made = []
        for academy in joining:
            visit = (HealthCheck.objects.filter(academy=academy, kind=HealthCheck.Kind.DUE_DILIGENCE)
                     .order_by("-visit_start").first())
            assessed = min(self.today - DAY, (visit.visit_end or visit.visit_start) + 7 * DAY) if visit \
                else self.today - 14 * DAY
            with self.clock.at(assessed, 12, read=False):
                baseline = services.baseline_create(academy=academy, by=self.people.siel, assessed_on=assessed,
                                                    proposed_tier=outcomes[academy].tier or 3, **BASELINE)
                _, assignment = services.baseline_complete(baseline, by=self.people.siel, version=baseline.version)
            made.append(assignment)
        return made

    def capacity(self, tiers):
        """Offers from the tier 1 and 2 academies and the central team, on the themes of the
        priorities of the academies in tiers 3 and 4."""
        needing = [a for a, t in tiers.items() if t >= 3]
        themes = list(dict.fromkeys(
            Priority.objects.filter(plan__academic_year=self.year, plan__academy__in=needing)
            .order_by("order", "plan__academy__urn").values_list("theme", flat=True)
        ))
        givers = sorted((a for a, t in tiers.items() if t <= 2), key=lambda a: (tiers[a], a.urn))
        themes = [t for t in themes if t in OFFERS] or list(OFFERS)
        offers = []
        for number in range(10):
            theme = themes[number % len(themes)]
            central = theme in CENTRAL_THEMES and number < len(themes)
            provider = None if central or not givers else givers[number % len(givers)]
            expertise, days = OFFERS[theme]
            offers.append(CapacityOffer(
                academic_year=self.year, provider=provider, theme=theme, expertise=expertise,
                days_available=Decimal(days - number % 3),
                contact=("School Improvement Executive Lead" if provider is None
                         else f"Headteacher, {provider.name}"),
                notes="Days are for the academic year; ask the contact to agree dates.",
            ))
        return CapacityOffer.objects.bulk_create(offers)


def _weekday_on_or_after(day, weekday):
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _friday_on_or_before(day):
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def school_terms(start_year):
    """Term dates as a school in England keeps them, holidays between: autumn from the first
    Wednesday of September to the last Friday before 21 December; spring from the first Monday
    after New Year to the last Friday of March; summer from the second Monday of April to the
    last Friday before 23 July. (Half-term breaks fall inside the terms.)"""
    y = start_year
    return [
        (_weekday_on_or_after(datetime.date(y, 9, 1), 2), _friday_on_or_before(datetime.date(y, 12, 20))),
        (_weekday_on_or_after(datetime.date(y + 1, 1, 2), 0), _friday_on_or_before(datetime.date(y + 1, 3, 31))),
        (_weekday_on_or_after(datetime.date(y + 1, 4, 8), 0), _friday_on_or_before(datetime.date(y + 1, 7, 22))),
    ]


def set_school_terms(*years):
    """The demo trust keeps real term dates, so support falls due in term time, not in August."""
    for year in years:
        for number, (starts, ends) in enumerate(school_terms(year.start_year), start=1):
            Term.objects.filter(academic_year=year, number=number).update(starts_on=starts, ends_on=ends)


def build(academies, today=None):
    """The tiers of the demo trust. Returns what was made (empty when the trust has tiers already)."""
    today = today or timezone.localdate()
    if TierAssignment.objects.exists():
        return {}
    this_year = AcademicYear.for_date(today)
    set_school_terms(this_year, AcademicYear.for_date(this_year.starts_on - DAY))
    return Build(sorted(academies, key=lambda a: a.urn), today).run()


def summary(today=None):
    """One sentence on the demo's tiers this year, read from the database."""
    today = today or timezone.localdate()
    year = AcademicYear.for_date(today)
    agreed = TierAssignment.objects.agreed().filter(academic_year=year)
    by_tier = Counter(agreed.values_list("tier", flat=True))
    differ = TierRecommendation.objects.current().filter(academic_year=year, agreed_tier__isnull=False,
                                                         tier__isnull=False).exclude(tier=F("agreed_tier"))
    overdue = SupportItem.objects.overdue(today).filter(academic_year=year).values("academy").distinct()
    return (
        f"Tiers for {year}: {agreed.count()} agreed by the Trust Board "
        f"({', '.join(f'{by_tier[t]} in tier {t}' for t in sorted(by_tier))}), "
        f"{TierAssignment.objects.pending().filter(academic_year=year).count()} awaiting its decision, "
        f"{differ.count()} where the engine's recommendation differs, support overdue at "
        f"{overdue.count()} academies and {CapacityOffer.objects.filter(academic_year=year).count()} offers "
        "of capacity to help."
    )
