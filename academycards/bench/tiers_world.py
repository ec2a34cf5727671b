"""The bench trust's school-improvement tiers, grown with the trust in bulk.

Every academy that has not left gets, for the tier pages to read in proportion to the trust:

- the engine's current recommendation for this year, with its whole trace, worked out by
  `tiers.engine` from the bench trust's own evidence (its health checks and risks) in one batch;
- if it is open, the tier the Trust Board agreed at its October meeting for this year (spread
  over the four tiers as in a real trust, whatever the bench's thin evidence recommends, so many
  differ from the recommendation) and last year's, some a tier either side, each with its minute
  reference and its history (proposed, then agreed);
- this year's support schedule from its tier's entitlements (`tiers.schedule.due_dates`), with
  the support given so far logged against it: most items due by today were given, one in eleven
  late, and one academy in six still owes its latest, so it is overdue;
- one open academy in 25 has a mid-year reclassification awaiting the board, and each academy
  joining the trust a proposal of its first tier;
- the tier 3 and 4 academies have this year's development plan with two priorities, and one in
  three tier 1 academies offers the trust capacity in a priority's area (the central team offers
  a few things of its own), so the capacity page has something to match.

Rows are written with bulk_create, not the services: what is measured is reading them. The
focus academy is agreed into tier 3, whose schedule is the fullest an academy reads.
"""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from academies.models import Academy, DevelopmentPlan, Priority, Theme
from tiers import engine, schedule, services
from tiers.models import (
    CapacityOffer,
    SupportItem,
    SupportLogEntry,
    TierAssignment,
    TierEvent,
    TierRecommendation,
)
from trust.models import AcademicYear

DAY = datetime.timedelta(days=1)
A, E, K = TierAssignment.Status, TierEvent.Action, TierAssignment.Kind
SPREAD = [2, 1, 3, 2, 2, 4, 3, 2, 1, 2, 3, 2]  # the agreed tiers, in turn: most grow, a few stabilise
FOCUS_TIER = 3
RECLASSIFY_EVERY = 25  # one in 25 with a reclassification awaiting the board
OVERDUE_EVERY = 6  # one in six still owes its latest item due
LATE_EVERY = 11  # one logged item in eleven given after its due date
OFFER_EVERY = 3  # one tier 1 academy in three offers capacity
PRIORITY_THEMES = [Theme.READING, Theme.MATHS, Theme.ATTENDANCE, Theme.WRITING, Theme.CURRICULUM,
                   Theme.SEND, Theme.BEHAVIOUR, Theme.DISADVANTAGED]
OFFERS = {
    Theme.READING: "Phonics training and in-class coaching for Key Stage 1 teachers",
    Theme.MATHS: "Mastery maths: planning sessions and lesson study in Key Stage 2",
    Theme.ATTENDANCE: "First-day calls and attendance panels, from our attendance team",
    Theme.WRITING: "Key Stage 2 writing moderation and model texts",
    Theme.CURRICULUM: "Curriculum sequencing in the foundation subjects, with subject leaders",
    Theme.SEND: "Adaptive teaching for pupils with SEND: SENCo-led training and visits",
    Theme.BEHAVIOUR: "One behaviour routine for every classroom: training and a reset",
    Theme.DISADVANTAGED: "Tracking disadvantaged pupils' progress half-termly",
}
CENTRAL_OFFERS = [Theme.ATTENDANCE, Theme.SEND, Theme.BEHAVIOUR]
RATIONALE = {
    1: "A strong academy that can lead: its leaders have capacity to give to the hub and the trust.",
    2: "Secure and close to national in most areas; the trust's networks will help it to the top judgement.",
    3: "Below national in important areas but improving: it needs more of the trust's challenge.",
    4: "The trust needs to take the lead for rapid improvement this year.",
}
RECLASSIFICATION = ("The headteacher left at half term and a safeguarding concern was raised the same week; "
                    "the trust has appointed an interim executive headteacher.")
LOG_NOTES = ("Support given as the tier sets out: the priorities and the latest figures gone through, "
             "next steps agreed.")


def _moment(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def _weekday(day):
    """`day`, or the Friday before it at a weekend."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


class TierRecords:
    """Adds the tiers, recommendations, support and capacity of each new academy."""

    def __init__(self, today, siel, executive):
        self.today, self.siel, self.executive = today, siel, executive
        self.year = AcademicYear.for_date(today)
        self.last_year = AcademicYear.for_date(self.year.starts_on - DAY)
        services.definitions_for(self.last_year)
        services.definitions_for(self.year)
        self.meetings = {
            year.pk: max(year.starts_on, min(datetime.date(year.start_year, 10, 14), today - 10 * DAY))
            for year in (self.last_year, self.year)
        }
        self.rules = engine.active_rules()
        self.schedules = self._schedules()
        self.minutes = 0
        self.assignments = 0
        CapacityOffer.objects.bulk_create([
            self._offer(None, theme, number) for number, theme in enumerate(CENTRAL_OFFERS)
        ])

    def _schedules(self):
        """tier -> [(kind, window start, due on)] of this year's tier from the year's start."""
        terms, start = services._terms(self.year), self.year.starts_on
        definitions = services.definitions_for(self.year)
        return {
            definition.number: [
                (entitlement.kind, window_start, due_on)
                for entitlement in definition.entitlements.all()
                for window_start, due_on in schedule.due_dates(entitlement.cadence, terms, start)
            ]
            for definition in definitions
        }

    def add(self, academies, start):
        """The tier records of `academies` (the trust's academies from number `start`)."""
        numbered = [(start + offset, a) for offset, a in enumerate(academies)
                    if a.status != Academy.Status.LEFT]
        if not numbered:
            return
        evidence = engine.Evidence([a for _, a in numbered], self.rules, self.today)
        outcomes = {a.pk: engine.recommend(a, self.rules, evidence) for _, a in numbered}
        this, last, pending = {}, {}, []
        for index, academy in numbered:
            recommended = outcomes[academy.pk].tier
            if academy.status == Academy.Status.JOINING:
                pending.append(self._assignment(academy, self.year, recommended or 3, index, kind=K.JOINING))
                continue
            tier = FOCUS_TIER if index == 0 else SPREAD[index % len(SPREAD)]
            before = tier + (1 if index % 5 == 1 and tier < 4 else -1 if index % 7 == 3 and tier > 1 else 0)
            this[academy.pk] = self._assignment(academy, self.year, tier, index, agreed=True)
            last[academy.pk] = self._assignment(academy, self.last_year, before, index, agreed=True)
            if index % RECLASSIFY_EVERY == 12 and tier < 4:
                pending.append(self._assignment(academy, self.year, tier + 1, index, kind=K.RECLASSIFICATION))
        made = [*this.values(), *last.values(), *pending]
        TierAssignment.objects.bulk_create(made, batch_size=1000)
        self._history(made)
        self._recommend(numbered, outcomes, this)
        self._support(numbered, this)
        self._capacity(numbered, this)
        self.assignments += len(made)

    # Decisions

    def _assignment(self, academy, year, tier, index, *, agreed=False, kind=K.ANNUAL):
        proposer = self.executive if index % 3 == 2 else self.siel
        fields = {}
        if agreed:
            meeting = self.meetings[year.pk]
            self.minutes += 1
            fields = {"status": A.AGREED, "decided_by": self.executive, "decided_at": _moment(meeting, 19),
                      "board_meeting": meeting, "effective_from": year.starts_on,
                      "board_minute": f"TB/{meeting.year % 100:02d}/{self.minutes:04d}"}
        return TierAssignment(
            academy=academy, academic_year=year, tier=tier, kind=kind,
            rationale=f"{academy.name}: {RATIONALE[tier]}",
            exceptional_reason=RECLASSIFICATION if kind == K.RECLASSIFICATION else "",
            proposed_by=proposer, **fields,
        )

    def _history(self, assignments):
        """Proposed, then agreed where the board agreed: dated three weeks before and at the meeting
        (bulk_create stamps them now, so each year's are dated by one UPDATE)."""
        events = []
        for assignment in assignments:
            events.append(TierEvent(assignment=assignment, action=E.PROPOSED, by=assignment.proposed_by,
                                    to_status=A.PROPOSED, reason=assignment.rationale))
            if assignment.status == A.AGREED:
                events.append(TierEvent(assignment=assignment, action=E.AGREED, by=assignment.decided_by,
                                        from_status=A.PROPOSED, to_status=A.AGREED,
                                        changes={"board_minute": ["", assignment.board_minute]}))
        TierEvent.objects.bulk_create(events, batch_size=1000)
        ids = [a.pk for a in assignments]
        for year in (self.last_year, self.year):
            meeting = self.meetings[year.pk]
            proposed = _moment(max(year.starts_on, meeting - 21 * DAY), 14)
            in_year = Q(academic_year=year, pk__in=ids)
            TierAssignment.objects.filter(in_year, status=A.AGREED).update(proposed_at=proposed)
            TierEvent.objects.filter(assignment__in=TierAssignment.objects.filter(in_year, status=A.AGREED),
                                     action=E.PROPOSED).update(at=proposed)
            TierEvent.objects.filter(assignment__academic_year=year, assignment_id__in=ids,
                                     action=E.AGREED).update(at=_moment(meeting, 19))

    def _recommend(self, numbered, outcomes, this):
        now = timezone.now()
        recommendations = []
        for _, academy in numbered:
            outcome = outcomes[academy.pk]
            agreed = this.get(academy.pk)
            recommendations.append(TierRecommendation(
                academy=academy, academic_year=self.year, tier=outcome.tier,
                weighted_mean=outcome.weighted_mean, floor=outcome.floor, trace=outcome.trace,
                missing=outcome.missing, fingerprint=outcome.fingerprint(),
                agreed_tier=agreed.tier if agreed else None, computed_at=now, current=True,
            ))
        TierRecommendation.objects.bulk_create(recommendations, batch_size=500)

    # Support owed and given

    def _support(self, numbered, this):
        """This year's schedule of each agreed tier; the support given so far settles the items due
        by today, in order, but for the latest one of one academy in six."""
        planned, entries = [], []
        for index, academy in numbered:
            assignment = this.get(academy.pk)
            if assignment is None:
                continue
            rows = self.schedules[assignment.tier]
            due = [row for row in rows if row[2] < self.today]
            unpaid = max(due, key=lambda row: row[2]) if index % OVERDUE_EVERY == 5 and due else None
            for kind, window_start, due_on in rows:
                entry = None
                if due_on < self.today and (kind, window_start, due_on) != unpaid:
                    late = (len(entries) + index) % LATE_EVERY == 0
                    held_on = due_on + 3 * DAY if late else due_on - (len(entries) % 3) * DAY
                    entry = SupportLogEntry(
                        academy=academy, kind=kind,
                        held_on=min(max(_weekday(held_on), window_start), self.today),
                        notes=LOG_NOTES, led_by="School Improvement Executive Lead", recorded_by=self.siel,
                    )
                    entries.append(entry)
                planned.append((assignment, kind, window_start, due_on, entry))
        SupportLogEntry.objects.bulk_create(entries, batch_size=1000)
        SupportItem.objects.bulk_create([
            SupportItem(academy_id=assignment.academy_id, academic_year=self.year, assignment=assignment,
                        kind=kind, window_start=window_start, due_on=due_on, delivered_by_entry=entry,
                        status=SupportItem.Status.DELIVERED if entry else SupportItem.Status.OWED)
            for assignment, kind, window_start, due_on, entry in planned
        ], batch_size=1000)

    # Capacity: priorities of the academies that need support, offers of those that can give it

    def _offer(self, provider, theme, number):
        return CapacityOffer(
            academic_year=self.year, provider=provider, theme=theme, expertise=OFFERS[theme],
            days_available=Decimal(4 + number % 9),
            contact=f"Headteacher, {provider.name}" if provider else "School Improvement Executive Lead",
            notes="Days are for the academic year; ask the contact to agree dates.",
        )

    def _capacity(self, numbered, this):
        needing = [(index, a) for index, a in numbered if a.pk in this and this[a.pk].tier >= 3]
        plans = DevelopmentPlan.objects.bulk_create([
            DevelopmentPlan(academy=academy, academic_year=self.year,
                            summary="Two priorities for the year, reviewed each half term with the hub lead.")
            for _, academy in needing
        ], batch_size=1000)
        Priority.objects.bulk_create([
            Priority(plan=plan, title=f"Priority {order + 1}: {theme.label}", theme=theme, order=order,
                     description="Raise standards in this area to national, measured each half term.")
            for (index, _), plan in zip(needing, plans, strict=True)
            for order, theme in enumerate(PRIORITY_THEMES[(index + k) % len(PRIORITY_THEMES)] for k in (0, 3))
        ], batch_size=1000)
        givers = [(index, a) for index, a in numbered if a.pk in this and this[a.pk].tier == 1]
        CapacityOffer.objects.bulk_create([
            self._offer(academy, PRIORITY_THEMES[index % len(PRIORITY_THEMES)], index)
            for position, (index, academy) in enumerate(givers) if position % OFFER_EVERY == 0
        ])
