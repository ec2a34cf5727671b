"""What a trust starts with: the four tiers in the product's own words (modelled on the trust's
school-improvement model) and a set of engine rules. Both are trust data, edited after."""

from decimal import Decimal

from django.db import transaction

from .models import Cadence, Descriptor, Entitlement, LedBy, RuleKind, SupportKind, TierDefinition, TierRule

A = "attendance"
T = "teaching"
AS = "assessment"
L = "leadership"
B = "behaviour"
S = "staffing"
SG = "safeguarding"
R = "research"
K = SupportKind
C = Cadence

TIERS = {
    1: {
        "name": "Lead",
        "led_by": LedBy.ACADEMY,
        "summary": "A strong academy that sustains high standards and lends its expertise to the rest of the trust.",
        "descriptors": [
            (B, "High aspiration runs through everyday life; pupils' attitudes are exemplary because shared expectations are applied consistently."),
            (B, "Relationships are strong: staff and pupils feel part of both their academy and the trust."),
            (T, "An ambitious curriculum is taught expertly, so pupils, including the disadvantaged and those with SEND, achieve highly year after year."),
            (AS, "Outcomes are consistently above national for every group of pupils."),
            (A, "Attendance is above national and persistent absence below it."),
            (S, "Staff morale is high and few staff leave."),
            (R, "Every member of staff takes part in research and development."),
            (L, "Leaders build new expertise and offer capacity to the wider trust; governance is strong and built to last."),
            (SG, "A highly effective culture of safeguarding runs through the academy."),
        ],
        "support": [
            (K.MASTER_PLAN, C.ONGOING, "A two-to-five-year master plan for the academy's future."),
            (K.DEVELOPMENT_PLAN, C.ONGOING, "A development plan built around a few big priorities that keep the academy at the top."),
            (K.RISK_REVIEW, C.TERMLY, "The academy's live risks reviewed with the trust each term."),
            (K.CEO_ONE_TO_ONE, C.FOUR_WEEKLY, "A one-to-one with the CEO every four teaching weeks."),
            (K.HEALTH_CHECK, C.ANNUALLY, "One external health check a year from the School Improvement Executive Lead."),
            (K.CHALLENGE_PARTNER, C.ONGOING, "A challenge partnership with an outstanding provider."),
            (K.NETWORKS, C.ONGOING, "Leads and takes part in the trust's networks."),
            (K.STRATEGIC_CAPACITY, C.ONGOING, "Builds expertise that the trust and the city can draw on."),
        ],
    },
    2: {
        "name": "Grow",
        "led_by": LedBy.ACADEMY,
        "summary": "A secure academy close to national, growing towards the top judgement with the trust's help.",
        "descriptors": [
            (A, "Attendance and persistent absence are close to the national averages."),
            (T, "An ambitious curriculum is taught through consistently strong teaching; the few weaker pockets are known and being tackled."),
            (AS, "Test and examination results are close to national, with isolated areas below."),
            (L, "Leaders are moving from running day-to-day operations to assuring quality."),
            (L, "Governors hold leaders to account consistently and well."),
            (R, "Whole-school programmes support research and development."),
            (B, "Secure routines are in place, so low-level disruption is rare."),
            (SG, "Safeguarding is effective."),
        ],
        "support": [
            (K.MASTER_PLAN, C.ONGOING, "A two-to-five-year master plan for the academy's future."),
            (K.DEVELOPMENT_PLAN, C.ONGOING, "A development plan built around a few big moves that take the academy to the top judgement."),
            (K.RISK_REVIEW, C.TERMLY, "The academy's live risks reviewed with the trust each term."),
            (K.CEO_ONE_TO_ONE, C.FOUR_WEEKLY, "A one-to-one with the CEO every four teaching weeks."),
            (K.HEALTH_CHECK, C.ANNUALLY, "One external health check a year from the School Improvement Executive Lead."),
            (K.CHALLENGE_PARTNER, C.ONGOING, "A challenge partnership with an outstanding provider."),
            (K.NETWORKS, C.ONGOING, "Gives to and draws on the trust's networks."),
            (K.IMPROVEMENT_TEAM, C.ONGOING, "Support from the trust's school-improvement team where it is needed."),
        ],
    },
    3: {
        "name": "Reinvent",
        "led_by": LedBy.ACADEMY,
        "summary": "An academy below national in important areas but improving, led by its own leaders with more of the trust's support and challenge.",
        "descriptors": [
            (A, "Attendance and persistent absence are below the national averages but improving."),
            (T, "Teaching is improving and weak practice is being dealt with."),
            (T, "A broad and ambitious curriculum is being put in place."),
            (AS, "Assessments show improvement, though not yet consistently; national results take longer to move."),
            (L, "Leaders are taking practical steps to build a consistent culture."),
            (B, "The culture is improving, but low-level disruption is still seen and suspensions may remain above national."),
            (S, "Some staff resist change and HR casework rises."),
            (R, "Early research and development projects have begun."),
            (SG, "Safeguarding is effective, and leaders act promptly on any weakness found."),
        ],
        "support": [
            (K.MASTER_PLAN, C.ONGOING, "A two-to-five-year master plan for the academy's future."),
            (K.DEVELOPMENT_PLAN, C.ONGOING, "A comprehensive development plan covering every priority needed to secure a good inspection outcome."),
            (K.RISK_REVIEW, C.HALF_TERMLY, "The academy's live risks reviewed with the trust every half term."),
            (K.CEO_ONE_TO_ONE, C.FORTNIGHTLY, "A one-to-one with the CEO every two teaching weeks."),
            (K.HEALTH_CHECK, C.TWICE_A_YEAR, "Two external health checks a year from the School Improvement Executive Lead."),
            (K.NATIONAL_PROGRAMMES, C.ONGOING, "A place on national DfE improvement programmes where they fit the academy's priorities."),
            (K.IMPROVEMENT_TEAM, C.ONGOING, "Regular support from the trust's school-improvement team."),
            (K.NETWORKS, C.ONGOING, "Gives to and draws on the trust's networks."),
            (K.GOVERNOR_COMMITTEE, C.HALF_TERMLY, "A governors' challenge and improvement committee every half term."),
            (K.BOARD_REVIEW, C.TERMLY, "The Trust Board reviews the academy's standards and progress in detail every term."),
        ],
    },
    4: {
        "name": "Stabilise",
        "led_by": LedBy.TRUST,
        "summary": "An academy where the trust takes the lead to bring about rapid improvement.",
        "descriptors": [
            (A, "Attendance and persistent absence are below, or well below, the national averages."),
            (T, "Teaching is weak and staff get little or no professional development."),
            (AS, "Assessment shows little improvement, or standards are falling."),
            (L, "Leadership is unstable, or governance does not hold anyone to account."),
            (B, "Behaviour is poor and suspensions and exclusions are well above national."),
            (S, "Staff absence is high and good staff are hard to recruit or keep."),
            (SG, "Safeguarding arrangements are not effective."),
        ],
        "support": [
            (K.STATEMENT_OF_ACTION, C.ONCE, "A trust-led statement of action for rapid improvement, in place within four weeks."),
            (K.EXECUTIVE_LEADERS, C.ONGOING, "Trust executive leaders deployed to put proven, standard policies in place where they are needed."),
            (K.RISK_REVIEW, C.FOUR_WEEKLY, "The academy's live risks reviewed with the trust every four teaching weeks."),
            (K.CEO_ONE_TO_ONE, C.WEEKLY, "A one-to-one with the CEO every week."),
            (K.HEALTH_CHECK, C.TERMLY, "An external health check every term from the School Improvement Executive Lead."),
            (K.IMPROVEMENT_TEAM, C.ONGOING, "Intensive support from the trust's school-improvement team."),
            (K.NETWORKS, C.ONGOING, "Support from the trust's networks."),
            (K.GOVERNOR_COMMITTEE, C.FORTNIGHTLY, "A trust-led challenge and improvement committee every fortnight, with external education leaders on it."),
            (K.BOARD_REVIEW, C.TERMLY, "The Trust Board reviews the academy's standards and progress in detail every term."),
        ],
    },
}


@transaction.atomic
def seed_definitions(year):
    """The four tiers for `year` in the product's default wording."""
    for number, tier in TIERS.items():
        definition = TierDefinition.objects.create(
            academic_year=year, number=number, name=tier["name"], led_by=tier["led_by"], summary=tier["summary"]
        )
        Descriptor.objects.bulk_create(
            Descriptor(definition=definition, area=area, text=text, order=i)
            for i, (area, text) in enumerate(tier["descriptors"])
        )
        Entitlement.objects.bulk_create(
            Entitlement(definition=definition, kind=kind, cadence=cadence, description=text, order=i)
            for i, (kind, cadence, text) in enumerate(tier["support"])
        )


D = Decimal
# name, kind, weight, decisive, measure code, pupil group, year group, subject,
# lead_from, grow_from, reinvent_from, use trend, trend margin, max age (months)
RULES = [
    ("Latest Ofsted inspection", RuleKind.INSPECTION, D(2), True, "", "", "", "", None, None, None, False, D(1), 72),
    ("Safeguarding at the latest inspection", RuleKind.INSPECTION_SAFEGUARDING, D(1), True, "", "", "", "", None, None, None, False, D(1), 72),
    ("Latest health check: lowest area", RuleKind.HEALTH_CHECK, D(2), False, "", "", "", "", None, None, None, False, D(1), 18),
    ("Latest health check: leadership and governance", RuleKind.HEALTH_CHECK_LEADERSHIP, D(1), False, "", "", "", "", None, None, None, False, D(1), 18),
    ("Latest health check: safeguarding", RuleKind.HEALTH_CHECK_SAFEGUARDING, D(1), True, "", "", "", "", None, None, None, False, D(1), 18),
    ("Attendance against national", RuleKind.MEASURE, D(1), False, "attendance", "all", "", "", D("0.5"), D("-1"), D("-2.5"), True, D("0.5"), 24),
    ("Persistent absence against national", RuleKind.MEASURE, D(1), False, "persistent_absence", "all", "", "", D(2), D(-2), D(-6), True, D(1), 24),
    ("Attendance of disadvantaged pupils against national", RuleKind.MEASURE, D("0.5"), False, "attendance", "disadvantaged", "", "", D(0), D("-1.5"), D("-3.5"), False, D(1), 24),
    ("KS2 reading, writing and maths against national", RuleKind.MEASURE, D("1.5"), False, "ks2_expected", "all", "KS2", "rwm", D(5), D(-3), D(-10), True, D(3), 24),
    ("KS2 reading, writing and maths: disadvantaged pupils", RuleKind.MEASURE, D(1), False, "ks2_expected", "disadvantaged", "KS2", "rwm", D(0), D(-8), D(-18), False, D(3), 24),
    ("KS2 reading, writing and maths: pupils with SEN", RuleKind.MEASURE, D("0.5"), False, "ks2_expected", "sen", "KS2", "rwm", D(0), D(-8), D(-18), False, D(3), 24),
    ("Attainment 8 against national", RuleKind.MEASURE, D("1.5"), False, "ks4_attainment8", "all", "KS4", "", D(3), D(-2), D(-6), True, D(1), 24),
    ("Attainment 8: disadvantaged pupils", RuleKind.MEASURE, D(1), False, "ks4_attainment8", "disadvantaged", "KS4", "", D(0), D(-6), D(-12), False, D(1), 24),
    ("Suspensions against national", RuleKind.MEASURE, D(1), False, "suspension_rate", "all", "", "", D(2), D(-2), D(-8), False, D(1), 24),
    ("Open risks by score", RuleKind.OPEN_RISKS, D(1), False, "", "", "", "", D(5), D(12), D(16), False, D(1), 0),
]


@transaction.atomic
def seed_rules():
    """The default rules, when the trust has none. Returns how many were created."""
    from academies.models import Measure

    if TierRule.objects.exists():
        return 0
    measures = {m.code: m for m in Measure.objects.all()}
    rules = []
    for order, row in enumerate(RULES):
        (name, kind, weight, decisive, code, group, year_group, subject,
         lead, grow, reinvent, trend, margin, age) = row
        if code and code not in measures:
            continue
        rules.append(TierRule(
            name=name, kind=kind, weight=weight, decisive=decisive, measure=measures.get(code),
            pupil_group=group or "all", year_group=year_group, subject=subject, lead_from=lead,
            grow_from=grow, reinvent_from=reinvent, use_trend=trend, trend_margin=margin,
            max_age_months=age, order=order,
        ))
    TierRule.objects.bulk_create(rules)
    return len(rules)
