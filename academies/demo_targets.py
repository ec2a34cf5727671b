"""The demo trust's targets and development plans.

Every open academy gets last year's targets on its key measures, all agreed by the Trust Board in
October, and this year's, spread across the cycle: draft, proposed (awaiting the local governing
board), reviewed (awaiting the board) and agreed, one of them amended since. Each target is taken
through the workflow's services by the people who would take each step (the headteacher or hub
lead or executive, the chair of the academy's governors, the trustee), so its history is real;
the steps are then dated to when they would have happened. Values are the previous year's result
plus a challenge, so progress against last year's published results is a genuine mix.

The notifications the steps send are dated to the step and marked read once acted on, and they
are not emailed: the demo's people are fictional, and a year of history should not fill the
console with mail.

Every academy also gets this year's development plan: three or four priorities on themes shared
across the trust, linked to its targets, with actions and a progress review.

Running it again changes nothing: targets, plans and people that exist are left alone.
"""

import datetime
from decimal import Decimal

from django.db.models import F, Max, Q
from django.utils import timezone

from trust.demo import DEMO_DOMAIN
from trust.models import AcademicYear, Membership, Notification, Role, User

from . import plans, services
from .demo_data import PROFILES
from .models import (
    Academy,
    DevelopmentPlan,
    Measure,
    PerformanceStandard,
    PlanAction,
    Result,
    StrategicAim,
    Target,
    TargetEvent,
    TargetPolicy,
    Theme,
)
from .progress import recompute

S, A = Target.Status, TargetEvent.Action

# measure, pupil group, year group, subject, the standard it serves
PRIMARY = [
    ("ks2_expected", "all", "KS2", "rwm", "next-stage"),
    ("ks2_expected", "disadvantaged", "KS2", "rwm", "disadvantaged-gap"),
    ("phonics_y1", "all", "Y1", "", "next-stage"),
    ("eyfs_gld", "all", "R", "", "next-stage"),
]
SECONDARY = [
    ("ks4_attainment8", "all", "KS4", "", "next-stage"),
    ("ks4_english_maths_4", "all", "KS4", "", "next-stage"),
    ("ks4_english_maths_5", "all", "KS4", "", "groups-above-national"),
    ("suspension_rate", "all", "", "", "behaviour-attendance"),
]
SPECIALIST = [("sen_progress", "all", "", "", "next-stage"), ("suspension_rate", "all", "", "", "behaviour-attendance")]
EVERY_PHASE = [
    ("attendance", "all", "", "", "behaviour-attendance"),
    ("persistent_absence", "all", "", "", "behaviour-attendance"),
]
# This year only: judged all year on the academies' own termly assessments.
IN_YEAR = [("attainment_expected", "all", "Y6", "maths", "next-stage")]
KEYS = {
    Academy.Phase.PRIMARY: PRIMARY,
    Academy.Phase.SECONDARY: SECONDARY,
    Academy.Phase.ALL_THROUGH: PRIMARY[:2] + SECONDARY[:2],
    Academy.Phase.SPECIAL: SPECIALIST,
    Academy.Phase.ALTERNATIVE_PROVISION: SPECIALIST,
}
# The step up (or down, where lower is better) from last year's result; the trust's default otherwise.
CHALLENGE = {"ks4_attainment8": Decimal("1.5"), "attendance": Decimal("0.5"), "suspension_rate": Decimal("0.5")}
# Some academies aim higher than others: the challenge, times this.
AMBITION = [Decimal(1), Decimal("1.5"), Decimal(2)]
# This year's targets take the states in turn, each academy starting one further along, so the
# trust has every state everywhere and 999101 (the first) has some of each.
STATES = [S.AGREED, S.REVIEWED, S.PROPOSED, S.DRAFT]

LGB_CHAIRS = [
    "Margaret Ellis", "David Okonkwo", "Susan Patel", "Robert Hughes", "Fatima Rahman", "Colin Baxter",
    "Janet Morris", "Imran Hussain", "Alison Reid", "Peter Walsh", "Gillian Shaw", "Kwame Mensah",
    "Deborah Lane", "Stuart Fraser", "Nadia Karim", "Graham Lowe", "Helen Price", "Owen Davies",
    "Yvonne Clarke", "Martin Byrne",
]
# The steps that tell people (academies.services), as the services name them in the dedupe keys
# of their notifications, "target:<uuid>:<step>...".
PROPOSED_NOTE, REVIEWED_NOTE = "proposed", "reviewed"
LGB_COMMENTS = [
    "The LGB discussed the target with the headteacher and supports it as ambitious and achievable.",
    "Supported. Governors asked how the target will be checked termly; the headteacher will report in each "
    "LGB meeting.",
    "Supported after discussion of last year's cohort and this year's starting points.",
]
WHY_BACK = "The LGB asks for a more ambitious target: this cohort's Reception results were well above national."
AMENDMENT = ("Eight pupils with EHC plans joined the year group this term; the LGB and the hub lead asked "
             "the board to revise the target to reflect the cohort now on roll.")


# The target's own record of when each step was last taken.
STAMPS = {A.CREATED: "created_at", A.PROPOSED: "proposed_at", A.REVIEWED: "reviewed_at", A.AGREED: "agreed_at"}


def _moment(day, hour=9, now=None):
    """A time on `day`, never later than now (a step cannot have happened in the future)."""
    now = now or timezone.now()
    return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30))), now)


def _not_after(moment, now):
    return min(moment, now)


def _thursday_on_or_after(day):
    return day + datetime.timedelta(days=(3 - day.weekday()) % 7)


class People:
    """Who takes each step at each academy."""

    def __init__(self, academies):
        self.executive = User.objects.filter(memberships__role=Role.EXECUTIVE).order_by("pk").first()
        self.trustee = User.objects.filter(memberships__role=Role.TRUSTEE).order_by("pk").first()
        self.siel = User.objects.filter(memberships__role=Role.SIEL).order_by("pk").first()
        self.heads, self.governors, self.hub_leads = {}, {}, {}
        held = {Role.HEADTEACHER: self.heads, Role.GOVERNOR: self.governors, Role.HUB_LEAD: self.hub_leads}
        for membership in Membership.objects.filter(role__in=list(held)).select_related("user").order_by("pk"):
            held[membership.role].setdefault(membership.academy_id or membership.hub_id, membership.user)
        self._chairs([a for a in academies if a.pk not in self.governors])

    def _chairs(self, academies):
        """A chair of the local governing board for each academy the demo has no governor for
        (the LGB reviews the targets), signing in with the demo password like every demo login."""
        for academy in academies:
            index = int(academy.urn) % len(LGB_CHAIRS)
            user, _ = User.objects.get_or_create(
                email=f"chair.{academy.urn}@{DEMO_DOMAIN}",
                defaults={"full_name": LGB_CHAIRS[index], "job_title": f"Chair of governors, {academy.name}"},
            )
            Membership.objects.get_or_create(user=user, role=Role.GOVERNOR, academy=academy)
            self.governors[academy.pk] = user
        # Each chairs the academy's LGB, and so hears of its shared risks (a demo built before
        # chairs were marked is brought up to date).
        Membership.objects.filter(
            role=Role.GOVERNOR, user__email__startswith="chair.", user__email__endswith=f"@{DEMO_DOMAIN}",
        ).update(lgb_chair=True)
        if self.executive is not None:  # set to this run's demo password by trust.demo
            User.objects.filter(email__startswith="chair.", email__endswith=f"@{DEMO_DOMAIN}").update(
                password=self.executive.password)

    def author(self, academy):
        """Who drafts and proposes the academy's targets and keeps its plan."""
        return self.heads.get(academy.pk) or self.hub_leads.get(academy.hub_id) or self.executive


class Bases:
    """Each figure's result in a year: published if there is one, else the latest term's."""

    def __init__(self, academies, years):
        # "in_year" sorts before "published", and terms in order: the last figure of each key
        # is the published one if there is one, else the latest term's.
        ranked = Result.objects.filter(
            academy__in=academies, academic_year__start_year__in=years, value__isnull=False,
        ).order_by("source", "term").values_list(
            "academy_id", "measure__code", "pupil_group", "year_group", "subject", "academic_year__start_year",
            "value",
        )
        self.found = {tuple(key): value for *key, value in ranked}

    def get(self, academy, key, year):
        return self.found.get((academy.pk, *key[:4], year))


def _value(measure, base, policy, ambition):
    step = CHALLENGE.get(measure.code, policy.default_challenge) * ambition
    value = Decimal(base) + (-step if measure.higher_is_better is False else step)
    if measure.unit in (Measure.Unit.PERCENT, Measure.Unit.RATE):
        value = min(Decimal(100), max(Decimal(0), value))
    return value.quantize(Decimal("0.1"))


class Builder:
    def __init__(self, academies, today):
        self.today = today
        self.now = timezone.now()
        self.academies = academies
        self.current = AcademicYear.for_date(today)
        self.last = AcademicYear.for_date(datetime.date(self.current.start_year - 1, 9, 1))
        self.people = People(academies)
        self.policy = TargetPolicy.for_trust(academies[0].trust)
        self.measures = {m.code: m for m in Measure.objects.all()}
        self.standards = {s.code: s for s in PerformanceStandard.objects.all()}
        years = [self.last.start_year - 1, self.last.start_year]
        self.bases = Bases(academies, years)
        self.existing = set(Target.objects.filter(academy__in=academies).values_list(
            "academy_id", "academic_year_id", "measure__code", "pupil_group", "year_group", "subject"))
        self.made, self.history = [], []
        self.sent_back_once = False
        self.told_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0

    def keys(self, academy, year):
        keys = KEYS.get(academy.phase, []) + EVERY_PHASE
        if year == self.current and academy.phase in (Academy.Phase.PRIMARY, Academy.Phase.ALL_THROUGH):
            keys = keys + IN_YEAR
        return [k for k in keys if self.measures[k[0]].applies_to(academy.phase)]

    def build(self):
        for position, academy in enumerate(self.academies):
            for year in (self.last, self.current):
                made = 0
                for key in self.keys(academy, year):
                    if (academy.pk, year.pk, *key[:4]) in self.existing:
                        continue
                    base = self.bases.get(academy, key, year.start_year - 1)
                    if base is None:
                        continue  # no figure to start from (suppressed, or not published)
                    state = S.AGREED if year == self.last else STATES[(made + position) % len(STATES)]
                    self.made.append(self.target(academy, year, key, base, state, position))
                    made += 1
        self.date_history()
        return self.made

    def dates(self, year, position):
        """When each step of a year's targets happened: drafted and proposed in September, the
        LGB early in October, the Trust Board in the second half of October."""
        y = year.start_year
        lgb = datetime.date(y, 10, 1) + datetime.timedelta(days=position % 7)
        board = min(_thursday_on_or_after(datetime.date(y, 10, 15)), self.today)
        return {
            "create": _moment(datetime.date(y, 9, 8) + datetime.timedelta(days=position % 5), now=self.now),
            "propose": _moment(datetime.date(y, 9, 19), 16, now=self.now),
            "review": _moment(lgb, 18, now=self.now),
            "agree": _moment(board, 19, now=self.now),
            "meeting": board,
        }

    def target(self, academy, year, key, base, state, position):
        code, group, year_group, subject, standard = key
        measure = self.measures[code]
        author, governor = self.people.author(academy), self.people.governors[academy.pk]
        trustee = self.people.trustee
        when = self.dates(year, position)
        target = services.target_create(
            academy=academy, academic_year=year, measure=measure, pupil_group=group, year_group=year_group,
            subject=subject, value=_value(measure, base, self.policy, AMBITION[position % len(AMBITION)]),
            standard=self.standards.get(standard),
            rationale=f"Last year's result, {measure.format(base)}, with the trust's challenge.", by=author,
        )
        steps = [(when["create"], None)]
        if state != S.DRAFT:
            proposed = when["propose"]
            if (academy.urn == "999101" and state == S.PROPOSED and year == self.current
                    and measure.higher_is_better and target.value <= 98 and not self.sent_back_once):
                steps += self.sent_back(target, author, governor, proposed)
                self.sent_back_once = True
                proposed = _not_after(steps[-1][0] + datetime.timedelta(hours=1), self.now)
            services.target_propose(target=target, by=author)
            steps.append((proposed, PROPOSED_NOTE))
        if state in (S.REVIEWED, S.AGREED):
            comments = LGB_COMMENTS[(position + len(self.made)) % len(LGB_COMMENTS)]
            services.target_review(target=target, by=governor, comments=comments)
            steps.append((when["review"], REVIEWED_NOTE))
        if state == S.AGREED:
            services.target_agree(target=target, by=trustee, meeting=when["meeting"],
                                  minute=f"TB/{year.start_year % 100}/{10 + position % 5:02d}")
            steps.append((when["agree"], None))
        # The steps reloaded the target; it keeps the rows it was made with.
        target.academy, target.academic_year, target.measure = academy, year, measure
        self.history.append((target, steps, state))
        return target

    def sent_back(self, target, author, governor, proposed):
        """999101's proposal the LGB sent back for more ambition, raised (to be proposed again)."""
        services.target_propose(target=target, by=author)
        services.target_return(target=target, by=governor, comments=WHY_BACK)
        services.target_edit(target=target, by=author, value=target.value + 2)
        returned = _not_after(proposed + datetime.timedelta(days=6, hours=2), self.now)
        return [(proposed, PROPOSED_NOTE), (returned, None),
                (_not_after(returned + datetime.timedelta(hours=15), self.now), None)]

    def date_history(self):
        """Put each step, and the notification it sent, at the time it happened."""
        events = {}
        for event in TargetEvent.objects.filter(target__in=[t for t, _, _ in self.history]).order_by("pk"):
            events.setdefault(event.target_id, []).append(event)
        # Many steps share a moment (a year's proposals, a board meeting): one UPDATE for each.
        dated, stamped = {}, {}
        for target, steps, _state in self.history:
            stamps = {}
            for event, (moment, _note) in zip(events[target.pk], steps, strict=True):
                dated.setdefault(moment, []).append(event.pk)
                if event.action in STAMPS:
                    stamps[STAMPS[event.action]] = moment
            for field, moment in stamps.items():
                stamped.setdefault((field, moment), []).append(target.pk)
        for moment, pks in dated.items():
            TargetEvent.objects.filter(pk__in=pks).update(at=moment)
        for (field, moment), pks in stamped.items():
            Target.objects.filter(pk__in=pks).update(**{field: moment})
        for (moment, read), pks in self.notes().items():
            Notification.objects.filter(pk__in=pks).update(
                created_at=moment, read_at=moment + datetime.timedelta(days=1) if read else None)

    def notes(self):
        """(moment, read) -> the notifications the steps sent: read unless still to act on."""
        history = {str(target.uuid): (steps, state) for target, steps, state in self.history}
        sent = {}  # (target, step) -> dedupe key -> notifications, in the order sent
        for pk, key in Notification.objects.filter(
            pk__gt=self.told_before, dedupe_key__startswith="target:",
        ).order_by("pk").values_list("pk", "dedupe_key"):
            _, uuid, step = key.split(":")[:3]
            if uuid in history:
                sent.setdefault((uuid, step), {}).setdefault(key, []).append(pk)
        notes = {}
        for (uuid, step), by_key in sent.items():
            steps, state = history[uuid]
            moments = [moment for moment, note in steps if note == step]
            waiting = {S.PROPOSED: PROPOSED_NOTE, S.REVIEWED: REVIEWED_NOTE}.get(state) == step
            # One notification per step taken, or, where a step taken again told nobody anew,
            # one for the latest.
            told = list(by_key.values())
            for number, (pks, moment) in enumerate(zip(told, moments[-len(told):], strict=False)):
                read = not (waiting and number == len(told) - 1)
                notes.setdefault((moment, read), []).extend(pks)
        return notes

    def amend_one(self):
        """One of 999101's agreed targets for this year, changed since with a reason."""
        target = next((t for t in self.made if t.academy.urn == "999101" and t.academic_year == self.current
                       and Target.objects.get(pk=t.pk).status == S.AGREED), None)
        if target is None:
            return
        target = Target.objects.get(pk=target.pk)
        step = Decimal(-2) if target.measure.higher_is_better is not False else Decimal(2)
        services.target_amend(target=target, by=self.people.executive, reason=AMENDMENT,
                              value=max(Decimal(0), target.value + step))
        moment = _moment(target.board_meeting + datetime.timedelta(days=26), 11, now=self.now)
        target.events.filter(action=A.AMENDED).update(at=moment)

    def progress(self):
        """Live progress; the people told of targets off track have read about last year's."""
        changed = recompute(academy_ids=[a.pk for a in self.academies])
        last_year = Q(pk__in=[])
        for target in changed:
            if target.academic_year_id == self.last.pk and target.progress == Target.Progress.OFF_TRACK:
                last_year |= Q(dedupe_key__startswith=f"target:{target.uuid}:off_track")
        Notification.objects.filter(last_year, kind="target.off_track").update(read_at=F("created_at"))
        return changed


def build_targets(academies, today=None):
    """Last year's and this year's targets of the open academies, their history and progress.
    Returns the targets made (none when they all exist)."""
    today = today or datetime.date.today()
    academies = [a for a in academies if a.status == Academy.Status.OPEN]
    if not academies:
        return []
    builder = Builder(academies, today)
    made = builder.build()
    if made:
        builder.amend_one()
        builder.progress()
    # Nothing the demo's history tells anyone is emailed (the emails go, or not, after commit).
    Notification.objects.filter(pk__gt=builder.told_before).update(email=False)
    return made


# Development plans: priorities on themes the trust shares, so academies can work together.
# theme, title, description, the measures of the targets it serves, the standards and aims
PRIORITIES = {
    "primary": [
        (Theme.READING, "Every pupil a fluent reader by the end of Year 2",
         "Systematic phonics taught with fidelity in Reception and Key Stage 1, with daily catch-up for "
         "any pupil who falls behind.", ["phonics_y1", "ks2_expected"], ["next-stage"], [1, 2]),
        (Theme.ATTENDANCE, "Every day counts: attendance and persistent absence",
         "Earlier contact with families, a weekly attendance review, and support before absence becomes "
         "persistent.", ["attendance", "persistent_absence"], ["behaviour-attendance"], [1]),
        (Theme.DISADVANTAGED, "Closing the gap for disadvantaged pupils",
         "Disadvantaged pupils first for feedback and tutoring; their progress checked every half term.",
         ["ks2_expected"], ["disadvantaged-gap"], [1]),
        (Theme.MATHS, "Fluency in number and times tables across Key Stage 2",
         "Daily fluency practice and a consistent calculation policy from Year 1 to Year 6.",
         ["attainment_expected", "ks2_expected"], ["next-stage"], [1, 2]),
        (Theme.EARLY_YEARS, "A language-rich early years",
         "Talk-rich provision in Nursery and Reception, with early identification of speech and language "
         "needs.", ["eyfs_gld"], ["next-stage"], [1]),
    ],
    "secondary": [
        (Theme.CURRICULUM, "A demanding curriculum, consistently well taught",
         "Subject leaders sequence the curriculum from Year 7 to Year 11; lesson visits focus on "
         "retrieval and checking understanding.", ["ks4_attainment8", "ks4_english_maths_5"], ["next-stage"],
         [1]),
        (Theme.ATTENDANCE, "Every day counts: attendance and persistent absence",
         "Attendance mentors for pupils at risk of persistent absence and a clear ladder of support.",
         ["attendance", "persistent_absence"], ["behaviour-attendance"], [1]),
        (Theme.BEHAVIOUR, "Calm, purposeful classrooms",
         "One behaviour routine in every classroom, with a reset for pupils at risk of suspension.",
         ["suspension_rate"], ["behaviour-attendance", "zero-permanent-exclusions"], [1]),
        (Theme.DISADVANTAGED, "Closing the gap for disadvantaged pupils",
         "Disadvantaged pupils first for feedback, tutoring and enrichment; the gap in English and maths "
         "tracked each term.", ["ks4_english_maths_4"], ["disadvantaged-gap"], [1]),
        (Theme.READING, "Reading across the curriculum at Key Stage 3",
         "Disciplinary reading in every subject and a reading intervention for weak readers in Year 7.",
         [], ["next-stage"], [1, 2]),
    ],
    "specialist": [
        (Theme.SEND, "Personalised pathways for every pupil",
         "Each pupil's targets drawn from their EHC plan and reviewed with families each term.",
         ["sen_progress"], ["next-stage"], [1]),
        (Theme.ATTENDANCE, "Every day counts: attendance and persistent absence",
         "Transport, health and family support co-ordinated so pupils can attend every day.",
         ["attendance", "persistent_absence"], ["behaviour-attendance"], [1]),
        (Theme.BEHAVIOUR, "Regulation and relationships",
         "Trauma-informed practice across the school, with de-escalation training for all staff.",
         ["suspension_rate"], ["behaviour-attendance", "zero-permanent-exclusions"], [1]),
        (Theme.STAFFING, "Specialist training for every member of staff",
         "A programme of specialist training shared with the trust's other specialist settings.",
         [], [], [3]),
    ],
}
# title, owner, start and due dates (days from the day the demo is built), milestones. Dated
# around today, so that whenever the demo is built some actions are done, some overdue, some to come.
ACTIONS = [
    ("Audit current practice and agree the plan with staff", "Deputy headteacher", -70, -21,
     "Audit complete\nPlan shared with all staff"),
    ("Training for all staff, with follow-up coaching", "Phase leaders", -35, 28,
     "Training delivered\nCoaching visits in every class"),
    ("Half-termly check of impact, reported to the LGB", "Headteacher", -14, 180,
     "Autumn report to the LGB\nSpring report to the LGB\nSummer report to the LGB"),
    ("Share what works with academies in the hub", "Hub lead", 21, 120,
     "Hub meeting held\nVisits exchanged"),
]
REVIEW_NOTES = {
    "green": "On track: the actions are in place and the latest figures are moving in the right direction.",
    "amber": "Some concerns: most actions are in place, but the impact is not yet seen across all classes.",
    "red": "Not on track: key actions have slipped and the figures have not moved; the hub lead will support.",
}


def _pool(academy):
    if academy.phase in (Academy.Phase.SPECIAL, Academy.Phase.ALTERNATIVE_PROVISION):
        return PRIORITIES["specialist"]
    return PRIORITIES["secondary" if academy.phase == Academy.Phase.SECONDARY else "primary"]


def _rag(academy, index):
    strength, trend = PROFILES.get(academy.urn, (0.0, 0.0))
    score = strength + trend - 0.4 * index
    return "green" if score >= 0.5 else "amber" if score >= -0.8 else "red"


def build_plans(academies, today=None):
    """This year's development plan of each open academy that has none yet. Returns the plans made."""
    today = today or datetime.date.today()
    academies = [a for a in academies if a.status == Academy.Status.OPEN]
    if not academies:
        return []
    year = AcademicYear.for_date(today)
    people = People(academies)
    planned = set(DevelopmentPlan.objects.filter(academic_year=year).values_list("academy_id", flat=True))
    standards = {s.code: s for s in PerformanceStandard.objects.all()}
    aims = {a.number: a for a in StrategicAim.objects.all()}
    made = []
    for position, academy in enumerate(academies):
        if academy.pk in planned:
            continue
        author = people.author(academy)
        plan = plans.plan_get_or_create(academy=academy, year=year, by=author)
        plan.summary = (f"{academy.name}'s plan for {year}: a few big moves, agreed with the hub lead and "
                        "reviewed by the LGB each term.")
        plan.save(update_fields=["summary"])
        targets = list(Target.objects.filter(academy=academy, academic_year=year).select_related("measure"))
        pool = _pool(academy)
        count = 3 + position % 2
        chosen = [pool[(position + i) % len(pool)] for i in range(min(count, len(pool)))]
        for index, (theme, title, description, codes, standard_codes, aim_numbers) in enumerate(chosen):
            priority = plans.priority_create(
                plan=plan, by=author, title=title, theme=theme, description=description, order=index + 1,
                targets=[t for t in targets if t.measure.code in codes],
                standards=[standards[c] for c in standard_codes if c in standards],
                aims=[aims[n] for n in aim_numbers if n in aims],
            )
            _actions(priority, author, today, position + index)
            if index < count - 1:  # the newest priority has not been reviewed yet
                reviewed_on = today - datetime.timedelta(days=9 + position % 5)
                rag = _rag(academy, index)
                plans.review_record(
                    priority=priority, by=people.siel if author == people.executive else author,
                    reviewed_on=reviewed_on, rag=rag, commentary=REVIEW_NOTES[rag],
                    next_review=reviewed_on + datetime.timedelta(days=42),
                )
        made.append(plan)
    return made


def _actions(priority, author, today, turn):
    for number in range(2 + turn % 2):
        title, owner, starts, due, milestones = ACTIONS[(turn + number) % len(ACTIONS)]
        starts, due = today + datetime.timedelta(days=starts), today + datetime.timedelta(days=due)
        if due < today:
            # Most finished on time; one in three slipped.
            status = PlanAction.Status.OVERDUE if (turn + number) % 3 == 2 else PlanAction.Status.DONE
        else:
            status = PlanAction.Status.IN_PROGRESS if starts <= today else PlanAction.Status.NOT_STARTED
        plans.action_create(priority=priority, by=author, title=title, owner=owner, starts_on=starts,
                            due_on=due, milestones=milestones, status=status)
