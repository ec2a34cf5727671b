"""The recommendation engine, one rule kind at a time, then how the rules' lines combine. Each
test crafts the evidence and reads the trace a trustee would read, not only the tier."""

import datetime

import pytest

from academies.models import Academy
from academies.models.ofsted import Framework
from healthchecks.models import HealthCheck, Risk, Visibility
from tests.tiers.makers import (
    make_health_check,
    make_inspection,
    make_result,
    make_risk,
    only_rules,
    tier_rule,
)
from tiers import engine
from tiers.engine import Status
from tiers.models import RuleKind

K = RuleKind
TODAY = datetime.date(2026, 11, 20)
OFSTED_URL = "/academies/100001/ofsted/"
DATA_URL = "/academies/100001/data/"


def run(academy, *rules, today=TODAY):
    rules = list(rules)
    return engine.recommend(academy, rules, engine.Evidence([academy], rules, today))


def line_for(academy, rule, today=TODAY):
    return run(academy, rule, today=today).lines[0]


@pytest.fixture
def academy(world):
    only_rules()
    return world.north_a


# Inspections, in each framework


def test_graded_inspection_indicates_its_overall_grade(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="3", number="10234567")
    line = line_for(academy, tier_rule(K.INSPECTION, name="Latest Ofsted inspection"))
    assert line.status == Status.INDICATED
    assert line.tier == 3
    assert line.evidence == "Overall effectiveness: Requires improvement"
    assert line.date == "2023-03-15"
    assert line.source == "Ofsted inspection 10234567"
    assert line.threshold == "Overall effectiveness: Requires improvement → tier 3"
    assert line.url == OFSTED_URL
    assert "inspection of 15 March 2023" in line.explanation


def test_sub_judgements_without_an_overall_grade_indicate_the_lowest_area(academy):
    make_inspection(
        academy,
        start_date=datetime.date(2024, 10, 8),
        judgements=[
            ("quality_of_education", "2"),
            ("behaviour_and_attitudes", "3"),
            ("leadership_and_management", "2"),
        ],
    )
    line = line_for(academy, tier_rule(K.INSPECTION))
    assert line.tier == 3
    assert line.evidence == "Behaviour and attitudes: Requires improvement (lowest area)"
    assert "Sub-judgements without an overall grade" in line.explanation


@pytest.mark.parametrize(
    ("grades", "tier", "lowest"),
    [
        (["exceptional", "strong", "expected"], 2, "Achievement: Expected standard"),
        (["strong", "exceptional", "strong"], 1, "Inclusion: Strong standard"),
        (["expected", "needs_attention", "expected"], 3, "Curriculum and teaching: Needs attention"),
        (["expected", "strong", "urgent_improvement"], 4, "Achievement: Urgent improvement"),
    ],
)
def test_report_card_indicates_the_lowest_of_its_five_point_areas(academy, grades, tier, lowest):
    areas = ["inclusion", "curriculum_and_teaching", "achievement"]
    make_inspection(
        academy, start_date=datetime.date(2025, 12, 2), judgements=list(zip(areas, grades, strict=True))
    )
    line = line_for(academy, tier_rule(K.INSPECTION))
    assert line.tier == tier
    assert line.evidence == f"{lowest} (lowest area)"
    assert "Report card" in line.explanation


def test_a_category_of_concern_indicates_tier_4_whatever_the_grades(academy):
    make_inspection(
        academy,
        start_date=datetime.date(2024, 11, 12),
        judgements=[("quality_of_education", "3"), ("leadership_and_management", "3")],
        concern="serious_weaknesses",
    )
    line = line_for(academy, tier_rule(K.INSPECTION))
    assert line.tier == 4
    assert line.evidence == "Serious weaknesses"
    assert line.threshold == "Serious weaknesses → tier 4"


def test_a_later_ungraded_inspection_is_noted_beside_the_graded_one(academy):
    make_inspection(academy, start_date=datetime.date(2022, 1, 19), overall="2", framework=Framework.GRADED)
    make_inspection(
        academy,
        start_date=datetime.date(2025, 3, 5),
        graded=False,
        outcome_text="The school continues to be a good school",
    )
    line = line_for(academy, tier_rule(K.INSPECTION))
    assert line.tier == 2
    assert line.date == "2022-01-19"
    assert line.explanation.endswith(
        "An ungraded inspection of 5 March 2025 followed it (The school continues to be a good school)."
    )


def test_an_inspection_older_than_the_rule_reads_is_out_of_date(academy):
    make_inspection(academy, start_date=datetime.date(2020, 11, 19), overall="1", framework=Framework.GRADED)
    line = line_for(academy, tier_rule(K.INSPECTION, max_age_months=72))
    assert line.status == Status.OUT_OF_DATE
    assert line.tier is None
    assert line.explanation == (
        "The latest graded inspection of 19 November 2020 is older than the 72 months this rule reads."
    )
    # One day younger, and it counts.
    assert (
        line_for(academy, tier_rule(K.INSPECTION, max_age_months=72), today=TODAY.replace(day=19)).tier == 1
    )


def test_no_inspection_is_missing(academy):
    line = line_for(academy, tier_rule(K.INSPECTION))
    assert (line.status, line.tier) == (Status.MISSING, None)
    assert line.explanation == "No graded Ofsted inspection is recorded."


# Safeguarding at inspection


def test_effective_safeguarding_is_clear_and_adds_nothing(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="2", safeguarding="effective")
    line = line_for(academy, tier_rule(K.INSPECTION_SAFEGUARDING, decisive=True))
    assert (line.status, line.tier) == (Status.CLEAR, None)
    assert line.evidence == "Safeguarding: Effective"
    assert "adds nothing" in line.explanation


@pytest.mark.parametrize(
    ("start", "judgement", "label"),
    [
        (datetime.date(2024, 2, 7), "not_effective", "Not effective"),
        (datetime.date(2025, 12, 2), "not_met", "Not met"),
    ],
)
def test_unsafe_safeguarding_at_inspection_is_tier_4_and_decisive(academy, start, judgement, label):
    make_inspection(
        academy, start_date=start, overall="1" if start.year < 2024 else "", safeguarding=judgement
    )
    make_health_check(academy, judgements=[("leadership_and_governance", "exceptional")])
    safeguarding = tier_rule(K.INSPECTION_SAFEGUARDING, name="Safeguarding at inspection", decisive=True)
    leadership = tier_rule(K.HEALTH_CHECK_LEADERSHIP, name="Health check leadership", weight=3)
    outcome = run(academy, safeguarding, leadership)
    first = outcome.lines[0]
    assert (first.status, first.tier, first.evidence) == (Status.INDICATED, 4, f"Safeguarding: {label}")
    assert first.threshold == "Not effective or not met → tier 4"
    assert first.contribution == "tier 4 × weight 1; decisive: tier 4"
    assert outcome.lines[1].tier == 1
    # The weighted mean alone says tier 2 (1.75); the decisive line holds it at tier 4.
    assert outcome.weighted_mean == pytest.approx(1.75)
    assert (outcome.floor, outcome.tier) == (4, 4)


# Health checks: only published ones count


def test_health_check_indicates_its_lowest_area(academy):
    check = make_health_check(
        academy,
        visit_start=datetime.date(2026, 10, 6),
        visit_end=datetime.date(2026, 10, 7),
        judgements=[
            ("curriculum_and_teaching", "expected"),
            ("achievement", "needs_attention"),
            ("leadership_and_governance", "strong"),
        ],
    )
    line = line_for(academy, tier_rule(K.HEALTH_CHECK))
    assert line.tier == 3
    assert line.evidence == "Achievement: Needs attention (lowest of 3 areas)"
    assert line.source == "Health check of 6 to 7 October 2026"
    assert line.url == f"/health-checks/{check.uuid}/"


def test_draft_and_submitted_health_checks_are_ignored(academy):
    make_health_check(
        academy, visit_start=datetime.date(2026, 3, 10), judgements=[("achievement", "expected")]
    )
    for status in (HealthCheck.Status.DRAFT, HealthCheck.Status.SUBMITTED, HealthCheck.Status.RESPONDED):
        make_health_check(
            academy,
            status=status,
            visit_start=datetime.date(2026, 10, 6),
            judgements=[("achievement", "urgent_improvement")],
            safeguarding="not_met",
        )
    outcome = run(academy, tier_rule(K.HEALTH_CHECK), tier_rule(K.HEALTH_CHECK_SAFEGUARDING, decisive=True))
    assert [(line.tier, line.date) for line in outcome.lines] == [(2, "2026-03-10"), (None, "2026-03-10")]
    assert outcome.lines[1].status == Status.MISSING  # the published report did not judge it


def test_no_published_health_check_is_missing(academy):
    make_health_check(academy, status=HealthCheck.Status.DRAFT)
    line = line_for(academy, tier_rule(K.HEALTH_CHECK))
    assert (line.status, line.explanation) == (Status.MISSING, "No health check has been published.")


def test_health_check_leadership_reads_leadership_alone(academy):
    make_health_check(
        academy, judgements=[("achievement", "urgent_improvement"), ("leadership_and_governance", "strong")]
    )
    line = line_for(academy, tier_rule(K.HEALTH_CHECK_LEADERSHIP))
    assert (line.tier, line.evidence) == (1, "Leadership and governance: Strong standard")


def test_health_check_that_did_not_judge_leadership_is_missing_for_that_rule(academy):
    make_health_check(
        academy, visit_start=datetime.date(2026, 5, 4), judgements=[("achievement", "expected")]
    )
    line = line_for(academy, tier_rule(K.HEALTH_CHECK_LEADERSHIP))
    assert line.status == Status.MISSING
    assert line.explanation == "The health check of 4 May 2026 did not judge leadership."


@pytest.mark.parametrize(
    ("judgement", "status", "tier"), [("not_met", Status.INDICATED, 4), ("met", Status.CLEAR, None)]
)
def test_health_check_safeguarding(academy, judgement, status, tier):
    make_health_check(academy, safeguarding=judgement)
    line = line_for(academy, tier_rule(K.HEALTH_CHECK_SAFEGUARDING, decisive=True))
    assert (line.status, line.tier) == (status, tier)


def test_a_health_check_older_than_the_rule_reads_is_out_of_date(academy):
    make_health_check(academy, visit_start=datetime.date(2025, 5, 12))
    line = line_for(academy, tier_rule(K.HEALTH_CHECK, max_age_months=18))
    assert line.status == Status.OUT_OF_DATE
    assert "12 May 2025 is older than the 18 months" in line.explanation


# Measures against national


def attendance_rule(**fields):
    fields.setdefault("lead_from", "0.5")
    fields.setdefault("grow_from", "-1")
    fields.setdefault("reinvent_from", "-2.5")
    return tier_rule(K.MEASURE, name="Attendance against national", measure="attendance", **fields)


@pytest.mark.parametrize(
    ("value", "tier", "threshold"),
    [
        ("94.5", 1, "at least +0.5 → tier 1"),  # exactly on the tier 1 threshold
        ("94.4", 2, "at least -1 → tier 2"),
        ("93.0", 2, "at least -1 → tier 2"),  # exactly on the tier 2 threshold
        ("92.9", 3, "at least -2.5 → tier 3"),
        ("91.5", 3, "at least -2.5 → tier 3"),  # exactly on the tier 3 threshold
        ("91.4", 4, "below -2.5 → tier 4"),
    ],
)
def test_higher_is_better_measure_bands_at_each_threshold(academy, value, tier, threshold):
    make_result(academy, "attendance", 2025, value, national="94.0")
    line = line_for(academy, attendance_rule())
    assert (line.status, line.tier) == (Status.INDICATED, tier)
    assert line.threshold == f"Gap to national {threshold}"
    assert line.evidence == "Attendance (all pupils), 2025/26"
    assert line.url == DATA_URL


@pytest.mark.parametrize(
    ("value", "tier", "gap"),
    [("16.0", 1, "+2"), ("16.1", 2, "+1.9"), ("20.0", 2, "-2"), ("24.0", 3, "-6"), ("24.1", 4, "-6.1")],
)
def test_lower_is_better_measure_counts_below_national_as_better(academy, value, tier, gap):
    make_result(academy, "persistent_absence", 2025, value, national="18.0")
    rule = tier_rule(
        K.MEASURE,
        name="Persistent absence",
        measure="persistent_absence",
        lead_from=2,
        grow_from=-2,
        reinvent_from=-6,
    )
    line = line_for(academy, rule)
    assert line.tier == tier
    assert line.value == f"{gap} points against national"


def test_suspension_rate_is_compared_in_its_own_units(academy):
    make_result(academy, "suspension_rate", 2025, "10.0", national="2.0")
    rule = tier_rule(
        K.MEASURE, name="Suspensions", measure="suspension_rate", lead_from=2, grow_from=-2, reinvent_from=-8
    )
    line = line_for(academy, rule)
    assert line.tier == 3
    assert line.value == "-8 against national"
    assert "10.00 against 2.00 nationally, 8 worse than national: tier 3." in line.explanation


@pytest.mark.parametrize(
    ("before", "now", "tier", "says"),
    [
        ("91.0", "92.0", 2, "improved by 1 points since 2024/25: one tier better, tier 2."),
        ("93.5", "92.5", 4, "worsened by 1 points since 2024/25: one tier worse, tier 4."),
        ("92.3", "92.5", 3, "Change since 2024/25: +0.2 points, within the trend margin."),
        (
            "92.4",
            "93.9",
            2,
            "improved by 1.5 points since 2024/25: an improving trend alone never makes tier 1",
        ),
    ],
)
def test_trend_against_the_year_before(academy, before, now, tier, says):
    make_result(academy, "attendance", 2024, before, national="94.0")
    make_result(academy, "attendance", 2025, now, national="94.0")
    line = line_for(academy, attendance_rule(use_trend=True, trend_margin="0.5"))
    assert line.tier == tier
    assert says in line.explanation
    assert line.threshold.endswith("; trend ±0.5")


def test_trend_with_no_figure_for_the_year_before(academy):
    make_result(academy, "attendance", 2023, "90.0", national="94.0")  # two years before: not a trend
    make_result(academy, "attendance", 2025, "92.5", national="94.0")
    line = line_for(academy, attendance_rule(use_trend=True))
    assert line.tier == 3
    assert line.explanation.endswith("No figure for the year before, so no trend.")


def test_a_suppressed_figure_is_missing_not_zero(academy):
    make_result(academy, "attendance", 2024, "95.0", national="94.0")
    make_result(academy, "attendance", 2025, None, state="suppressed", national="94.0")
    line = line_for(academy, attendance_rule())
    assert (line.status, line.tier) == (Status.MISSING, None)
    assert line.explanation == "The 2025/26 figure was not published (suppressed (small numbers))."


def test_no_national_figure_is_missing(academy):
    make_result(academy, "attendance", 2025, "95.0")
    line = line_for(academy, attendance_rule())
    assert line.status == Status.MISSING
    assert line.explanation == "There is no national figure for 2025/26 to compare with."


def test_no_figure_at_all_is_missing(academy):
    line = line_for(academy, attendance_rule())
    assert (line.status, line.explanation) == (Status.MISSING, "No published attendance figure is stored.")


def test_a_measure_older_than_the_rule_reads_is_out_of_date(academy):
    make_result(academy, "attendance", 2023, "95.0", national="94.0")  # year ended 31 August 2024
    line = line_for(academy, attendance_rule(max_age_months=24))
    assert line.status == Status.OUT_OF_DATE
    assert "(2023/24) of 31 August 2024 is older than the 24 months" in line.explanation


def test_a_measure_for_another_phase_does_not_apply(world):
    only_rules()
    secondary = world.north_b
    secondary.phase = Academy.Phase.SECONDARY
    secondary.save()
    rule = tier_rule(
        K.MEASURE,
        measure="ks2_expected",
        year_group="KS2",
        subject="rwm",
        lead_from=5,
        grow_from=-3,
        reinvent_from=-10,
    )
    line = line_for(secondary, rule)
    assert (line.status, line.tier) == (Status.NOT_APPLICABLE, None)
    assert line.explanation.endswith("does not apply to a secondary academy.")
    assert engine.combine([line]).missing == []  # not applicable is not missing evidence


# Open risks


def risks_rule():
    return tier_rule(K.OPEN_RISKS, name="Open risks", lead_from=5, grow_from=12, reinvent_from=16)


def test_open_risks_read_the_highest_open_score_trust_only_included(world, academy):
    make_risk(academy, likelihood=3, impact=4)  # 12, shared
    worst = make_risk(
        academy, likelihood=4, impact=4, visibility=Visibility.TRUST_ONLY, title="Head's absence"
    )
    make_risk(academy, likelihood=5, impact=5, status=Risk.Status.CLOSED)  # 25, closed
    make_risk(world.north_b, likelihood=5, impact=5)  # another academy's
    line = line_for(academy, risks_rule())
    assert line.tier == 3  # 16 is exactly the tier 3 threshold
    worst.refresh_from_db()
    assert (
        line.explanation
        == f"2 open risks; the highest, {worst.reference} 'Head's absence', scores 16: tier 3."
    )
    assert line.threshold == "Highest score at most 16 → tier 3"
    assert line.url == f"/risks/{worst.uuid}/"


def test_no_open_risks_indicates_tier_1(academy):
    make_risk(academy, likelihood=5, impact=5, status=Risk.Status.CLOSED)
    line = line_for(academy, risks_rule())
    assert (line.tier, line.explanation) == (1, "No open risks: tier 1.")


# Combining the lines


def test_weighted_mean_rounds_half_up(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="2")
    make_health_check(academy, judgements=[("achievement", "needs_attention")])
    outcome = run(academy, tier_rule(K.INSPECTION), tier_rule(K.HEALTH_CHECK))
    assert str(outcome.weighted_mean) == "2.50"
    assert outcome.tier == 3  # a tie leans to more support
    assert [line.contribution for line in outcome.lines] == ["tier 2 × weight 1", "tier 3 × weight 1"]


def test_rounding_reads_the_exact_mean_not_the_mean_shown(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="2")
    make_health_check(academy, judgements=[("achievement", "needs_attention")])
    # (2 x 1.01 + 3 x 0.99) / 2 = 2.495: below the half, so tier 2, and shown as 2.49.
    outcome = run(academy, tier_rule(K.INSPECTION, weight="1.01"), tier_rule(K.HEALTH_CHECK, weight="0.99"))
    assert (str(outcome.weighted_mean), outcome.tier) == ("2.49", 2)


def test_a_weight_0_line_is_shown_but_not_counted(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="4")
    make_health_check(
        academy, judgements=[("achievement", "expected"), ("leadership_and_governance", "strong")]
    )
    outcome = run(
        academy,
        tier_rule(K.INSPECTION, weight=0),
        tier_rule(K.HEALTH_CHECK),
        tier_rule(K.HEALTH_CHECK_LEADERSHIP),
    )
    assert outcome.lines[0].tier == 4
    assert outcome.lines[0].contribution == "weight 0: shown, not counted"
    assert (str(outcome.weighted_mean), outcome.tier) == ("1.50", 2)


def test_fewer_than_two_indications_recommend_no_tier_and_say_what_is_missing(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="2")
    outcome = run(
        academy,
        tier_rule(K.INSPECTION, name="Latest Ofsted inspection"),
        tier_rule(K.HEALTH_CHECK, name="Latest health check"),
        attendance_rule(),
    )
    assert outcome.tier is None
    assert outcome.missing == ["Latest health check", "Attendance against national"]
    assert outcome.lines[0].status == Status.INDICATED


def test_inactive_rules_are_not_read(academy):
    active = tier_rule(K.INSPECTION, name="Latest Ofsted inspection", order=2)
    first = tier_rule(K.HEALTH_CHECK, name="Latest health check", order=1)
    tier_rule(K.OPEN_RISKS, name="Old risk rule", active=False, lead_from=5, grow_from=12, reinvent_from=16)
    assert engine.active_rules() == [first, active]


def test_the_same_evidence_gives_the_same_fingerprint_and_changed_evidence_another(academy):
    make_inspection(academy, start_date=datetime.date(2023, 3, 15), overall="2")
    make_result(academy, "attendance", 2025, "93.5", national="94.0")
    make_risk(academy, likelihood=2, impact=2)
    rules = [tier_rule(K.INSPECTION), attendance_rule(), risks_rule()]
    first = run(academy, *rules)
    again = run(academy, *rules, today=TODAY + datetime.timedelta(days=1))  # a day on, nothing new
    assert first.fingerprint() == again.fingerprint()
    assert first.trace == again.trace
    make_risk(academy, likelihood=4, impact=5)
    changed = run(academy, *rules)
    assert changed.fingerprint() != first.fingerprint()
    assert changed.lines[2].tier == 4
