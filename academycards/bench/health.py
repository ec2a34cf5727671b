"""The bench trust's health checks and risk register, grown with the trust in bulk.

Every academy that has not left gets `REPORTS_PER_ACADEMY` health-check reports and
`RISKS_PER_ACADEMY` risks, so the pages that list them are measured on a register and a set of
reports in proportion to the trust, as in a real one:

- last year's annual health check, published, with judgements, three tracked actions (done, in
  progress, not started; some past their due date) and a progress review of each, made at this
  year's visit when that report is published;
- this year's check, in a state that turns with the academy: published, awaiting the
  headteacher's factual-accuracy check, a draft, or back from the check;
- six risks across the categories and ratings, two of them kept to the trust, one in three
  academies with a closed one, some past their review date, each with its history;

and the trust has a few risks of its own (no academy). Rows are written with bulk_create, not
the services: what is measured is reading them. The focus academy's reports are both published,
so its governor reads this year's (`BenchTrust.focus_report`).
"""

import datetime
import uuid

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad

from healthchecks.models import (
    Action,
    ActionReview,
    Category,
    HealthCheck,
    HealthCheckEvent,
    HealthCheckJudgement,
    Risk,
    RiskEvent,
    Visibility,
)
from healthchecks.models.risks import Frequency

REPORTS_PER_ACADEMY = 2
RISKS_PER_ACADEMY = 6
TRUST_ONLY_PER_ACADEMY = 2  # of the six, the last two
TRUST_LEVEL_RISKS = 4

S, K, A = HealthCheck.Status, HealthCheck.Kind, Action.Status
AREAS = ["inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour",
         "personal_development_and_wellbeing", "leadership_and_governance"]
GRADES = ["exceptional", "strong", "expected", "needs_attention", "urgent_improvement"]
THIS_YEAR = [S.PUBLISHED, S.SUBMITTED, S.DRAFT, S.RESPONDED]
CATEGORIES = list(Category)
TITLES = {
    Category.SAFEGUARDING: "Part-time timetables not reviewed fortnightly",
    Category.STANDARDS: "Key Stage 2 reading below national for two years",
    Category.ATTENDANCE: "Persistent absence above national",
    Category.BEHAVIOUR: "Suspensions rising in Year 9",
    Category.LEADERSHIP: "Interim headteacher until the summer",
    Category.GOVERNANCE: "Vacancies on the local governing board",
    Category.STAFFING: "Mathematics posts unfilled",
    Category.FINANCE: "Deficit budget forecast",
    Category.ESTATES: "Roof repairs awaiting funding",
    Category.SEND: "Specialist places above the commissioned number",
    Category.REPUTATION: "Complaints on social media",
    Category.OTHER: "Cyber security of the school's systems",
}
FREQUENCIES = [Frequency.MONTHLY, Frequency.HALF_TERMLY, Frequency.TERMLY, Frequency.FORTNIGHTLY]
DAY = datetime.timedelta(days=1)


def _moment(today, days_ago):
    day = today - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC)


def _number_risks(risks):
    """R-0001 from each risk's row, as Risk.save does, in one UPDATE."""
    Risk.objects.filter(pk__in=[r.pk for r in risks]).update(
        reference=Concat(Value("R-"), LPad(Cast("pk", CharField()), 4, Value("0")))
    )


class HealthRecords:
    """Adds the reports and risks of each new academy; `people` are the bench trust's."""

    def __init__(self, today, siel, executive):
        self.today, self.siel, self.executive = today, siel, executive
        self.reports = 0
        self.risks = 0
        self.focus_report = None

    def add_trust_risks(self):
        risks = [
            self._risk(None, index, Category.FINANCE if index % 2 else Category.STAFFING,
                       Visibility.TRUST_ONLY, owner=self.executive)
            for index in range(TRUST_LEVEL_RISKS)
        ]
        self._save_risks(risks)

    def add(self, academies, start, hub_leads):
        """The reports and risks of `academies` (the trust's academies from number `start`)."""
        numbered = [(start + offset, a) for offset, a in enumerate(academies) if a.status != a.Status.LEFT]
        self._add_reports(numbered)
        risks = []
        for index, academy in numbered:
            owner = hub_leads.get(academy.hub_id) or self.executive
            for k in range(RISKS_PER_ACADEMY):
                visibility = Visibility.TRUST_ONLY if k >= RISKS_PER_ACADEMY - TRUST_ONLY_PER_ACADEMY \
                    else Visibility.SHARED
                risks.append(self._risk(academy, index * RISKS_PER_ACADEMY + k,
                                        CATEGORIES[(index + k) % len(CATEGORIES)], visibility, owner=owner,
                                        closed=k == 1 and index % 3 == 2))
        self._save_risks(risks)

    # Reports

    def _report(self, academy, index, kind, status, days_ago):
        visit = self.today - datetime.timedelta(days=days_ago)
        stamps = {}
        if status != S.DRAFT:
            stamps["submitted_at"] = _moment(self.today, days_ago - 5)
        if status in (S.RESPONDED, S.PUBLISHED):
            stamps["responded_at"] = _moment(self.today, days_ago - 8)
        if status == S.PUBLISHED:
            stamps["published_at"] = _moment(self.today, days_ago - 12)
            stamps["published_by"] = self.siel
        return HealthCheck(
            academy=academy, kind=kind, status=status, visit_start=visit, visit_end=visit + DAY,
            lead_reviewer=self.siel, created_by=self.siel,
            focus_areas="Early reading and phonics\nAttendance of disadvantaged pupils\nThe curriculum",
            safeguarding=HealthCheck.Safeguarding.MET, leadership_qa="agrees" if index % 3 else "partly",
            leadership_qa_reasons="" if index % 3 else "Leaders' view of the curriculum is generous.",
            key_findings=f"{academy.name} is improving; the curriculum is well planned in most subjects and "
                         "reading is taught well. Persistent absence remains too high.",
            response="No factual inaccuracies." if status in (S.RESPONDED, S.PUBLISHED) else "",
            **stamps,
        )

    def _add_reports(self, numbered):
        pairs = []
        for index, academy in numbered:
            this_year = S.PUBLISHED if index == 0 else THIS_YEAR[index % len(THIS_YEAR)]
            annual = self._report(academy, index, K.ANNUAL, S.PUBLISHED, 380 - index % 60)
            current = self._report(academy, index, K.TERMLY, this_year, 40 - index % 20)
            pairs.append((index, annual, current))
        HealthCheck.objects.bulk_create([r for _, *both in pairs for r in both], batch_size=500)
        self.reports += REPORTS_PER_ACADEMY * len(pairs)
        if pairs and pairs[0][0] == 0:
            self.focus_report = pairs[0][2]

        judgements, events, actions = [], [], []
        for index, *reports in pairs:
            for report in reports:
                judgements += [
                    HealthCheckJudgement(health_check=report, area=area,
                                         grade=GRADES[(index + n) % len(GRADES)],
                                         commentary="The curriculum is well planned in most subjects.")
                    for n, area in enumerate(AREAS)
                ]
                events += self._events(report)
            annual, current = reports
            actions += self._actions(annual, index, due_days=(-250, -120, 40),
                                     statuses=(A.DONE, A.IN_PROGRESS, A.OPEN))
            actions += self._actions(current, index, due_days=(30, 120), statuses=(A.OPEN, A.OPEN))
        HealthCheckJudgement.objects.bulk_create(judgements, batch_size=1000)
        HealthCheckEvent.objects.bulk_create(events, batch_size=1000)
        Action.objects.bulk_create(actions, batch_size=1000)
        # Last year's actions, each reviewed: at this year's visit when its report is published.
        reviews = []
        by_academy = {current.academy_id: current for _, _, current in pairs}
        for action in actions:
            report = action.health_check
            if report.kind != K.ANNUAL:
                continue
            current = by_academy[report.academy_id]
            reviewed_by = current if current.status == S.PUBLISHED else None
            reviews.append(ActionReview(
                action=action, reviewed_on=(current.visit_start if reviewed_by else self.today - 60 * DAY),
                status=action.status, commentary="Reviewed with the headteacher: see the status.",
                health_check=reviewed_by, by=self.siel,
            ))
        ActionReview.objects.bulk_create(reviews, batch_size=1000)

    def _events(self, report):
        steps = [(HealthCheckEvent.Kind.CREATED, "", S.DRAFT)]
        if report.status != S.DRAFT:
            steps.append((HealthCheckEvent.Kind.SUBMITTED, S.DRAFT, S.SUBMITTED))
        if report.status in (S.RESPONDED, S.PUBLISHED):
            steps.append((HealthCheckEvent.Kind.RESPONDED, S.SUBMITTED, S.RESPONDED))
        if report.status == S.PUBLISHED:
            steps.append((HealthCheckEvent.Kind.PUBLISHED, S.RESPONDED, S.PUBLISHED))
        return [HealthCheckEvent(health_check=report, kind=kind, by=self.siel, from_status=before,
                                 to_status=after) for kind, before, after in steps]

    def _actions(self, report, index, *, due_days, statuses):
        return [
            Action(health_check=report, number=number, owner_name="Deputy headteacher",
                   recommendation=f"Recommendation {number}: make the teaching of reading consistent in "
                                  "every class, with daily catch-up for pupils who fall behind.",
                   due_on=report.visit_start + datetime.timedelta(days=days + index % 30), status=status,
                   completed_on=report.visit_start + 30 * DAY if status == A.DONE else None)
            for number, (days, status) in enumerate(zip(due_days, statuses, strict=True), start=1)
        ]

    # Risks

    def _risk(self, academy, n, category, visibility, *, owner, closed=False):
        likelihood, impact = 1 + (n * 3) % 5, 1 + (n * 7 + n // 5) % 5
        risk = Risk(
            reference=f"n{uuid.uuid4().hex[:10]}", academy=academy, category=category, title=TITLES[category],
            description="Two terms above national; first-day calls not yet consistent.",
            likelihood=likelihood, impact=impact, owner=owner,
            mitigations="First-day calls and a weekly review with the hub lead.",
            review_frequency=FREQUENCIES[n % len(FREQUENCIES)],
            next_review_on=self.today + datetime.timedelta(days=n % 45 - 12),  # some overdue
            visibility=visibility, raised_by=self.executive,
            status=Risk.Status.CLOSED if closed else Risk.Status.OPEN,
            closed_on=self.today - 20 * DAY if closed else None,
        )
        risk.derive()
        return risk

    def _save_risks(self, risks):
        Risk.objects.bulk_create(risks, batch_size=1000)
        _number_risks(risks)
        events = []
        for n, risk in enumerate(risks):
            events.append(RiskEvent(risk=risk, kind=RiskEvent.Kind.RAISED, by=self.executive,
                                    reason="Raised at the hub meeting."))
            if n % 2:
                events.append(RiskEvent(risk=risk, kind=RiskEvent.Kind.REVIEWED, by=risk.owner,
                                        reason="Mitigations in place; no change to the rating.",
                                        changes={"next_review_on": ["", risk.next_review_on.isoformat()]}))
            if risk.status == Risk.Status.CLOSED:
                events.append(RiskEvent(risk=risk, kind=RiskEvent.Kind.CLOSED, by=risk.owner,
                                        reason="Resolved.", changes={"status": ["open", "closed"]}))
        RiskEvent.objects.bulk_create(events, batch_size=1000)
        self.risks += len(risks)
