"""Performance standards: each rule on crafted figures, the trust page and its numbers, scope,
editing, and the API."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from academies.models import Academy, PerformanceStandard, StrategicAim
from academies.standards import Status, Thresholds, evaluate
from academies.standards_seed import seed_standards
from tests.access_cases.data import make_comparator, make_inspection, make_result
from tests.factories import AcademyFactory, Role
from tests.utils import queries_for

TODAY = datetime.date(2025, 11, 20)  # 2025/26 is under way; 2024/25 is the latest published year
Rule = PerformanceStandard.Rule
STANDARDS = reverse("academies:standards")
SEEDED_TITLE = "Every pupil ready for their next stage"


def verdict(rule, academy, year=2024, **options):
    standard = PerformanceStandard(code="crafted", title="Crafted", rule=rule)
    return evaluate(standard, [academy], [year], today=TODAY, **options)[academy.pk][year]


def evidence(outcome):
    return [(e.what, e.figure, e.against, e.status) for e in outcome.evidence]


def secondary(academy, phase=Academy.Phase.SECONDARY):
    academy.phase = phase
    academy.save()
    return academy


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


# ---------------------------------------------------------------------------------------------
# The disadvantaged gap


@pytest.fixture
def others_nationally(db):
    make_comparator(value="67", pupil_group="not_disadvantaged")
    make_comparator("ks4_english_maths_4", value="72", subject="", pupil_group="not_disadvantaged")


def test_gap_closed_when_disadvantaged_pupils_match_other_pupils_nationally(world, others_nationally):
    make_result(world.north_a, value="68", pupil_group="disadvantaged")
    outcome = verdict(Rule.GAP_CLOSED, world.north_a)
    assert outcome.status == Status.MEETS
    assert evidence(outcome) == [(
        "KS2 expected standard, reading, writing and maths: disadvantaged", "68%",
        "England, not disadvantaged: 67%", Status.MEETS,
    )]


def test_gap_not_closed_when_disadvantaged_pupils_fall_short(world, others_nationally):
    make_result(world.north_a, value="52", pupil_group="disadvantaged")
    assert verdict(Rule.GAP_CLOSED, world.north_a).status == Status.NOT_MET


def test_a_trust_may_allow_a_margin_on_the_gap(world, others_nationally):
    make_result(world.north_a, value="64", pupil_group="disadvantaged")
    assert verdict(Rule.GAP_CLOSED, world.north_a).status == Status.NOT_MET
    outcome = verdict(Rule.GAP_CLOSED, world.north_a, thresholds=Thresholds(gap_margin=Decimal(3)))
    assert outcome.status == Status.MEETS
    assert "less 3 points allowed" in outcome.evidence[0].against


def test_a_suppressed_disadvantaged_figure_is_no_data_never_a_failure(world, others_nationally):
    make_result(world.north_a, value=None, pupil_group="disadvantaged")
    outcome = verdict(Rule.GAP_CLOSED, world.north_a)
    assert outcome.status == Status.NO_DATA
    assert outcome.evidence[0].figure == "c (suppressed (small numbers))"


def test_the_gap_of_a_secondary_is_english_and_maths_grade_4(world, others_nationally):
    academy = secondary(world.south_a)
    make_result(academy, "ks4_english_maths_4", value="70", subject="", pupil_group="disadvantaged")
    outcome = verdict(Rule.GAP_CLOSED, academy)
    assert outcome.status == Status.NOT_MET
    assert evidence(outcome)[0][:3] == ("English and maths grade 4 or above: disadvantaged", "70%",
                                        "England, not disadvantaged: 72%")


def test_figures_that_round_alike_are_shown_precisely_enough_to_tell_apart(world, others_nationally):
    make_result(world.north_a, value="66.6", pupil_group="disadvantaged")
    make_comparator(value="67.4", pupil_group="not_disadvantaged", start_year=2023)
    make_result(world.north_a, value="66.6", pupil_group="disadvantaged", start_year=2023)
    outcome = verdict(Rule.GAP_CLOSED, world.north_a, year=2023)
    assert outcome.status == Status.NOT_MET
    assert evidence(outcome)[0][1:3] == ("66.6%", "England, not disadvantaged: 67.4%")


def test_a_governor_gets_no_verdict_from_a_group_too_small_to_show(world, others_nationally):
    make_result(world.north_a, value="80", pupil_group="disadvantaged", cohort=4)
    assert verdict(Rule.GAP_CLOSED, world.north_a).status == Status.MEETS
    hidden = verdict(Rule.GAP_CLOSED, world.north_a, small_cohorts={world.north_a.pk: 5})
    assert hidden.status == Status.NO_DATA
    assert "80" not in hidden.evidence[0].figure


# ---------------------------------------------------------------------------------------------
# Ofsted


def test_outstanding_overall_meets_under_the_graded_framework(world):
    make_inspection(world.north_a, datetime.date(2023, 2, 6), overall_effectiveness="1")
    make_inspection(world.north_b, datetime.date(2023, 2, 6), overall_effectiveness="2")
    assert verdict(Rule.OFSTED_TOP, world.north_a).status == Status.MEETS
    outcome = verdict(Rule.OFSTED_TOP, world.north_b)
    assert outcome.status == Status.NOT_MET
    assert outcome.note == "Graded inspection, 6 February 2023"
    assert evidence(outcome) == [("Overall effectiveness", "Good (2)", "Outstanding (1)", Status.NOT_MET)]


def test_without_an_overall_grade_every_sub_judgement_must_be_outstanding(world):
    areas = ["quality_of_education", "behaviour_and_attitudes", "personal_development",
             "leadership_and_management"]
    make_inspection(world.north_a, datetime.date(2025, 1, 15), judgements=[(a, "1") for a in areas],
                    safeguarding="effective")
    make_inspection(world.north_b, datetime.date(2025, 1, 15),
                    judgements=[(a, "2" if a == "personal_development" else "1") for a in areas])
    assert verdict(Rule.OFSTED_TOP, world.north_a).status == Status.MEETS
    outcome = verdict(Rule.OFSTED_TOP, world.north_b)
    assert outcome.status == Status.NOT_MET
    assert ("Personal development", "Good (2)", "Outstanding (1)", Status.NOT_MET) in evidence(outcome)


REPORT_CARD_AREAS = ["inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour",
                     "personal_development_and_wellbeing", "leadership_and_governance"]


def report_card(academy, grades, safeguarding="met", start=datetime.date(2025, 11, 12)):
    return make_inspection(academy, start, safeguarding=safeguarding,
                           judgements=list(zip(REPORT_CARD_AREAS, grades, strict=True)))


def test_a_report_card_meets_with_every_area_exceptional_or_strong_and_safeguarding_met(world):
    report_card(world.north_a, ["exceptional", "strong", "strong", "exceptional", "strong", "strong"])
    outcome = verdict(Rule.OFSTED_TOP, world.north_a, year=2025)
    assert outcome.status == Status.MEETS
    assert outcome.note == "Report card, 12 November 2025"
    top = "Exceptional or Strong standard"
    assert evidence(outcome)[0] == ("Inclusion", "Exceptional", top, Status.MEETS)
    assert evidence(outcome)[-1] == ("Safeguarding", "Met", "Met", Status.MEETS)
    # A trust that asks for Exceptional alone.
    strict = verdict(Rule.OFSTED_TOP, world.north_a, year=2025,
                     thresholds=Thresholds(report_card_top=frozenset({"exceptional"})))
    assert strict.status == Status.NOT_MET


@pytest.mark.parametrize(("grades", "safeguarding"), [
    (["exceptional", "strong", "expected", "strong", "strong", "strong"], "met"),
    (["exceptional"] * 6, "not_met"),
])
def test_a_report_card_short_of_the_top_or_with_safeguarding_not_met_does_not_meet(
        world, grades, safeguarding):
    report_card(world.north_a, grades, safeguarding)
    assert verdict(Rule.OFSTED_TOP, world.north_a, year=2025).status == Status.NOT_MET


def test_the_inspection_that_counts_is_the_one_standing_at_the_end_of_the_year(world):
    make_inspection(world.north_a, datetime.date(2021, 3, 1), overall_effectiveness="2")
    report_card(world.north_a, ["exceptional"] * 6, start=datetime.date(2025, 11, 12))
    assert verdict(Rule.OFSTED_TOP, world.north_a, year=2024).status == Status.NOT_MET
    assert verdict(Rule.OFSTED_TOP, world.north_a, year=2025).status == Status.MEETS
    assert verdict(Rule.OFSTED_TOP, world.north_a, year=2019).status == Status.NO_DATA


def test_a_predecessor_schools_grade_stands_until_an_ungraded_visit_or_a_new_grade(world):
    make_inspection(world.north_a, datetime.date(2019, 5, 1), overall_effectiveness="1",
                    urn_at_inspection="123456")
    make_inspection(world.north_a, datetime.date(2023, 5, 1), graded=False,
                    outcome_text="Remains outstanding")
    outcome = verdict(Rule.OFSTED_TOP, world.north_a)
    assert outcome.status == Status.MEETS
    assert outcome.note == "Graded inspection, 1 May 2019, of the predecessor school (URN 123456)"


def test_an_academy_never_inspected_has_no_data(world):
    assert verdict(Rule.OFSTED_TOP, world.north_a).status == Status.NO_DATA


# ---------------------------------------------------------------------------------------------
# Permanent exclusions


@pytest.mark.parametrize(("measure", "value", "state", "expected"), [
    ("permanent_exclusions", "0", "", Status.MEETS),
    ("permanent_exclusions", "2", "", Status.NOT_MET),
    ("permanent_exclusion_rate", "0", "", Status.MEETS),
    ("permanent_exclusion_rate", "0.06", "", Status.NOT_MET),
    ("permanent_exclusion_rate", None, "low", Status.NOT_MET),  # rounds to zero, but is not zero
    ("permanent_exclusion_rate", None, "suppressed", Status.NO_DATA),
])
def test_permanent_exclusions(world, measure, value, state, expected):
    fields = {"state": state, "raw": state} if state else {}
    make_result(world.north_a, measure, value=value, subject="", **fields)
    assert verdict(Rule.NO_PERMANENT_EXCLUSIONS, world.north_a).status == expected


def test_no_exclusion_figures_is_no_data(world):
    outcome = verdict(Rule.NO_PERMANENT_EXCLUSIONS, world.north_a)
    assert outcome.status == Status.NO_DATA
    assert evidence(outcome)[0][1] == "No figure"


# ---------------------------------------------------------------------------------------------
# Every group above national


@pytest.fixture
def groups_nationally(db):
    for group, value in (("all", "61"), ("disadvantaged", "46"), ("boys", "58"), ("girls", "64")):
        make_comparator(value=value, pupil_group=group)


def test_every_group_at_or_above_its_national_figure_meets(world, groups_nationally):
    for group, value in (("all", "66"), ("disadvantaged", "46"), ("boys", "60"), ("girls", "70")):
        make_result(world.north_a, value=value, pupil_group=group)
    outcome = verdict(Rule.GROUPS_ABOVE_NATIONAL, world.north_a)
    assert outcome.status == Status.MEETS
    groups = [e.what.split(": ")[1] for e in outcome.evidence]
    assert groups == ["all pupils", "disadvantaged", "boys", "girls"]


def test_one_group_below_national_does_not_meet(world, groups_nationally):
    for group, value in (("all", "66"), ("disadvantaged", "40"), ("boys", "60")):
        make_result(world.north_a, value=value, pupil_group=group)
    outcome = verdict(Rule.GROUPS_ABOVE_NATIONAL, world.north_a)
    assert outcome.status == Status.NOT_MET
    assert [e.status for e in outcome.evidence] == [Status.MEETS, Status.NOT_MET, Status.MEETS]


def test_a_suppressed_group_is_left_out_and_all_suppressed_is_no_data(world, groups_nationally):
    make_result(world.north_a, value="66")
    make_result(world.north_a, value=None, pupil_group="girls")
    assert verdict(Rule.GROUPS_ABOVE_NATIONAL, world.north_a).status == Status.MEETS
    make_result(world.north_b, value=None)
    make_result(world.north_b, value=None, pupil_group="boys")
    assert verdict(Rule.GROUPS_ABOVE_NATIONAL, world.north_b).status == Status.NO_DATA


# ---------------------------------------------------------------------------------------------
# Behaviour and attendance


@pytest.fixture
def behaviour_nationally(db):
    make_comparator("attendance", value="93.5", subject="")
    make_comparator("suspension_rate", value="9.30", subject="")


def behaviour(academy, attendance="94.1", suspensions="8.00"):
    if attendance is not None:
        make_result(academy, "attendance", value=attendance, subject="")
    if suspensions is not None:
        make_result(academy, "suspension_rate", value=suspensions, subject="")


def test_attendance_above_and_suspensions_below_national_meets(world, behaviour_nationally):
    behaviour(world.north_a)
    outcome = verdict(Rule.BEHAVIOUR_AND_ATTENDANCE, world.north_a)
    assert outcome.status == Status.MEETS
    assert evidence(outcome) == [
        ("Attendance: all pupils", "94.1%", "England: 93.5%", Status.MEETS),
        ("Suspension rate: all pupils", "8.00 per 100 pupils", "England: 9.30 per 100 pupils", Status.MEETS),
    ]


def test_suspensions_above_national_do_not_meet(world, behaviour_nationally):
    behaviour(world.north_a, suspensions="9.80")
    assert verdict(Rule.BEHAVIOUR_AND_ATTENDANCE, world.north_a).status == Status.NOT_MET


def test_without_attendance_overall_absence_is_compared_lower_being_better(world, behaviour_nationally):
    make_comparator("absence_overall", value="6.5", subject="")
    behaviour(world.north_a, attendance=None)
    make_result(world.north_a, "absence_overall", value="7.2", subject="")
    outcome = verdict(Rule.BEHAVIOUR_AND_ATTENDANCE, world.north_a)
    assert outcome.status == Status.NOT_MET
    assert evidence(outcome)[0] == ("Overall absence: all pupils", "7.2%", "England: 6.5%", Status.NOT_MET)


def test_behaviour_without_a_suspension_figure_is_no_data(world, behaviour_nationally):
    behaviour(world.north_a, suspensions=None)
    assert verdict(Rule.BEHAVIOUR_AND_ATTENDANCE, world.north_a).status == Status.NO_DATA


# ---------------------------------------------------------------------------------------------
# Ready for the next stage


def test_a_primary_is_ready_at_or_above_national_in_reading_writing_and_maths(world):
    make_comparator(value="61")
    make_result(world.north_a, value="61")
    make_result(world.north_b, value="58")
    make_result(world.south_a, value=None)
    assert verdict(Rule.READY_FOR_NEXT_STAGE, world.north_a).status == Status.MEETS
    assert verdict(Rule.READY_FOR_NEXT_STAGE, world.north_b).status == Status.NOT_MET
    assert verdict(Rule.READY_FOR_NEXT_STAGE, world.south_a).status == Status.NO_DATA


def test_an_all_through_academy_is_judged_on_both_key_stages(world):
    academy = secondary(world.north_a, Academy.Phase.ALL_THROUGH)
    make_comparator(value="61")
    make_comparator("ks4_english_maths_4", value="65", subject="")
    make_result(academy, value="63")
    make_result(academy, "ks4_english_maths_4", value="60", subject="")
    outcome = verdict(Rule.READY_FOR_NEXT_STAGE, academy)
    assert outcome.status == Status.NOT_MET
    assert [e.status for e in outcome.evidence] == [Status.MEETS, Status.NOT_MET]


@pytest.mark.parametrize(("value", "minimum", "expected"), [
    ("72", None, Status.MEETS),
    ("65", None, Status.NOT_MET),
    ("65", Decimal(60), Status.MEETS),
    (None, None, Status.NO_DATA),
])
def test_a_special_school_is_ready_when_pupils_with_sen_make_expected_progress(
        world, value, minimum, expected):
    academy = secondary(world.north_a, Academy.Phase.SPECIAL)
    make_result(academy, "sen_progress", value=value, subject="")
    thresholds = Thresholds(sen_progress_minimum=minimum) if minimum is not None else Thresholds()
    outcome = verdict(Rule.READY_FOR_NEXT_STAGE, academy, thresholds=thresholds)
    assert outcome.status == expected
    assert outcome.evidence[0].against == f"at least {minimum or 70}%"


def test_every_academy_and_year_in_a_constant_number_of_queries(world, django_assert_num_queries):
    academies = [world.north_a, world.north_b, world.south_a, world.south_b]
    make_inspection(world.north_a, datetime.date(2023, 2, 6), overall_effectiveness="1")
    for academy in academies:
        for year in (2022, 2023, 2024):
            make_result(academy, value="60", start_year=year)
    standard = PerformanceStandard(code="crafted", title="Crafted", rule=Rule.OFSTED_TOP)
    # measures, results, England's figures, inspections, their judgements
    with django_assert_num_queries(5):
        outcomes = evaluate(standard, academies, [2022, 2023, 2024], today=TODAY)
    assert outcomes[world.north_a.pk][2024].status == Status.MEETS
    assert outcomes[world.north_b.pk][2022].status == Status.NO_DATA


# ---------------------------------------------------------------------------------------------
# The seeded standards


def test_the_five_aims_and_six_standards_are_there_from_the_start(db):
    assert StrategicAim.objects.count() == 5
    assert sorted(PerformanceStandard.objects.values_list("rule", flat=True)) == sorted(Rule.values)
    assert all(s.aim_id for s in PerformanceStandard.objects.all())


def test_seeding_again_never_overwrites_the_trusts_edits(db):
    PerformanceStandard.objects.filter(code="next-stage").update(title="Ready for secondary school")
    PerformanceStandard.objects.filter(code="ofsted-top").delete()
    StrategicAim.objects.filter(number=3).update(title="Our people")
    seed_standards()
    assert PerformanceStandard.objects.get(code="next-stage").title == "Ready for secondary school"
    assert not PerformanceStandard.objects.filter(code="ofsted-top").exists()
    assert StrategicAim.objects.get(number=3).title == "Our people"


# ---------------------------------------------------------------------------------------------
# The trust page


@pytest.fixture
def next_stage(world, frozen):
    """KS2 in 2023/24 and 2024/25: North A meets it both years, North B meets it in 2023/24 only,
    South A is suppressed in 2024/25 and South B has no figures at all."""
    for year, national in ((2023, "60"), (2024, "61")):
        make_comparator(value=national, start_year=year)
    make_result(world.north_a, value="64", start_year=2023)
    make_result(world.north_a, value="65", start_year=2024)
    make_result(world.north_b, value="62", start_year=2023)
    make_result(world.north_b, value="55", start_year=2024)
    make_result(world.south_a, value="61", start_year=2023)
    make_result(world.south_a, value=None, start_year=2024)


def section(page, code):
    body = page.content.decode()
    start = body.index(f'id="standard-{code}"')
    end = body.find("<section", start + 1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body[start:end if end > 0 else None]))


def test_the_page_says_who_meets_each_standard_and_the_trend(client, world, next_stage):
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(STANDARDS)
    assert page.status_code == 200
    ready = section(page, "next-stage")
    assert "In 2024/25" in ready
    assert re.search(r"Meet it \(1\) North A ", ready)
    assert re.search(r"Do not meet it \(1\) North B ", ready)
    assert re.search(r"No data \(2\) South A South B ", ready)
    # Academies by year: meeting, not meeting, no data.
    assert "2023/24 3 0 1" in ready and "2024/25 1 1 2" in ready
    assert reverse("academies:data", kwargs={"urn": world.north_a.urn}) in page.content.decode()


def test_the_page_filters_by_hub_and_phase(client, world, next_stage):
    client.force_login(world[Role.EXECUTIVE])
    south = section(client.get(STANDARDS, {"hub": "south"}), "next-stage")
    # South A's 2024/25 figure is suppressed, so the hub's latest verdict is from 2023/24.
    assert "North" not in south and "In 2023/24" in south
    assert re.search(r"Meet it \(1\) South A .*No data \(1\) South B ", south)
    secondary(world.north_b)
    primaries = section(client.get(STANDARDS, {"phase": "primary"}), "next-stage")
    assert "North B" not in primaries and re.search(r"Meet it \(1\) North A ", primaries)


def test_a_governor_sees_only_their_own_academy(client, world, next_stage):
    client.force_login(world[Role.GOVERNOR])
    page = client.get(STANDARDS)
    assert page.status_code == 200
    assert "of the 1 open academy in your view" in text(page)
    ready = section(page, "next-stage")
    assert re.search(r"Meet it \(1\) North A ", ready)
    assert "North B" not in text(page) and "South" not in text(page)
    assert "Edit" not in ready


def test_a_hub_lead_sees_their_hub(client, world, next_stage):
    client.force_login(world[Role.HUB_LEAD])
    ready = section(client.get(STANDARDS), "next-stage")
    assert re.search(r"Meet it \(1\) North A .*Do not meet it \(1\) North B ", ready)
    assert "South" not in ready


def test_the_standard_page_gives_each_academy_with_its_evidence(client, world, next_stage):
    client.force_login(world[Role.HEADTEACHER])
    page = client.get(reverse("academies:standard", kwargs={"code": "next-stage"}))
    assert page.status_code == 200
    body = text(page)
    assert "In 2024/25: 1 meets it, 0 do not, 0 without the data." in body
    assert "KS2 expected standard, reading, writing and maths: all pupils: 65% (needed: England: 61%)" in body
    assert "North B" not in body


def test_an_unknown_standard_is_not_found(client, world):
    client.force_login(world[Role.EXECUTIVE])
    assert client.get(reverse("academies:standard", kwargs={"code": "nothing"})).status_code == 404


def test_the_page_costs_the_same_queries_however_many_academies(client, world, next_stage):
    make_inspection(world.north_a, datetime.date(2023, 2, 6), overall_effectiveness="1")
    client.force_login(world[Role.EXECUTIVE])
    _, few = queries_for(client, STANDARDS)
    for n in range(20):
        academy = AcademyFactory(trust=world.trust, hub=world.south, urn=f"2000{n:02d}", name=f"More {n:02d}")
        make_result(academy, value="60", start_year=2024)
        make_result(academy, "attendance", value="95.0", subject="", start_year=2023)
        make_inspection(academy, datetime.date(2022, 5, 4), overall_effectiveness="2")
    response, many = queries_for(client, STANDARDS)
    assert section(response, "next-stage").count("More ") == 20
    # session, user, memberships, academies, standards, measures, results, England's figures,
    # inspections, their judgements, aims, unread notifications, hubs for the filter, session saved
    assert len(few) == len(many) == 14


# ---------------------------------------------------------------------------------------------
# Editing


def test_governors_and_headteachers_may_not_edit_a_standard(client, world):
    url = reverse("academies:standard-edit", kwargs={"code": "next-stage"})
    for role in (Role.GOVERNOR, Role.HEADTEACHER, Role.HUB_LEAD):
        client.force_login(world[role])
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "Changed", "rule": "gap_closed", "order": "1"}).status_code == 403
    assert PerformanceStandard.objects.get(code="next-stage").title == SEEDED_TITLE


def test_an_executive_edits_a_standard(client, world, frozen):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:standard-edit", kwargs={"code": "next-stage"})
    assert client.get(url).status_code == 200
    aim = StrategicAim.objects.get(number=5)
    response = client.post(url, {"title": "Ready for secondary school", "description": "At 11.",
                                 "aim": aim.pk, "rule": "ready_for_next_stage", "order": "1"}, follow=True)
    assert "The standard “Ready for secondary school” has been saved." in text(response)
    shown = section(response, "next-stage")
    assert "Aim 5: Effective leadership · Measured by: Ready for the next stage" in shown
    assert text(response).index("Ready for secondary school") < text(response).index("The disadvantaged gap")


def test_a_standard_without_a_title_is_refused_and_unchanged(client, world):
    client.force_login(world[Role.ADMINISTRATOR])
    url = reverse("academies:standard-edit", kwargs={"code": "next-stage"})
    response = client.post(url, {"title": "", "rule": "ready_for_next_stage", "order": "6"})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert f"Edit the standard “{SEEDED_TITLE}”" in text(response)
    assert PerformanceStandard.objects.get(code="next-stage").title == SEEDED_TITLE


def test_an_executive_edits_an_aim(client, world):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:aim-edit", kwargs={"number": 3})
    response = client.post(url, {"title": "Our people", "description": "Grow our own."}, follow=True)
    assert "Aim 3, “Our people”, has been saved." in text(response)
    assert "3. Our people" in text(response)


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_lists_each_standard_with_the_latest_counts_in_scope(client, world, next_stage):
    client.force_login(world[Role.EXECUTIVE])
    body = client.get(reverse("api:standard-list")).json()
    ready = next(s for s in body["results"] if s["code"] == "next-stage")
    assert ready["academic_year"] == "2024/25"
    assert ready["counts"] == {"meets": 1, "not_met": 1, "no_data": 2}
    assert ready["aim"] == {"number": 1, "title": "High-performing academies"}
    client.force_login(world[Role.GOVERNOR])
    body = client.get(reverse("api:standard-list")).json()
    ready = next(s for s in body["results"] if s["code"] == "next-stage")
    assert ready["counts"] == {"meets": 1, "not_met": 0, "no_data": 0}


def test_the_api_gives_each_academy_of_a_standard_with_its_evidence(client, world, next_stage):
    client.force_login(world[Role.HUB_LEAD])
    body = client.get(reverse("api:standard-detail", kwargs={"code": "next-stage"})).json()
    statuses = [(a["urn"], a["status"]) for a in body["academies"]]
    assert statuses == [("100001", "meets"), ("100002", "not_met")]
    assert body["academies"][1]["evidence"] == [{
        "what": "KS2 expected standard, reading, writing and maths: all pupils", "figure": "55%",
        "against": "England: 61%", "status": "not_met",
    }]
    assert [(y["academic_year"], y["meets"]) for y in body["trend"]][-2:] == [("2023/24", 2), ("2024/25", 1)]


def test_the_api_filters_and_refuses_an_unknown_phase(client, world, next_stage):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("api:standard-detail", kwargs={"code": "next-stage"})
    assert [a["urn"] for a in client.get(url, {"hub": "south"}).json()["academies"]] == ["100003", "100004"]
    response = client.get(url, {"phase": "college"})
    assert response.status_code == 400
    assert "Choose one of" in response.json()["phase"][0]
    assert client.get(reverse("api:standard-detail", kwargs={"code": "nothing"})).status_code == 404
