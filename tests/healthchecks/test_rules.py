"""Rules over data that raise risks (healthchecks.rules): each finding is backed by stored
figures, never guessed, raised once, and raised again only on new evidence after its risk is
closed; imports and the data_changed signal run the rules for the academies they touched."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import QuerySet

from academies.imports.pipeline import import_file
from academies.models import Academy, Comparator, Inspection, Measure, Result
from academies.models.ofsted import InspectionJudgement
from academies.signals import data_changed
from healthchecks import rules
from healthchecks.models import HealthCheck, Risk, RiskEvent, RiskRule, Visibility
from healthchecks.risks import risk_close
from healthchecks.tasks import run_risk_rules
from tests.factories import Role
from tests.healthchecks.makers import make_health_check, make_rule
from trust.models import AcademicYear, Notification

R = Role
AUTUMN, SPRING, SUMMER = 1, 2, 3


def measure(code):
    return Measure.objects.get(code=code)


def year(start_year):
    return AcademicYear.objects.get_or_create(start_year=start_year)[0]


def figure(academy, start_year, term, value, *, code="persistent_absence", group="disadvantaged", state=""):
    return Result.objects.create(
        academy=academy, measure=measure(code), academic_year=year(start_year), term=term,
        pupil_group=group, value=None if value is None else Decimal(value),
        state=state or ("" if value is not None else "suppressed"), raw=state and "c",
    )


def national(start_year, term, value, *, code="persistent_absence", group="disadvantaged"):
    return Comparator.objects.create(
        area=Comparator.Area.NATIONAL, area_name="England", measure=measure(code),
        academic_year=year(start_year), term=term, pupil_group=group, value=Decimal(value),
    )


def absence_rule(**fields):
    defaults = {
        "name": "Persistent absence of disadvantaged pupils above national",
        "kind": RiskRule.Kind.MEASURE_VS_NATIONAL, "measure": measure("persistent_absence"),
        "pupil_group": "disadvantaged", "margin": Decimal("2"), "periods": 2, "termly": True,
        "category": "attendance", "likelihood": 4, "impact": 3,
    }
    return make_rule(**{**defaults, **fields})


def two_terms_above(academy):
    """Autumn and spring 2024/25: 5 and 6.5 points above national (margin 2)."""
    figure(academy, 2024, AUTUMN, "20.0")
    figure(academy, 2024, SPRING, "22.5")


@pytest.fixture
def nationals(db):
    for term, value in ((SUMMER, "15.0"), (AUTUMN, "15.0"), (SPRING, "16.0")):
        national(2023 if term == SUMMER else 2024, term, value)
    national(2024, SUMMER, "16.5")
    national(2025, AUTUMN, "15.5")


def raised():
    return list(Risk.objects.order_by("pk"))


# Measure worse than national


def test_two_terms_above_national_raise_one_risk_with_the_evidence(world, nationals):
    rule = absence_rule()
    two_terms_above(world.north_a)

    [risk] = rules.run()

    assert (risk.academy, risk.rule) == (world.north_a, rule)
    assert risk.rule_key == "persistent_absence:disadvantaged:2024-2"
    assert (risk.category, risk.likelihood, risk.impact, risk.score) == ("attendance", 4, 3, 12)
    assert risk.visibility == Visibility.SHARED
    assert risk.title == "Persistent absence (disadvantaged) above national for 2 terms running"
    assert "most recently Spring 2024/25 (22.5 against 16)" in risk.description
    shown = ("period", "measure", "pupil_group", "value", "national", "worse_by", "source")
    assert [{k: item[k] for k in shown} for item in risk.evidence] == [
        {"period": "Autumn 2024/25", "measure": "Persistent absence", "pupil_group": "Disadvantaged",
         "value": "20", "national": "15", "worse_by": "5", "source": "entered by hand"},
        {"period": "Spring 2024/25", "measure": "Persistent absence", "pupil_group": "Disadvantaged",
         "value": "22.5", "national": "16", "worse_by": "6.5", "source": "entered by hand"},
    ]
    [event] = risk.events.all()
    assert (event.kind, event.by, event.by_task) == (
        RiskEvent.Kind.RAISED_BY_RULE, None, "Rule: Persistent absence of disadvantaged pupils above national"
    )
    assert Notification.objects.filter(kind="risk.raised", title__startswith=risk.reference).exists()


def test_running_again_raises_nothing(world, nationals):
    absence_rule()
    two_terms_above(world.north_a)
    assert len(rules.run()) == 1
    assert rules.run() == []
    assert rules.run([world.north_a.pk]) == []
    assert Risk.objects.count() == 1
    assert RiskEvent.objects.count() == 1


def test_one_term_above_national_raises_nothing(world, nationals):
    absence_rule()
    figure(world.north_a, 2024, AUTUMN, "16.0")  # within the margin
    figure(world.north_a, 2024, SPRING, "22.5")
    assert rules.run() == []


def test_exactly_the_margin_is_not_more_than_it(world, nationals):
    absence_rule()
    figure(world.north_a, 2024, AUTUMN, "17.0")  # worse by exactly 2
    figure(world.north_a, 2024, SPRING, "22.5")
    assert rules.run() == []


def test_a_missing_comparator_is_never_guessed(world, db):
    absence_rule()
    national(2024, SPRING, "16.0")  # no national figure for the autumn
    two_terms_above(world.north_a)
    assert rules.run() == []


def test_a_comparator_for_another_group_is_not_used(world, db):
    absence_rule()
    national(2024, AUTUMN, "15.0", group="all")
    national(2024, SPRING, "16.0")
    two_terms_above(world.north_a)
    assert rules.run() == []


def test_a_suppressed_figure_raises_nothing(world, nationals):
    absence_rule()
    figure(world.north_a, 2024, AUTUMN, "20.0")
    figure(world.north_a, 2024, SPRING, None, state="suppressed")
    assert rules.run() == []


def test_terms_that_are_not_consecutive_raise_nothing(world, nationals):
    absence_rule()
    figure(world.north_a, 2024, AUTUMN, "20.0")
    figure(world.north_a, 2024, SUMMER, "22.5")
    assert rules.run() == []


def test_summer_to_autumn_runs_across_the_years(world, nationals):
    absence_rule()
    figure(world.north_a, 2023, SUMMER, "19.0")
    figure(world.north_a, 2024, AUTUMN, "20.0")
    [risk] = rules.run()
    assert [item["period"] for item in risk.evidence] == ["Summer 2023/24", "Autumn 2024/25"]


def test_whole_year_figures_do_not_count_for_a_termly_rule(world, nationals):
    absence_rule()
    figure(world.north_a, 2023, 0, "30.0")
    figure(world.north_a, 2024, AUTUMN, "20.0")
    national(2023, 0, "15.0")
    assert rules.run() == []


def test_a_new_term_while_the_risk_is_open_raises_nothing_new(world, nationals):
    absence_rule()
    two_terms_above(world.north_a)
    [first] = rules.run()
    figure(world.north_a, 2024, SUMMER, "23.0")
    assert rules.run() == []
    assert raised() == [first]


def test_after_closing_new_evidence_raises_a_new_risk_but_the_same_evidence_never_does(world, nationals):
    absence_rule()
    two_terms_above(world.north_a)
    [first] = rules.run()
    risk_close(risk=first, by=world[R.SIEL], reason="A plan is in place.")

    assert rules.run() == []  # the same evidence

    figure(world.north_a, 2024, SUMMER, "23.0")
    [second] = rules.run()
    assert second.rule_key == "persistent_absence:disadvantaged:2024-3"
    assert [item["period"] for item in second.evidence] == ["Spring 2024/25", "Summer 2024/25"]
    assert second.reference != first.reference
    assert rules.run() == []


def test_a_measure_where_higher_is_better_raises_below_national(world, db):
    absence_rule(name="Attendance below national", measure=measure("attendance"), pupil_group="all",
                 margin=Decimal("1"))
    for term, value, ours in ((AUTUMN, "94.5", "92.0"), (SPRING, "94.0", "92.5")):
        national(2024, term, value, code="attendance", group="all")
        figure(world.north_a, 2024, term, ours, code="attendance", group="all")
    # Well above national: never a risk however far.
    for term in (AUTUMN, SPRING):
        figure(world.north_b, 2024, term, "99.0", code="attendance", group="all")

    [risk] = rules.run()
    assert risk.academy == world.north_a
    assert risk.title == "Attendance (all pupils) below national for 2 terms running"
    assert [item["worse_by"] for item in risk.evidence] == ["2.5", "1.5"]


def test_whole_year_rules_read_whole_year_figures(world, db):
    absence_rule(termly=False, periods=2)
    for start_year, ours, nat in ((2022, "25", "20"), (2023, "26", "21")):
        figure(world.north_a, start_year, 0, ours)
        national(start_year, 0, nat)
    [risk] = rules.run()
    assert risk.rule_key == "persistent_absence:disadvantaged:2023-0"
    assert [item["period"] for item in risk.evidence] == ["2022/23", "2023/24"]
    assert risk.title.endswith("for 2 years running")


def test_the_evidence_names_the_imported_file(world, nationals, django_capture_on_commit_callbacks):
    absence_rule()
    rows = ["urn,academic_year,term,measure,pupil_group,value"]
    rows += [f"100001,2024/25,{term},persistent_absence,disadvantaged,{value}"
             for term, value in (("autumn", "20"), ("spring", "22.5"))]
    with django_capture_on_commit_callbacks(execute=False):
        batch = import_file(data="\r\n".join(rows).encode(), file_name="spring-absence.csv")
    assert batch.status == "succeeded", batch.errors
    [risk] = rules.run()
    assert {item["source"] for item in risk.evidence} == {"spring-absence.csv"}


def test_a_risk_another_run_raised_a_moment_ago_is_not_raised_again(world, nationals):
    absence_rule()
    two_terms_above(world.north_a)
    [first] = rules.run()
    risk_close(risk=first, by=world[R.SIEL], reason="A plan is in place.")
    told = Notification.objects.count()

    # This run's checks see nothing (as if the other run had not committed yet): the database
    # refuses the second risk with the same rule, academy and evidence, and nothing is left.
    with mock.patch.object(QuerySet, "exists", return_value=False):
        assert rules.run() == []
    assert raised() == [first]
    assert RiskEvent.objects.filter(kind=RiskEvent.Kind.RAISED_BY_RULE).count() == 1
    assert Notification.objects.count() == told


# Safeguarding and inspections


def inspection(academy, start_date=datetime.date(2025, 12, 1), grades=(), **fields):
    fields.setdefault("framework", "report_card" if start_date >= datetime.date(2025, 11, 10) else "graded")
    made = Inspection.objects.create(
        academy=academy, urn_at_inspection=academy.urn, start_date=start_date,
        inspection_number=f"10{start_date:%m%d}", **fields,
    )
    for area, grade in grades:
        InspectionJudgement.objects.create(inspection=made, area=area, grade=grade)
    return made


def safeguarding_rule(**fields):
    return make_rule(name="Safeguarding judged ineffective", kind=RiskRule.Kind.SAFEGUARDING,
                     category="safeguarding", likelihood=5, impact=5, **fields)


@pytest.mark.parametrize("judged", ["not_effective", "not_met"])
def test_safeguarding_ineffective_at_the_latest_inspection_raises_a_risk(world, judged):
    safeguarding_rule()
    found = inspection(world.north_a, safeguarding=judged)
    inspection(world.north_b, safeguarding="effective")
    inspection(world.south_a, safeguarding="met")

    [risk] = rules.run()
    assert (risk.academy, risk.rule_key, risk.rag) == (world.north_a, f"inspection:{found.uuid}", "red")
    assert risk.evidence[0]["source"] == "Ofsted inspection"
    assert risk.evidence[0]["date"] == "2025-12-01"
    assert rules.run() == []


def test_only_the_latest_inspection_counts_for_safeguarding(world):
    safeguarding_rule()
    inspection(world.north_a, start_date=datetime.date(2023, 5, 1), safeguarding="not_effective")
    inspection(world.north_a, start_date=datetime.date(2025, 12, 1), safeguarding="met")
    assert rules.run() == []


def test_safeguarding_not_met_at_a_published_health_check_raises_a_risk(world):
    safeguarding_rule()
    check = make_health_check(world.north_a, status=HealthCheck.Status.PUBLISHED, safeguarding="not_met")
    [risk] = rules.run()
    assert (risk.academy, risk.rule_key) == (world.north_a, f"healthcheck:{check.uuid}")
    assert risk.evidence == [{
        "source": "Health check", "date": "2025-11-12", "judgement": "Safeguarding: Not met",
        "health_check": str(check.uuid),
    }]


@pytest.mark.parametrize("status", ["draft", "submitted", "responded"])
def test_an_unpublished_health_check_does_not_count(world, status):
    safeguarding_rule()
    make_health_check(world.north_a, status=status, safeguarding="not_met")
    make_health_check(world.north_b, status="published", safeguarding="met")
    assert rules.run() == []


def concern_rule():
    return make_rule(name="Inspection a cause for concern", kind=RiskRule.Kind.OFSTED_CONCERN,
                     category="standards", likelihood=4, impact=5)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"category_of_concern": "special_measures"}, "Special measures"),
        ({"category_of_concern": "serious_weaknesses", "start_date": datetime.date(2023, 3, 1),
          "overall_effectiveness": "4"}, "Serious weaknesses"),
        ({"start_date": datetime.date(2023, 3, 1), "overall_effectiveness": "4"},
         "Overall effectiveness: Inadequate"),
        ({"start_date": datetime.date(2024, 10, 1), "grades": [("quality_of_education", "4")]},
         "Quality of education: Inadequate"),
        ({"grades": [("inclusion", "urgent_improvement"), ("achievement", "expected")]},
         "Inclusion: Urgent improvement"),
    ],
)
def test_a_category_of_concern_or_the_lowest_grade_raises_a_risk(world, fields, said):
    concern_rule()
    inspection(world.north_a, **fields)
    [risk] = rules.run()
    assert risk.academy == world.north_a
    assert said in [item["judgement"] for item in risk.evidence]
    assert said in risk.description


def test_an_inspection_without_concern_raises_nothing(world):
    concern_rule()
    inspection(world.north_a, grades=[("inclusion", "needs_attention"), ("achievement", "expected")])
    inspection(world.north_b, start_date=datetime.date(2023, 3, 1), overall_effectiveness="3")
    inspection(world.south_a, start_date=datetime.date(2021, 3, 1), category_of_concern="special_measures")
    inspection(world.south_a, start_date=datetime.date(2024, 3, 1), overall_effectiveness="2")
    assert rules.run() == []


# Which rules and which academies


def test_inactive_rules_do_nothing(world, nationals):
    absence_rule(active=False)
    safeguarding_rule(active=False)
    two_terms_above(world.north_a)
    inspection(world.north_a, safeguarding="not_met")
    assert rules.run() == []


def test_academies_that_left_are_ignored(world, nationals):
    absence_rule()
    safeguarding_rule()
    two_terms_above(world.north_b)
    inspection(world.north_b, safeguarding="not_met")
    Academy.objects.filter(pk=world.north_b.pk).update(
        status=Academy.Status.LEFT, date_left=datetime.date(2025, 8, 31)
    )
    assert rules.run() == []
    assert rules.run([world.north_b.pk]) == []


def test_a_run_for_some_academies_leaves_the_others(world, nationals):
    absence_rule()
    two_terms_above(world.north_a)
    two_terms_above(world.south_a)
    [risk] = rules.run([world.south_a.pk])
    assert risk.academy == world.south_a
    assert [r.academy for r in rules.run()] == [world.north_a]


def test_each_rule_raises_its_own_risk_about_the_same_academy(world, nationals):
    absence_rule()
    safeguarding_rule()
    two_terms_above(world.north_a)
    inspection(world.north_a, safeguarding="not_effective")
    assert sorted(r.category for r in rules.run()) == ["attendance", "safeguarding"]


def test_the_task_runs_the_rules(world, nationals, eager):
    absence_rule()
    two_terms_above(world.north_a)
    two_terms_above(world.north_b)
    assert run_risk_rules.delay([world.north_a.pk]).get() == 1
    assert run_risk_rules.delay([world.north_a.pk]).get() == 0
    assert run_risk_rules.delay().get() == 1
    assert sorted(r.academy.urn for r in raised()) == ["100001", "100002"]


# What runs them


def test_the_data_changed_signal_runs_the_rules_for_the_academies_touched_after_commit(
    world, nationals, eager, django_capture_on_commit_callbacks
):
    absence_rule()
    two_terms_above(world.north_a)
    two_terms_above(world.north_b)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data_changed.send(sender=Academy, academy_ids=[world.north_a.pk])
    assert len(callbacks) == 2  # the risk rules, then the tiers' recommendations
    assert raised() == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [r.academy for r in raised()] == [world.north_a]


def test_an_import_runs_the_rules_for_the_academies_it_touched(
    world, nationals, eager, django_capture_on_commit_callbacks
):
    absence_rule()
    two_terms_above(world.south_a)  # met too, but the import does not touch it
    rows = ["urn,academic_year,term,measure,pupil_group,value,national"]
    rows += [f"100001,2024/25,{term},persistent_absence,disadvantaged,{value},{nat}"
             for term, value, nat in (("autumn", "20", "15"), ("spring", "22.5", "16"))]

    with django_capture_on_commit_callbacks(execute=True):
        batch = import_file(data="\r\n".join(rows).encode(), file_name="absence-2024-25.csv")

    assert batch.status == "succeeded", batch.errors
    [risk] = raised()
    assert risk.academy == world.north_a
    assert {item["source"] for item in risk.evidence} == {"absence-2024-25.csv"}


def test_publishing_a_health_check_runs_the_rules_for_its_academy(
    world, eager, django_capture_on_commit_callbacks
):
    from healthchecks import services

    safeguarding_rule()
    check = make_health_check(world.north_a, status=HealthCheck.Status.RESPONDED, safeguarding="not_met")
    with django_capture_on_commit_callbacks(execute=True):
        services.health_check_publish(health_check=check, by=world[R.SIEL])
    [risk] = raised()
    assert risk.rule_key == f"healthcheck:{check.uuid}"
