"""The demo trust's health checks, risk register, risk rules and link-governor visits.

Every open academy has last year's annual health check, published, its recommendations tracked
as actions with progress reviews (some reviewed at this year's visit), and this year's check at a
step of its own: a draft, awaiting the headteacher's factual-accuracy check, back from it, or
published with new actions. The weakest two academies had an additional visit, one of which found
safeguarding not met; the free school still joining had a due-diligence visit.

The risk register holds risks of every category and rating, most shared with their academy and
its governors, some kept to the trust, a few about the trust as a whole; each with a history of
being raised, changed with reasons, reviewed and in some cases closed, and some overdue for review.
The trust's rules over the data (persistent absence far above national, safeguarding judged
ineffective, an inspection that is a cause for concern) are run once, so risks they raised, with
their evidence, are on the register. Link governors have recorded visits that follow up their
academy's development-plan priorities.

Everything is written through the services, by the people who would do it (the School Improvement
Executive Lead, the Riverside hub lead, the headteacher of Synthetic Meadow, the chairs of
governors), so the histories and notifications are real; each step is then dated to when it would
have happened, relative to the day the demo is built. Notifications from more than a fortnight ago
are read; more recent ones, and those still asking someone to act, are not. None is emailed.

Running it again changes nothing: an academy with health checks or visits is left alone, a risk
is made once (by its academy and title), and a rule never raises the same risk twice.
"""

import datetime
import random
from contextlib import contextmanager

from django.db.models import Max
from django.utils import timezone

from academies.demo_data import PROFILES
from academies.models import Academy, Measure, Priority, SEFJudgement, Theme
from trust.models import AcademicYear, Membership, Notification, Role, User

from . import risks as risk_services
from . import rules, services
from .models import (
    Action,
    ActionReview,
    Category,
    GovernorVisit,
    HealthCheck,
    HealthCheckEvent,
    LeadershipQA,
    Risk,
    RiskEvent,
    RiskRule,
    Visibility,
)
from .models.risks import FREQUENCY_DAYS, Frequency

S, K = HealthCheck.Status, HealthCheck.Kind
A = Action.Status
C = Category
DAY = datetime.timedelta(days=1)
READ_AFTER = datetime.timedelta(days=14)  # older notifications have been read

FIVE = ["exceptional", "strong", "expected", "needs_attention", "urgent_improvement"]
AREAS = [
    "inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour",
    "personal_development_and_wellbeing", "leadership_and_governance",
]
# What a reviewer writes about an area: (strong or better, expected, needs attention or worse).
COMMENTARY = {
    "inclusion": (
        "Leaders know the needs of disadvantaged pupils and pupils with SEND well. Adaptations in lessons "
        "are precise, so pupils with additional needs learn the full curriculum.",
        "Pupils with SEND are identified promptly. Adaptations are sound in English and maths but less "
        "consistent in the foundation subjects.",
        "Support plans for pupils with SEND are not used consistently in lessons, and disadvantaged pupils "
        "are over-represented in the lowest attainment groups.",
    ),
    "curriculum_and_teaching": (
        "The curriculum is ambitious and carefully sequenced. Teachers check understanding well and put "
        "misconceptions right quickly.",
        "The curriculum is well planned in most subjects. In some foundation subjects the knowledge pupils "
        "must remember is not yet identified clearly enough.",
        "Teaching is inconsistent from class to class. Tasks often do not match what the curriculum "
        "intends pupils to learn, and gaps go unnoticed.",
    ),
    "achievement": (
        "Outcomes are above national at the end of each key stage, including for disadvantaged pupils, and "
        "the academy's own assessments show this continuing.",
        "Outcomes are broadly in line with national. The gap for disadvantaged pupils is narrowing but is "
        "wider than the trust expects.",
        "Outcomes are well below national and the latest assessments show too few pupils on track, "
        "particularly disadvantaged pupils.",
    ),
    "attendance_and_behaviour": (
        "Attendance is high and routines are calm and consistent. Leaders act early when a pupil's "
        "attendance starts to dip.",
        "Behaviour in lessons is generally good. Attendance is improving, but persistent absence is still "
        "above the trust's ambition.",
        "Persistent absence is high and suspensions have risen. Expectations of behaviour are not applied "
        "consistently by all staff.",
    ),
    "personal_development_and_wellbeing": (
        "A rich programme of clubs, trips and leadership roles is well taken up by disadvantaged pupils. "
        "Pupils speak confidently about how to keep themselves safe.",
        "The personal development programme is well planned. Leaders do not yet check which pupils take "
        "part in enrichment.",
        "The personal development curriculum is patchy, and pupils are unsure how to keep themselves "
        "safe online.",
    ),
    "leadership_and_governance": (
        "Leaders have an accurate view of the academy's strengths and priorities. Governors challenge well "
        "and check the impact of the improvement plan.",
        "Leaders' self-evaluation is mostly accurate. Governors receive regular reports, but their minutes "
        "show little challenge on standards.",
        "Leaders' self-evaluation is too generous and the improvement plan lacks measurable milestones. "
        "Governors do not hold leaders to account sharply enough.",
    ),
    "early_years": (
        "Children in Reception get off to a strong start; communication and language are developed "
        "deliberately through the day.",
        "Routines in the early years are well established. Early reading is taught well, but outdoor "
        "learning is less purposeful.",
        "Too few children reach a good level of development, and speech and language needs are identified "
        "late.",
    ),
    "post_16": (
        "Sixth-form students follow well-chosen courses and nearly all move on to university, "
        "apprenticeships or employment.",
        "Sixth-form teaching is secure. Retention on some A-level courses is lower than leaders would like.",
        "Retention in the sixth form is weak and too few students complete their programmes.",
    ),
}
FOCUS = {
    "primary": [
        "Early reading and phonics", "Mathematics in Key Stage 2", "Provision for pupils with SEND",
        "Attendance of disadvantaged pupils", "The curriculum in the foundation subjects",
        "Communication and language in the early years", "Behaviour at lunchtime and playtime",
    ],
    "secondary": [
        "English and mathematics at Key Stage 4", "Behaviour and suspensions", "Attendance and persistent absence",
        "The Key Stage 3 curriculum", "Progress of disadvantaged pupils", "Careers guidance and destinations",
    ],
    "specialist": [
        "Personalised learning pathways", "Attendance and reintegration", "Regulation and de-escalation",
        "Part-time timetables and safeguarding", "Preparation for adulthood",
    ],
}
FINDINGS = {
    "strong": "{name} continues to provide a high-quality education. Reading is taught exceptionally well and "
              "the curriculum is ambitious for every pupil. Leaders should now share their practice with the "
              "hub's other academies and raise the challenge for the most able.",
    "middle": "{name} is improving. Leaders have an accurate view of what needs to be done and the curriculum is "
              "well planned in most subjects. The next steps are to make teaching in the foundation subjects "
              "as consistent as in English and mathematics, and to reduce persistent absence.",
    "weak": "{name} needs significant support. Outcomes remain well below national and teaching is inconsistent. "
            "The trust will add support from the hub and the school improvement team, with a follow-up visit "
            "this term.",
}
FOLLOW_UP = "A termly visit to check progress on the annual health check's recommendations. "
RECOMMENDATIONS = {
    "strong": [
        ("Raise the challenge in writing so that more of the most able pupils reach greater depth.", "English lead"),
        ("Share the academy's phonics training with the hub's newer academies.", "Headteacher"),
        ("Link governors' monitoring visits directly to the development plan's priorities.", "Chair of governors"),
    ],
    "middle": [
        ("Set out the essential knowledge in each foundation subject and check that pupils remember it.",
         "Curriculum lead"),
        ("Reduce persistent absence through earlier contact with families and a weekly attendance review.",
         "Attendance lead"),
        ("Plan adaptations for pupils with SEND in every subject, not only in English and mathematics.", "SENCo"),
        ("Give governors termly milestones for each priority so that they can check its impact.", "Headteacher"),
    ],
    "weak": [
        ("Teach phonics the same way in every Key Stage 1 class, with daily catch-up for pupils who fall behind.",
         "Phonics lead"),
        ("Introduce one behaviour routine for every classroom and review suspensions weekly.", "Deputy headteacher"),
        ("Rewrite the improvement plan with measurable milestones and report on it to the LGB each half term.",
         "Headteacher"),
        ("Use the trust's assessment calendar so that gaps are found and acted on within the half term.",
         "Assessment lead"),
    ],
    "specialist": [
        ("Review every part-time timetable each fortnight, with a dated plan to return to full time.",
         "Designated safeguarding lead"),
        ("Draw each pupil's termly targets from their EHC plan outcomes and share them with families.", "SENCo"),
        ("Train all staff in the trust's de-escalation approach and record the use of the calm room.",
         "Deputy headteacher"),
    ],
}
SAFEGUARDING_NOT_MET = [
    ("Complete the single central record and the recruitment checks for every member of staff, checked by "
     "the trust's safeguarding lead.", "Designated safeguarding lead"),
    ("Make sure every concern is recorded on the same day and that actions are followed up and closed.",
     "Designated safeguarding lead"),
]
DUE_DILIGENCE = [
    ("Adopt the trust's safeguarding and child protection policy and train all staff in it before opening.",
     "Headteacher designate"),
    ("Agree the curriculum for Reception to Year 2 with the Riverside hub, using the trust's phonics programme.",
     "Headteacher designate"),
    ("Recruit the special educational needs co-ordinator before the first admissions.", "Trust HR lead"),
]
REVIEW_NOTES = {
    A.DONE: "Done: in place in every class, and the impact was seen in lesson visits and the latest assessments.",
    A.IN_PROGRESS: "Under way: the first steps are in place, but the impact is not yet seen in the assessment data.",
    A.OPEN: "Not started: other actions came first this term; the academy will begin it after half term.",
    A.DROPPED: "No longer needed: the trust-wide attendance strategy now covers it.",
}
EVIDENCE = "Training records, notes of lesson visits and the latest assessment summary."


def _tone(strength):
    return "strong" if strength >= 0.8 else "weak" if strength <= -1.2 else "middle"


def _kind(academy):
    if academy.phase in (Academy.Phase.SPECIAL, Academy.Phase.ALTERNATIVE_PROVISION):
        return "specialist"
    return "secondary" if academy.phase == Academy.Phase.SECONDARY else "primary"


def _index(strength):
    """The five-point grade, as an index of FIVE, that fits an academy's strength."""
    for index, floor in enumerate((1.5, 0.8, -0.5, -1.5)):
        if strength >= floor:
            return index
    return 4


def _weekday(day, last=4):
    """`day`, or the weekday before it: Monday to Friday (`last` 4), or to Thursday (3)."""
    return day - datetime.timedelta(days=max(0, day.weekday() - last))


def _rng(*parts):
    return random.Random("-".join(str(p) for p in parts))


def _last_pk(model):
    return model.objects.aggregate(last=Max("pk"))["last"] or 0


class People:
    """Who does what in the demo: the trust's staff, and each academy's headteacher and chair."""

    def __init__(self):
        def first(role):
            return User.objects.filter(memberships__role=role).order_by("pk").first()

        self.siel, self.executive = first(Role.SIEL), first(Role.EXECUTIVE)
        self.hub_leads, self.heads, self.chairs = {}, {}, {}
        memberships = Membership.objects.filter(
            role__in=[Role.HUB_LEAD, Role.HEADTEACHER, Role.GOVERNOR]
        ).select_related("user").order_by("-lgb_chair", "pk")
        for membership in memberships:
            held = {Role.HUB_LEAD: self.hub_leads, Role.HEADTEACHER: self.heads, Role.GOVERNOR: self.chairs}
            held[membership.role].setdefault(membership.hub_id or membership.academy_id, membership.user)

    def hub_lead(self, academy):
        return self.hub_leads.get(academy.hub_id)

    def head(self, academy):
        return self.heads.get(academy.pk)

    def reviewer(self, academy, this_year):
        """The Riverside hub lead files this year's checks of the hub's academies; the SIEL the rest."""
        return (this_year and self.hub_lead(academy)) or self.siel

    def owner(self, key, academy):
        """A risk's owner: the SIEL, the CEO, the academy's hub lead or its headteacher (whoever
        there is, nearest the academy first)."""
        if key == "ceo":
            return self.executive
        if key == "head" and academy is not None and self.head(academy):
            return self.head(academy)
        if key in ("head", "hub") and academy is not None and self.hub_lead(academy):
            return self.hub_lead(academy)
        return self.siel


class Clock:
    """Dates what a step wrote to the moment it happened: its history, its alerts (read, or not)
    and the stamps of the object it changed."""

    def __init__(self, today):
        self.today = today
        self.now = timezone.now()

    def moment(self, day, hour=10):
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 15)))
        return min(when, self.now)

    @contextmanager
    def at(self, day, hour=10, read=None):
        moment = self.moment(day, hour)
        marks = {model: _last_pk(model) for model in (HealthCheckEvent, RiskEvent, ActionReview, Notification)}
        yield moment
        HealthCheckEvent.objects.filter(pk__gt=marks[HealthCheckEvent]).update(at=moment)
        RiskEvent.objects.filter(pk__gt=marks[RiskEvent]).update(at=moment)
        ActionReview.objects.filter(pk__gt=marks[ActionReview]).update(created_at=moment)
        if read is None:
            read = day < self.today - READ_AFTER
        read_at = min(moment + datetime.timedelta(hours=20), self.now) if read else None
        Notification.objects.filter(pk__gt=marks[Notification]).update(created_at=moment, read_at=read_at)


# Health checks


class HealthChecks:
    def __init__(self, people, clock):
        self.people, self.clock, self.today = people, clock, clock.today
        self.made = []

    def days_ago(self, days):
        return self.today - datetime.timedelta(days=days)

    def visit_day(self, days):
        """A visit starting about `days` ago, on a Monday to Thursday (it lasts two days)."""
        return _weekday(self.days_ago(days), last=3)

    def areas(self, academy):
        areas = list(AREAS)
        if academy.phase in (Academy.Phase.PRIMARY, Academy.Phase.ALL_THROUGH) and (
            academy.statutory_low_age or 5
        ) <= 4:
            areas.append("early_years")
        if (academy.statutory_high_age or 0) >= 18:
            areas.append("post_16")
        return areas

    def judgements(self, academy, strength, label):
        base = _index(strength)
        rows = []
        for area in self.areas(academy):
            index = min(4, max(0, base + _rng(academy.urn, area, label).choice([-1, 0, 0, 0, 1])))
            tone = 0 if index <= 1 else 1 if index == 2 else 2
            rows.append((area, FIVE[index], COMMENTARY[area][tone]))
        return rows

    def leadership_qa(self, academy, judgements):
        """Whether the reviewer agrees with the academy's own view of its leadership."""
        sef = (
            SEFJudgement.objects.filter(academy=academy, area="leadership_and_governance", scale="five_point")
            .order_by("-judged_on").values_list("grade", flat=True).first()
        )
        ours = {area: grade for area, grade, _ in judgements}["leadership_and_governance"]
        if sef not in FIVE:
            return LeadershipQA.AGREES, ""
        gap = FIVE.index(ours) - FIVE.index(sef)
        if gap == 0:
            return LeadershipQA.AGREES, ""
        label = dict(zip(FIVE, ["exceptional", "strong", "expected", "needs attention", "urgent improvement"],
                         strict=True))
        if abs(gap) == 1:
            return LeadershipQA.PARTLY, (
                f"The academy judges leadership {label[sef]}; the evidence of the visit supports "
                f"{label[ours]}. Leaders' monitoring is regular but does not yet check impact closely enough."
                if gap > 0 else
                f"The academy judges leadership {label[sef]}; the visit found it {label[ours]}. Leaders are "
                "more modest than the evidence warrants."
            )
        return LeadershipQA.DISAGREES, (
            f"The academy judges leadership {label[sef]}; the visit found it {label[ours]}. The self-evaluation "
            "does not draw on the outcomes data or the findings of lesson visits."
        )

    def recommendations(self, academy, tone, due_days, start):
        pool = RECOMMENDATIONS["specialist" if _kind(academy) == "specialist" else tone]
        head = self.people.head(academy)
        items = []
        for number, days in enumerate(due_days):
            text, owner_name = pool[(int(academy.urn) + number) % len(pool)]
            owner = head if head is not None and number == 0 else None
            items.append({"recommendation": text, "due_on": start + datetime.timedelta(days=days),
                          "owner": owner, "owner_name": "" if owner else owner_name})
        return items

    def create(self, academy, *, kind, visit_start, by, strength, label, tone, due_days, findings="",
               safeguarding=HealthCheck.Safeguarding.MET, expert="", recommendations=None, focus=None):
        judgements = self.judgements(academy, strength, label)
        qa, reasons = self.leadership_qa(academy, judgements)
        pool = FOCUS[_kind(academy)]
        focus = focus or [pool[(int(academy.urn) + i + len(label)) % len(pool)] for i in range(3)]
        visit_end = visit_start + DAY
        if recommendations is None:
            recommendations = self.recommendations(academy, tone, due_days, visit_end)
        with self.clock.at(visit_end + 2 * DAY, 16) as moment:
            check = services.health_check_create(
                academy=academy, by=by, judgements=judgements, recommendations=recommendations, kind=kind,
                visit_start=visit_start, visit_end=visit_end, focus_areas="\n".join(focus),
                safeguarding=safeguarding, leadership_qa=qa, leadership_qa_reasons=reasons,
                commissioned_expert=expert,
                key_findings=findings or FINDINGS[tone].format(name=academy.name),
            )
            HealthCheck.objects.filter(pk=check.pk).update(created_at=moment)
        self.made.append(check)
        return check

    def submit(self, check, by, day):
        with self.clock.at(day, 15) as moment:
            services.health_check_submit(health_check=check, by=by)
            HealthCheck.objects.filter(pk=check.pk).update(submitted_at=moment)

    def respond(self, check, by, day, response, read=None):
        with self.clock.at(day, 17, read=read) as moment:
            services.health_check_respond(health_check=check, by=by, response=response)
            HealthCheck.objects.filter(pk=check.pk).update(responded_at=moment)

    def publish(self, check, by, day):
        with self.clock.at(day, 9) as moment:
            services.health_check_publish(health_check=check, by=by)
            HealthCheck.objects.filter(pk=check.pk).update(published_at=moment)

    def review(self, action, by, day, status, *, health_check=None, commentary=None):
        with self.clock.at(day, 14):
            services.action_update(
                action=action, by=by, status=status, commentary=commentary or REVIEW_NOTES[status],
                reviewed_on=day, evidence=EVIDENCE if status == A.DONE else None, health_check=health_check,
            )

    def build(self, academies):
        open_academies = [a for a in academies if a.status == Academy.Status.OPEN]
        done = set(HealthCheck.objects.filter(academy__in=academies).values_list("academy_id", flat=True))
        for position, academy in enumerate(open_academies):
            if academy.pk not in done:
                self.academy(academy, position)
        for academy in academies:
            if academy.status == Academy.Status.JOINING and academy.pk not in done:
                self.due_diligence(academy)
        return self.made

    def academy(self, academy, position):
        strength, trend = PROFILES.get(academy.urn, (0.0, 0.0))
        tone = _tone(strength)
        siel = self.people.siel
        # Last year's annual health check, published, its actions tracked since.
        visit = self.visit_day(372 + position * 3)
        annual = self.create(academy, kind=K.ANNUAL, visit_start=visit, by=siel, strength=strength,
                             label="annual", tone=tone, due_days=[90, 180, 300])
        self.submit(annual, siel, visit + 6 * DAY)
        head = self.people.head(academy)
        if head is not None:
            self.respond(annual, head, visit + 11 * DAY, "No factual inaccuracies. We welcome the report's "
                         "recommendations and have built them into this year's plan.")
        self.publish(annual, siel, visit + 15 * DAY)
        current = self.this_year(academy, position, strength + 2 * trend)
        self.track(annual, position, tone, current)

    def this_year(self, academy, position, strength):
        """This year's check, at a step that depends on the academy."""
        tone = _tone(strength)
        siel, reviewer = self.people.siel, self.people.reviewer(academy, this_year=True)
        head = self.people.head(academy)
        if academy.urn == "999117":  # additional visit: safeguarding not met
            visit = self.visit_day(40)
            check = self.create(
                academy, kind=K.ADDITIONAL, visit_start=visit, by=siel, strength=strength, label="additional",
                tone="weak", due_days=[], safeguarding=HealthCheck.Safeguarding.NOT_MET,
                expert="Independent safeguarding adviser (a former local authority designated officer)",
                focus=["Safeguarding: recruitment checks and the single central record",
                       "Recording and follow-up of concerns", "Behaviour and suspensions"],
                findings=f"An additional visit after concerns raised at the hub's safeguarding audit. The single "
                         f"central record at {academy.name} was incomplete: recruitment checks were not evidenced "
                         "for two supply staff, and several concerns had been recorded without a note of the "
                         "action taken. Safeguarding is not met. The designated safeguarding lead and the "
                         "trust's safeguarding lead have agreed an action plan, checked weekly until complete.",
                recommendations=[
                    {"recommendation": text, "due_on": visit + datetime.timedelta(days=days), "owner": None,
                     "owner_name": owner}
                    for (text, owner), days in zip(SAFEGUARDING_NOT_MET, [14, 56], strict=True)
                ],
            )
            self.submit(check, siel, visit + 4 * DAY)
            self.publish(check, siel, visit + 7 * DAY)
            return check
        kind = K.ADDITIONAL if academy.urn == "999114" else K.ANNUAL if position % 3 == 0 else K.TERMLY
        step = "responded" if head is not None else ("published", "published", "submitted", "draft")[position % 4]
        visit = self.visit_day({"published": 36 + position, "responded": 26, "submitted": 17 + position % 5,
                               "draft": 5 + position % 4}[step])
        expert = "Primary English specialist, a National Leader of Education" if kind == K.ADDITIONAL else ""
        findings = (FOLLOW_UP if kind == K.TERMLY else "") + FINDINGS[tone].format(name=academy.name)
        check = self.create(academy, kind=kind, visit_start=visit, by=reviewer, strength=strength, label="this",
                            tone=tone, due_days=[45, 120], findings=findings, expert=expert)
        if step == "draft":
            if position % 8 == 3:  # submitted, then taken back to add the data
                self.submit(check, reviewer, visit + 5 * DAY)
                with self.clock.at(visit + 6 * DAY, 11):
                    services.health_check_return(
                        health_check=check, by=reviewer,
                        reason="Returned to add the autumn assessment data to the judgement on achievement "
                               "before the headteacher checks the facts.",
                    )
                with self.clock.at(visit + 7 * DAY, 10, read=False):
                    check.refresh_from_db()
                    services.health_check_edit(
                        health_check=check, by=reviewer, version=check.version,
                        key_findings=check.key_findings + " Autumn assessments confirm the gap in Year 4 "
                                                          "writing identified on the visit.",
                    )
            return check
        self.submit(check, reviewer, visit + 4 * DAY)
        if step == "responded":
            self.respond(check, head, visit + 8 * DAY, read=False, response=(
                "One correction: the phonics screening figure quoted is for 2024; this year's was 84%. "
                "Otherwise the report is accurate."))
        elif step == "published":
            self.publish(check, reviewer, visit + 12 * DAY)
        return check

    def track(self, annual, position, tone, current):
        """Progress on last year's actions: a mid-year review, then this year's visit (when its report
        is published) or a review by the trust in between."""
        actions = list(annual.actions.order_by("number"))
        academy = annual.academy
        head = self.people.head(academy)
        reviewer = head or self.people.hub_lead(academy) or self.people.siel
        mid = annual.visit_start + datetime.timedelta(days=150)
        # What became of each action: the first done by its due date; the second done, or (weak
        # academies) still going, or dropped; the third done only at the strongest academies.
        second = A.IN_PROGRESS if tone == "weak" else A.DROPPED if position % 7 == 4 else A.DONE
        third = (A.DONE if tone == "strong" or position % 3 == 0 else A.OPEN if position % 5 == 2
                 else A.IN_PROGRESS)
        self.review(actions[0], reviewer, mid, A.DONE)
        self.review(actions[1], reviewer, mid, A.IN_PROGRESS)
        self.review(actions[2], reviewer, mid, A.OPEN if third == A.OPEN else A.IN_PROGRESS)
        published = current.status == S.PUBLISHED and current.visit_start > mid
        later = current.visit_start if published else self.days_ago(45 + position % 9)
        by = current.lead_reviewer if published else reviewer
        self.review(actions[1], by, later, second, health_check=current if published else None)
        if third != A.OPEN or published:
            self.review(actions[2], by, later, third, health_check=current if published else None)
        if current.status == S.PUBLISHED:
            self.track_new(current, position)

    def track_new(self, check, position):
        """This year's actions: the first under way a week ago (or done, now and then)."""
        first = check.actions.order_by("number").first()
        if first is None:
            return
        academy = check.academy
        by = self.people.head(academy) or self.people.hub_lead(academy) or self.people.siel
        status = A.DONE if position % 4 == 1 else A.IN_PROGRESS
        self.review(first, by, max(self.days_ago(7), check.visit_start + 3 * DAY), status)

    def due_diligence(self, academy):
        siel = self.people.siel
        visit = self.visit_day(60)
        check = self.create(
            academy, kind=K.DUE_DILIGENCE, visit_start=visit, by=siel, strength=0.0, label="due", tone="middle",
            due_days=[], expert="Trust estates and finance team",
            focus=["Safeguarding policy and practice", "Curriculum plans for opening", "Premises and finance"],
            findings=f"Due diligence before {academy.name} joins the trust. The school's plans for opening are "
                     "sound. Safeguarding policies need bringing in line with the trust's before the first "
                     "pupils start, and the curriculum for Key Stage 1 should use the trust's phonics programme.",
            recommendations=[
                {"recommendation": text, "due_on": visit + datetime.timedelta(days=days), "owner": None,
                 "owner_name": owner}
                for (text, owner), days in zip(DUE_DILIGENCE, [45, 75, 110], strict=True)
            ],
        )
        self.submit(check, siel, visit + 5 * DAY)
        self.publish(check, siel, visit + 9 * DAY)
        first = check.actions.order_by("number").first()
        self.review(first, siel, visit + 40 * DAY, A.DONE,
                    commentary="Done: the policy was adopted by the trust board and all staff were trained.")


# The risk register

# academy URN (None: the trust), category, title, description, likelihood, impact, visibility, owner,
# review frequency, mitigations, history: (days ago, step, ...):
#   ("raise", reason) | ("change", {field: value}, reason) | ("review", commentary) | ("close", reason)
SHARED, TRUST_ONLY = Visibility.SHARED, Visibility.TRUST_ONLY
F = Frequency
RISKS = [
    ("999117", C.STANDARDS, "GCSE English and mathematics results well below the trust's floor",
     "Fewer than half of Year 11 achieved a standard pass in English and mathematics last summer, and the "
     "autumn mock results show little change.", 4, 4, SHARED, "hub", F.MONTHLY,
     "Weekly mathematics coaching from the hub; additional English teaching for Year 11; mock analysis "
     "with the SIEL each half term.",
     [(210, "raise", "Raised after the summer results."),
      (120, "change", {"likelihood": 5}, "The autumn mocks confirm the gap has not closed."),
      (60, "review", "Coaching in place; the spring mocks are the next check."),
      (25, "review", "Some improvement in mathematics; English still well below.")]),
    ("999117", C.BEHAVIOUR, "Suspensions rising in Year 9",
     "Suspensions in Year 9 have doubled since last year, mostly for persistent disruption.", 3, 3, SHARED,
     "hub", F.HALF_TERMLY, "A reset room with a structured return to lessons; a single behaviour routine.",
     [(160, "raise", "Raised from the behaviour data at the hub meeting."),
      (100, "review", "Reset room opened; suspensions level this half term."),
      (35, "review", "Suspensions in Year 9 down by a third since the reset room opened.")]),
    ("999117", C.STAFFING, "Headteacher leaving at Easter: interim leadership needed",
     "The headteacher has resigned with effect from Easter. The trust must secure interim leadership and "
     "recruit a substantive headteacher.", 5, 4, TRUST_ONLY, "ceo", F.FORTNIGHTLY,
     "An executive headteacher from the trust identified; recruitment timetable agreed with the board.",
     [(70, "raise", "Resignation received."), (40, "review", "Advert placed; executive headteacher agreed."),
      (10, "review", "Shortlist agreed; the executive headteacher starts after Easter.")]),
    ("999114", C.STANDARDS, "Reading at the end of Key Stage 2 well below national",
     "Reading results have been well below national for three years, and a third of Year 5 are not reading "
     "fluently.", 4, 5, SHARED, "siel", F.MONTHLY,
     "Reading fluency programme for Years 5 and 6; phonics catch-up for pupils still decoding; English "
     "specialist support commissioned by the trust.",
     [(300, "raise", "Raised at the annual health check."),
      (200, "change", {"impact": 4}, "Fluency programme in place; the impact on next year's cohort is lower."),
      (90, "change", {"impact": 5}, "Summer results fell again: the impact is back to severe."),
      (75, "review", "Specialist support commissioned."),
      (20, "review", "Specialist visits under way; Year 6 fluency checks show early gains.")]),
    ("999114", C.GOVERNANCE, "The LGB lacks the skills to challenge on standards",
     "Several governors are new and the LGB's skills audit shows gaps in understanding of assessment data.",
     3, 3, TRUST_ONLY, "siel", F.TERMLY, "Governor training on data from the trust's governance lead.",
     [(250, "raise", "From the governance review."), (150, "review", "Two governors trained; a data "
      "champion appointed.")]),
    ("999102", C.ATTENDANCE, "Persistent absence in Years 9 and 10",
     "One in four pupils in Years 9 and 10 is persistently absent, most of them disadvantaged.", 4, 3, SHARED,
     "hub", F.MONTHLY, "Attendance mentors, first-day calls and a weekly attendance panel.",
     [(180, "raise", "Raised from the autumn attendance figures."),
      (110, "review", "Mentors in post; first-day calls are consistent."),
      (70, "change", {"likelihood": 3}, "Persistent absence down four points this half term."),
      (12, "review", "The improvement has held through the autumn term.")]),
    ("999102", C.FINANCE, "Falling numbers in Year 7 reduce next year's budget",
     "Applications for Year 7 are down 15% and the budget forecast shows a deficit from next year.", 3, 4,
     TRUST_ONLY, "ceo", F.TERMLY, "Curriculum-led staffing review; a marketing plan for open evenings.",
     [(140, "raise", "From the budget forecast."), (100, "review", "Staffing review under way.")]),
    ("999108", C.SEND, "Demand for places exceeds the commissioned number",
     "The local authority has asked the academy to take twelve pupils above its commissioned number.", 4, 3,
     SHARED, "head", F.TERMLY, "Negotiation with the local authority on funding and an additional classroom.",
     [(230, "raise", "Local authority request received."),
      (70, "review", "Funding agreed for six places; the rest still under discussion.")]),
    ("999108", C.ESTATES, "Hydrotherapy pool out of use",
     "The pool's pump has failed and the pool is closed; some pupils' therapy programmes cannot be "
     "delivered.", 3, 3, SHARED, "head", F.MONTHLY, "Pump replacement ordered; therapy sessions at the local "
     "leisure centre in the meantime.",
     [(90, "raise", "Pump failure reported."),
      (50, "change", {"likelihood": 2, "impact": 2}, "Sessions moved to the leisure centre; the pump is due "
       "next month."),
      (18, "review", "Pump delivered; fitting booked for half term.")]),
    ("999115", C.SAFEGUARDING, "Pupils on part-time timetables not seen daily",
     "Eleven pupils are on part-time timetables; for some, there is no daily contact on the days they are "
     "not in school.", 3, 5, SHARED, "hub", F.FORTNIGHTLY,
     "Daily contact log checked by the designated safeguarding lead; fortnightly review of each timetable.",
     [(120, "raise", "Found at the safeguarding audit."),
      (90, "review", "Daily contact now logged for every pupil."),
      (75, "review", "Four pupils back on full-time timetables."),
      (6, "review", "Daily contact checked for every pupil this fortnight; seven remain part time.")]),
    ("999101", C.ESTATES, "Roof leaks over the Key Stage 1 classrooms",
     "Water comes through the ceiling of two Key Stage 1 classrooms in heavy rain.", 3, 3, SHARED, "head",
     F.MONTHLY, "Emergency repairs; a bid to the condition improvement fund.",
     [(330, "raise", "Reported by the site manager."),
      (260, "review", "Bid submitted; temporary repairs holding."),
      (200, "close", "The roof was replaced over the summer, funded by the condition improvement fund.")]),
    ("999101", C.REPUTATION, "Complaints about the new admissions arrangements on social media",
     "A small number of parents have posted complaints about the nursery admissions arrangements.", 2, 2,
     SHARED, "head", F.MONTHLY, "A clear statement on the website; the headteacher met the parents concerned.",
     [(150, "raise", "Posts seen by the office."),
      (120, "close", "The complaints were resolved after a meeting; no further posts.")]),
    ("999101", C.SEND, "Waiting times for speech and language therapy",
     "Pupils referred for speech and language therapy wait up to nine months for an assessment.", 3, 2,
     SHARED, "head", F.TERMLY, "A trained teaching assistant runs the trust's language programme while pupils "
     "wait.", [(100, "raise", "Raised by the SENCo."), (30, "review", "The language programme is in place.")]),
    ("999105", C.STAFFING, "Two class teachers on long-term absence",
     "Two teachers in Key Stage 2 are on long-term sick leave; classes are covered by supply teachers.", 4, 3,
     SHARED, "hub", F.FORTNIGHTLY, "The same supply teachers in each class; the deputy headteacher teaches "
     "Year 6 mathematics.",
     [(80, "raise", "Second absence began."), (66, "review", "Consistent supply cover arranged."),
      (9, "review", "One teacher returns after half term on a phased return.")]),
    ("999109", C.STANDARDS, "Phonics screening results below national",
     "The phonics screening check result fell to 68% last summer.", 3, 3, SHARED, "siel", F.HALF_TERMLY,
     "Phonics training for every Key Stage 1 adult; daily catch-up groups.",
     [(200, "raise", "From the summer results."), (150, "review", "Training complete."),
      (100, "change", {"likelihood": 2}, "The autumn assessment shows 80% on track."),
      (40, "review", "Catch-up groups running daily; the spring check is next.")]),
    ("999113", C.LEADERSHIP, "New headteacher and a restructured senior team",
     "A new headteacher started in September and the senior team has been restructured across the "
     "primary and secondary phases.", 2, 3, SHARED, "siel", F.TERMLY,
     "Coaching from an experienced headteacher in the trust; termly review with the SIEL.",
     [(85, "raise", "New headteacher in post."), (20, "review", "Settling in well; staff survey positive.")]),
    ("999120", C.OTHER, "Sixth-form numbers below a viable size",
     "Year 12 has 64 students, below the 80 the trust's funding model needs.", 3, 3, TRUST_ONLY, "ceo",
     F.TERMLY, "A joint sixth-form offer with Lighthouse Academy is being considered.",
     [(150, "raise", "From the September census."), (60, "review", "Options paper to the board next term.")]),
    ("999116", C.ESTATES, "Flooding of the playground in winter storms",
     "The lower playground floods in storms; it has been closed for a few days each winter.", 2, 2, SHARED,
     "siel", F.TERMLY, "Drainage survey booked.",
     [(240, "raise", "After the winter storms."), (180, "review", "Survey booked for the spring.")]),
    ("999118", C.GOVERNANCE, "The local governing board is still forming after conversion",
     "Three places on the LGB are vacant since the academy joined the trust.", 3, 2, SHARED, "siel",
     F.TERMLY, "The trust's governance lead is recruiting through the local business network.",
     [(190, "raise", "At conversion."), (120, "review", "One governor appointed."),
      (75, "review", "A second governor appointed; one place still vacant.")]),
    ("999103", C.FINANCE, "A deficit budget in a small school",
     "With 61 pupils on roll, the academy's income does not cover its staffing; a deficit is forecast for "
     "three years.", 4, 4, TRUST_ONLY, "ceo", F.TERMLY,
     "Mixed-age classes from September; shared business management with Kingfisher Primary Academy.",
     [(260, "raise", "From the three-year budget forecast."),
      (170, "review", "Mixed-age classes agreed with the LGB."),
      (110, "change", {"likelihood": 3}, "Shared business management in place; the deficit is smaller."),
      (45, "review", "The revised forecast confirms the smaller deficit.")]),
    ("999107", C.SAFEGUARDING, "Site security at the start and end of the day",
     "A side gate was found open during the day on two occasions.", 2, 4, SHARED, "hub", F.MONTHLY,
     "A new lock and a member of staff on the gate at drop-off and pick-up.",
     [(210, "raise", "After the second occasion."), (180, "close", "New lock fitted; no further incidents.")]),
    ("999121", C.REPUTATION, "Local press interest in the new building plans",
     "Neighbours have raised concerns with the local paper about the planned extension.", 2, 2, SHARED,
     "siel", F.TERMLY, "A meeting for neighbours with the architects.",
     [(130, "raise", "Article in the local paper."), (80, "review", "Neighbours' meeting held.")]),
    ("999104", C.ESTATES, "The new building may not be ready for opening",
     "The contractor reports a six-week delay; the building is needed for the academy's opening.", 3, 4,
     TRUST_ONLY, "ceo", F.FORTNIGHTLY, "Weekly site meetings; temporary classrooms as a fallback.",
     [(50, "raise", "Contractor's report."), (36, "review", "Delay now four weeks.")]),
    (None, C.STAFFING, "Recruiting teachers of mathematics and physics across the trust",
     "Six secondary posts in mathematics and physics are unfilled or covered by non-specialists.", 4, 4,
     TRUST_ONLY, "ceo", F.MONTHLY, "A trust-wide recruitment campaign, a retention payment and shared "
     "specialist teaching between academies.",
     [(280, "raise", "From the September staffing return."),
      (200, "review", "Two posts filled."), (150, "review", "Retention payment approved by the board."),
      (15, "review", "Four of the six posts now filled by specialists.")]),
    (None, C.FINANCE, "Reserves below the trust's minimum after the pay award",
     "The unfunded part of the pay award takes the trust's reserves below the 5% its policy requires.", 3, 4,
     TRUST_ONLY, "ceo", F.TERMLY, "Central services review; a three-year recovery plan agreed with the board.",
     [(170, "raise", "After the pay award announcement."),
      (90, "change", {"impact": 3}, "Part of the award funded by the government."),
      (60, "review", "Recovery plan on track at the end of the first quarter.")]),
    (None, C.OTHER, "A cyber attack disrupting the trust's systems",
     "Schools are being targeted by ransomware; an attack could stop access to records and payroll.", 2, 5,
     TRUST_ONLY, "siel", F.TERMLY, "Offline backups tested each term; staff training on phishing; cyber "
     "insurance.",
     [(300, "raise", "From the trust's IT audit."), (210, "review", "Backups tested."),
      (120, "review", "Phishing training completed by 90% of staff.")]),
]


class Register:
    def __init__(self, people, clock):
        self.people, self.clock, self.today = people, clock, clock.today
        self.made = []

    def build(self, academies):
        by_urn = {a.urn: a for a in academies}
        existing = set(Risk.objects.filter(rule__isnull=True).values_list("academy_id", "title"))
        for urn, category, title, description, likelihood, impact, visibility, owner, frequency, \
                mitigations, history in RISKS:
            academy = by_urn.get(urn) if urn else None
            if (urn and academy is None) or ((academy.pk if academy else None), title) in existing:
                continue
            self.made.append(self.risk(academy, category, title, description, likelihood, impact, visibility,
                                       owner, frequency, mitigations, history))
        return self.made

    def who(self, academy):
        """Who keeps the risk: the academy's hub lead, or the SIEL."""
        return (academy is not None and self.people.hub_lead(academy)) or self.people.siel

    def risk(self, academy, category, title, description, likelihood, impact, visibility, owner, frequency,
             mitigations, history):
        by = self.who(academy)
        (raised_ago, _, reason), *steps = history
        raised_on = self.today - datetime.timedelta(days=raised_ago)
        with self.clock.at(raised_on, 11) as moment:
            risk = risk_services.risk_raise(
                by=by, academy=academy, reason=reason, category=category, title=title, description=description,
                likelihood=likelihood, impact=impact, owner=self.people.owner(owner, academy),
                mitigations=mitigations, review_frequency=frequency, visibility=visibility,
                next_review_on=raised_on + datetime.timedelta(days=FREQUENCY_DAYS[frequency]),
            )
            Risk.objects.filter(pk=risk.pk).update(created_at=moment)
        for days_ago, step, *details in steps:
            day = self.today - datetime.timedelta(days=days_ago)
            with self.clock.at(day, 15):
                if step == "change":
                    changes, reason = details
                    risk_services.risk_change(risk=risk, by=by, reason=reason, **changes)
                elif step == "review":
                    risk_services.risk_review(risk=risk, by=by, commentary=details[0], reviewed_on=day)
                elif step == "close":
                    risk_services.risk_close(risk=risk, by=by, reason=details[0])
                    Risk.objects.filter(pk=risk.pk).update(closed_on=day)
        return risk


# The trust's rules over the data, and what they find

RULES = [
    {"name": "Persistent absence far above national for two years running",
     "kind": RiskRule.Kind.MEASURE_VS_NATIONAL, "measure": "persistent_absence", "pupil_group": "all",
     "margin": 15, "periods": 2, "termly": False, "category": C.ATTENDANCE, "likelihood": 4, "impact": 4,
     "review_frequency": F.MONTHLY},
    {"name": "Persistent absence of disadvantaged pupils above national by 5 points for two terms running",
     "kind": RiskRule.Kind.MEASURE_VS_NATIONAL, "measure": "persistent_absence", "pupil_group": "disadvantaged",
     "margin": 5, "periods": 2, "termly": True, "category": C.ATTENDANCE, "likelihood": 4, "impact": 3,
     "review_frequency": F.HALF_TERMLY},
    {"name": "Safeguarding judged ineffective", "kind": RiskRule.Kind.SAFEGUARDING, "category": C.SAFEGUARDING,
     "likelihood": 4, "impact": 5, "review_frequency": F.WEEKLY},
    {"name": "Latest inspection a cause for concern", "kind": RiskRule.Kind.OFSTED_CONCERN,
     "category": C.STANDARDS, "likelihood": 4, "impact": 4, "review_frequency": F.MONTHLY},
]
FOLLOW_UPS = {
    RiskRule.Kind.SAFEGUARDING: (
        "siel", "The trust's safeguarding lead visits weekly until the single central record is complete and "
        "every open concern has a recorded outcome.",
        "Owner and mitigations agreed with the headteacher after the additional health check.",
    ),
    RiskRule.Kind.MEASURE_VS_NATIONAL: (
        "head", "An attendance officer shared with the local authority; home visits on the third day of "
        "absence; reintegration plans for the pupils furthest from full-time attendance.",
        "Owner and mitigations agreed at the hub meeting.",
    ),
}


def build_rules():
    """The trust's risk rules, made once by name."""
    made = []
    measures = {m.code: m for m in Measure.objects.all()}
    for spec in RULES:
        fields = dict(spec)
        name = fields.pop("name")
        if "measure" in fields:
            fields["measure"] = measures[fields["measure"]]
        if RiskRule.objects.filter(name=name).exists():
            continue
        rule = RiskRule(name=name, visibility=Visibility.SHARED, **fields)
        rule.full_clean()
        rule.save()
        made.append(rule)
    return made


def run_rules(people, clock):
    """Run the rules once, as the nightly run would; a person then takes up the new risks."""
    with clock.at(clock.today, read=False):
        raised = rules.run()
    for risk in raised:
        follow_up = FOLLOW_UPS.get(risk.rule.kind)
        if follow_up is None:
            continue
        owner, mitigations, reason = follow_up
        by = (risk.academy is not None and people.hub_lead(risk.academy)) or people.siel
        with clock.at(clock.today, read=False):
            risk_services.risk_change(risk=risk, by=by, reason=reason, owner=people.owner(owner, risk.academy),
                                      mitigations=mitigations)
    return raised


# Link-governor visits

VISIT_NOTES = {
    Theme.READING: ("Phonics and early reading in Key Stage 1",
                    "Saw phonics lessons in Reception and Year 1 and a catch-up group. Pupils used the sounds "
                    "they had been taught. Asked the reading lead how pupils who fall behind are found each "
                    "week; she showed the tracker. To follow up: the Year 2 fluency checks next term."),
    Theme.ATTENDANCE: ("Attendance procedures and first-day calls",
                       "Met the attendance lead and sat in on the morning calls. Calls were made before 9.30 "
                       "for every absent pupil. Asked how the academy works with families where absence is "
                       "persistent; the weekly panel was explained. To follow up: the half-term figures."),
    Theme.DISADVANTAGED: ("Support for disadvantaged pupils",
                          "Looked at how disadvantaged pupils are prioritised for feedback and tutoring. Spoke "
                          "to the pupil premium lead about the half-termly progress checks. Asked how "
                          "enrichment take-up is tracked; not yet, but planned for next term."),
    Theme.MATHS: ("Times tables and fluency in Years 3 and 4",
                  "Saw the daily fluency sessions in Years 3 and 4. Pupils were confident with the 2, 5 and "
                  "10 times tables; fewer with 7 and 8. Asked how the multiplication check results are used."),
    Theme.EARLY_YEARS: ("Communication and language in Reception",
                        "Spent the morning in Reception. Adults modelled vocabulary during play and storytime. "
                        "Asked how speech and language needs are picked up; the screening in the first "
                        "half term was explained."),
    Theme.CURRICULUM: ("The Key Stage 3 curriculum in history and geography",
                       "Met the subject leads and looked at pupils' books in Year 8. The sequence of topics "
                       "is clear and builds on Year 7. Asked how teachers check what pupils remember."),
    Theme.BEHAVIOUR: ("Behaviour at lunchtime and the reset room",
                      "Walked the site at lunchtime with the deputy headteacher and visited the reset room. "
                      "The dining hall was calm. Asked how the return to lessons is managed and recorded."),
    Theme.SEND: ("Personalised learning plans",
                 "Looked at three anonymised learning plans with the SENCo and saw how targets from EHC plans "
                 "are broken into small steps. Asked how families are involved in each review."),
    Theme.STAFFING: ("The staff training programme",
                     "Met the training lead and two teaching assistants. The specialist training is well "
                     "received. Asked how its impact on pupils is checked."),
}
SAFEGUARDING_VISIT = (
    "Safeguarding: the single central record",
    "Checked the single central record against the trust's checklist with the designated safeguarding "
    "lead. All checks were in place. Asked how visitors and contractors are checked on arrival.",
)


def build_visits(academies, people, clock):
    """Each open academy's link governors' visits this year (the chair's), following up the plan's
    priorities; one a year on safeguarding follows up none."""
    made = []
    today = clock.today
    year = AcademicYear.for_date(today)
    visited = set(GovernorVisit.objects.filter(academy__in=academies).values_list("academy_id", flat=True))
    for position, academy in enumerate(a for a in academies if a.status == Academy.Status.OPEN):
        governor = people.chairs.get(academy.pk)
        if governor is None or academy.pk in visited:
            continue
        priorities = list(Priority.objects.filter(plan__academy=academy, plan__academic_year=year).order_by("order"))
        plan = [(p, *VISIT_NOTES[p.theme]) for p in priorities if p.theme in VISIT_NOTES][:2]
        visits = [(None, *SAFEGUARDING_VISIT), *plan]
        if academy.urn == "999101":  # the demo governor's academy: a visit for every priority
            visits += [(p, *VISIT_NOTES[p.theme]) for p in priorities[2:] if p.theme in VISIT_NOTES]
        # Spread through the school year so far (a fortnight in, at the earliest), on weekdays.
        first, last = year.starts_on + datetime.timedelta(days=14), today - datetime.timedelta(days=3)
        if (last - first).days < 5 * len(visits):  # early in the year: last year's summer term too
            first = last - datetime.timedelta(days=12 * len(visits))
        span = (last - first).days
        for number, (priority, focus, notes) in enumerate(visits):
            offset = span * (number + 1) // (len(visits) + 1) + position % 5 - 2
            day = _weekday(first + datetime.timedelta(days=offset))
            with clock.at(day, 16) as moment:
                visit = services.visit_record(academy=academy, by=governor, visited_on=day, focus=focus,
                                              notes=notes, priority=priority)
                GovernorVisit.objects.filter(pk=visit.pk).update(created_at=moment)
            made.append(visit)
    return made


def build(academies, today=None):
    """Health checks, risks, rules and visits of the demo trust. Returns what it made, by kind."""
    today = today or timezone.localdate()
    academies = sorted(academies, key=lambda a: a.urn)
    told_before = _last_pk(Notification)
    people, clock = People(), Clock(today)
    made = {
        "health checks": HealthChecks(people, clock).build(academies),
        "risks": Register(people, clock).build(academies),
        "rules": build_rules(),
        "visits": build_visits(academies, people, clock),
    }
    made["rule risks"] = run_rules(people, clock)
    # What the daily sweep would have told people by now: reviews and actions overdue.
    with clock.at(today, 7, read=False):
        risk_services.notify_overdue_reviews(today)
        services.notify_overdue_actions(today)
    # Nothing the demo's history tells anyone is emailed.
    Notification.objects.filter(pk__gt=told_before).update(email=False)
    return made
