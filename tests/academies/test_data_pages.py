"""An academy's results page, its Ofsted page and the measures catalogue, as people use them."""

import datetime
import re

import pytest
from django.urls import reverse

from academies.models import Comparator, ImportBatch, Inspection, Measure
from tests.access_cases.data import make_comparator, make_inspection, make_result
from tests.factories import Role
from tests.utils import queries_for
from trust.models import Membership

MINUS = "\N{MINUS SIGN}"


def data_url(academy, **params):
    url = reverse("academies:data", kwargs={"urn": academy.urn})
    return url, params


def ofsted_url(academy):
    return reverse("academies:ofsted", kwargs={"urn": academy.urn})


def text(response):
    """The page as a person reads it: tags gone, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def batch(file_name, day, academies=()):
    made = ImportBatch.objects.create(
        file_name=file_name, checksum="0" * 64, status=ImportBatch.Status.SUCCEEDED
    )
    ImportBatch.objects.filter(pk=made.pk).update(
        created_at=datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=datetime.UTC)
    )
    made.refresh_from_db()
    made.academies.set(academies)
    return made


def rows_with(page, *words):
    """The text of every table row containing all of `words`."""
    rows = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.content.decode(), flags=re.S))
    return [row for row in rows if all(w in row for w in words)]


def row_of(page, *words):
    found = rows_with(page, *words)
    assert found, f"no row with {words}"
    return found[0]


@pytest.fixture
def ks2(world):
    """North A's KS2 reading, writing and maths, with England and its local authority."""
    academy = world.north_a
    file = batch("england_ks2final.csv", datetime.date(2025, 12, 12), [academy])
    make_result(academy, value="64", cohort=58, batch=file)
    make_result(academy, value="52", cohort=20, pupil_group="disadvantaged", batch=file)
    make_result(academy, value="69", cohort=38, pupil_group="not_disadvantaged", batch=file)
    make_result(academy, "ks2_higher", value=None, cohort=58, batch=file)
    make_comparator(value="61")
    make_comparator(value="46", pupil_group="disadvantaged")
    make_comparator(value="67", pupil_group="not_disadvantaged")
    make_comparator(value="60", area="la", area_name="Testshire")
    return file


def test_the_data_page_shows_figures_with_comparators_and_where_they_came_from(client, world, ks2):
    client.force_login(world[Role.HEADTEACHER])
    page = client.get(*data_url(world.north_a))
    assert page.status_code == 200
    everyone = row_of(page, "KS2 expected standard", "All pupils")
    assert "64%" in everyone and "58" in everyone
    assert "61%" in everyone and "60%" in everyone  # England and the local authority
    assert "Above national (better)" in everyone
    assert "england_ks2final.csv, 12 Dec 2025" in everyone
    assert "Published statutory data" in everyone
    assert "Last upload: 12 December 2025 (england_ks2final.csv)" in text(page)


def test_the_disadvantaged_gap_is_shown_in_the_academy_nationally_and_against_national_others(
    client, world, ks2
):
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(*data_url(world.north_a))
    gap = row_of(page, "KS2 expected standard", "Gap: disadvantaged minus not disadvantaged")
    # 52 - 69 in the academy; 46 - 67 in England: a narrower gap than nationally.
    assert f"{MINUS}17 points" in gap and f"{MINUS}21 points" in gap
    assert "Above national (better)" in gap
    against = row_of(page, "Gap: disadvantaged minus national not disadvantaged")
    assert f"{MINUS}15 points" in against  # 52 - 67


def test_symbols_are_shown_as_dfe_codes_with_a_legend(client, world, ks2):
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(*data_url(world.north_a))
    higher = row_of(page, "KS2 higher standard")
    assert " c " in higher and "Suppressed (small numbers)" in higher
    legend = re.search(r'<dl class="row legend">(.*?)</dl>', page.content.decode(), flags=re.S)[1]
    assert [part.strip() for part in re.split(r"<[^>]+>", legend) if part.strip()] == [
        "c", "Suppressed (small numbers)"
    ]


def test_marks_respect_which_way_is_better_and_leave_context_unjudged(client, world):
    academy = world.north_a
    make_result(academy, "persistent_absence", value="20.0", subject="")
    make_comparator("persistent_absence", value="15.0", subject="")
    make_result(academy, "attendance", value="94.8", subject="")
    make_comparator("attendance", value="95.0", subject="")
    make_result(academy, "pupil_premium", value="36.0", subject="")
    make_comparator("pupil_premium", value="23.0", subject="")
    client.force_login(world[Role.GOVERNOR])
    page = client.get(*data_url(academy))
    assert "Above national (worse)" in row_of(page, "Persistent absence")
    assert "Close to national" in row_of(page, "94.8%")
    assert "No judgement: a context figure" in row_of(page, "Pupil premium")
    assert "Above national" not in row_of(page, "Pupil premium")


def test_a_governor_sees_small_groups_suppressed_and_an_executive_sees_the_figure(client, world, ks2):
    academy = world.north_a
    make_result(academy, value="45", cohort=4, pupil_group="eal")
    make_result(academy, value="33", cohort=3, pupil_group="disadvantaged", start_year=2023)
    make_result(academy, value="71", cohort=30, pupil_group="not_disadvantaged", start_year=2023)
    client.force_login(world[Role.GOVERNOR])
    page = client.get(*data_url(academy))
    eal = row_of(page, "English as an additional language")
    assert "45%" not in eal and " c " in eal and "5 or fewer" in eal
    assert "Hidden: the group is too small to report" in text(page)
    assert "45%" not in text(page) and "33%" not in text(page)
    # Last year's gap would give the hidden figure away beside the other group's: hidden too.
    assert f"{MINUS}38 points" not in text(page)

    client.force_login(world[Role.EXECUTIVE])
    page = client.get(*data_url(academy))
    assert "45%" in row_of(page, "English as an additional language")
    assert f"{MINUS}38 points" in text(page)


def test_a_governor_who_also_holds_a_trust_role_reads_with_it(client, world):
    make_result(world.north_a, value="45", cohort=4, pupil_group="eal")
    governor = world[Role.GOVERNOR]
    Membership.objects.create(user=governor, role=Role.TRUSTEE)
    client.force_login(governor)
    assert "45%" in text(client.get(*data_url(world.north_a)))


def _history(academy, years):
    for start_year in range(2024 - years + 1, 2025):
        for group, value in (("all", "64"), ("disadvantaged", "50"), ("not_disadvantaged", "70")):
            make_result(academy, value=value, cohort=30, pupil_group=group, start_year=start_year)
            known = Comparator.objects.filter(pupil_group=group, academic_year__start_year=start_year)
            if not known.exists():
                make_comparator(value="60", pupil_group=group, start_year=start_year)
        make_result(academy, "attendance", value="95.1", subject="", start_year=start_year)


def test_the_data_page_costs_the_same_queries_for_one_year_or_five(client, world):
    client.force_login(world[Role.GOVERNOR])
    _history(world.north_a, 1)
    _, one_year = queries_for(client, reverse("academies:data", kwargs={"urn": "100001"}))
    _history(world.north_b, 5)
    client.force_login(world[Role.EXECUTIVE])
    page, five_years = queries_for(client, reverse("academies:data", kwargs={"urn": "100002"}))
    assert "2020/21" in text(page)  # the trend reaches back
    # session, user, memberships, unread notifications, academy with trust and hub, results with
    # measures, years and imports, comparators, last upload, session save
    assert len(one_year) == len(five_years) == 9


def test_the_trend_shows_every_year_oldest_first(client, world):
    academy = world.north_a
    for start_year, value in ((2022, "58"), (2023, "61"), (2024, "64")):
        make_result(academy, value=value, start_year=start_year)
    client.force_login(world[Role.EXECUTIVE])
    row = row_of(client.get(*data_url(academy)), "KS2 expected standard", "All pupils")
    assert "2022/23 58% 2023/24 61% 2024/25 64%" in row


def test_filters_by_category_group_year_and_source(client, world, ks2):
    academy = world.north_a
    make_result(academy, "attendance", value="95.1", subject="")
    make_result(academy, value="58", start_year=2023)
    make_result(academy, "attainment_expected", value="77", subject="reading", year_group="Y3",
                source="in_year", term=2)
    client.force_login(world[Role.EXECUTIVE])

    page = text(client.get(*data_url(academy, category="attendance")))
    assert "95.1%" in page and "KS2 expected standard" not in page

    page = client.get(*data_url(academy, group="disadvantaged"))
    assert "52%" in row_of(page, "KS2 expected standard", "Disadvantaged")
    assert not rows_with(page, "All pupils") and not rows_with(page, "Not disadvantaged")
    assert rows_with(page, "Gap: disadvantaged minus not disadvantaged")  # the gap stays in view

    page = client.get(*data_url(academy, year="2023/24"))
    assert "KS2 expected standard" in row_of(page, "58%")
    assert "95.1%" not in text(page)

    page = text(client.get(*data_url(academy, source="in_year")))
    assert "77%" in page and "Reading, Year 3, Spring" in page and "64%" not in page

    page = client.get(*data_url(academy, year="2024/26"))
    assert page.status_code == 200
    assert "is not an academic year" in text(page)


def test_a_year_without_figures_says_so(client, world, ks2):
    client.force_login(world[Role.EXECUTIVE])
    page = text(client.get(*data_url(world.north_a, year="2019/20")))
    assert "There are no figures for the year you chose" in page
    assert "showing 2024/25" in page


def test_an_academy_without_results_says_so(client, world):
    client.force_login(world[Role.HEADTEACHER])
    page = text(client.get(*data_url(world.north_a)))
    assert "No results have been recorded for this academy yet." in page
    assert "No data has been imported for this academy yet." in page


def test_the_academy_page_links_to_its_data_and_summarises_it(client, world, ks2):
    make_inspection(world.north_a, datetime.date(2023, 2, 6), overall_effectiveness="2",
                    judgements=[("quality_of_education", "2")])
    client.force_login(world[Role.GOVERNOR])
    page = client.get(world.north_a.get_absolute_url())
    body = page.content.decode()
    assert reverse("academies:data", kwargs={"urn": "100001"}) in body
    assert reverse("academies:ofsted", kwargs={"urn": "100001"}) in body
    assert "Last upload 12 December 2025 (england_ks2final.csv)" in text(page)
    assert "Latest Ofsted 6 February 2023: Good" in text(page)


# --- Ofsted ------------------------------------------------------------------------------------


@pytest.fixture
def three_frameworks(world):
    academy = world.north_a
    make_inspection(
        academy, datetime.date(2019, 5, 14), urn_at_inspection="999003", overall_effectiveness="1",
        safeguarding="effective", judgements=[("quality_of_education", "1"), ("personal_development", "2")],
    )
    make_inspection(
        academy, datetime.date(2024, 10, 8), safeguarding="effective",
        category_of_concern="serious_weaknesses",
        judgements=[("quality_of_education", "3"), ("behaviour_and_attitudes", "2")],
    )
    return make_inspection(
        academy, datetime.date(2026, 1, 20), safeguarding="met",
        areas_for_improvement="Sharpen early reading.\nCheck attendance of disadvantaged pupils.",
        report_url="https://reports.ofsted.gov.uk/provider/21/100001",
        judgements=[("inclusion", "expected", datetime.date(2026, 1, 22)),
                    ("curriculum_and_teaching", "strong", datetime.date(2026, 1, 22))],
    )


def test_the_ofsted_page_shows_each_inspection_in_its_own_framework(client, world, three_frameworks):
    client.force_login(world[Role.GOVERNOR])
    page = text(client.get(ofsted_url(world.north_a)))
    newest, middle, oldest = (page.index(f"Inspection of {d}") for d in
                              ("20 January 2026", "8 October 2024", "14 May 2019"))
    assert newest < middle < oldest
    report_card, no_overall, graded = page[newest:middle], page[middle:oldest], page[oldest:]
    assert "Strong standard" in report_card and "Expected standard" in report_card
    assert "22 January 2026" in report_card  # each grade's own date
    assert "Safeguarding Met" in report_card
    assert "Sharpen early reading." in report_card
    assert "Read the report of 20 January 2026" in report_card
    assert "Next inspection due January 2030 (computed from this inspection)" in report_card
    assert "Not judged" in no_overall and "Requires improvement (3)" in no_overall
    assert "Category of concern Serious weaknesses" in no_overall
    assert "Outstanding (1)" in graded and "Safeguarding Effective" in graded
    assert "Inspection of predecessor school (URN 999003)" in graded
    assert "predecessor" not in report_card + no_overall
    assert "Save the date" not in page  # a governor may not override the date


def test_the_ofsted_page_costs_the_same_queries_however_many_inspections(client, world):
    client.force_login(world[Role.HEADTEACHER])
    make_inspection(world.north_a, judgements=[("quality_of_education", "2")])
    _, one = queries_for(client, ofsted_url(world.north_a))
    for n in range(6):
        make_inspection(world.north_a, datetime.date(2010 + n, 3, 1),
                        judgements=[("quality_of_education", "2"), ("personal_development", "1")])
    _, seven = queries_for(client, ofsted_url(world.north_a))
    # session, user, memberships, unread notifications, academy, inspections, their judgements,
    # SEF, session save
    assert len(one) == len(seven) == 10  # 9, and the latest health check for the third column


def due_url(inspection):
    return reverse("academies:inspection-next-due",
                   kwargs={"urn": inspection.academy.urn, "uuid": inspection.uuid})


def test_the_trust_overrides_when_the_next_inspection_is_due(client, world, three_frameworks):
    client.force_login(world[Role.DATA_MANAGER])
    assert "Save the date" in text(client.get(ofsted_url(world.north_a)))
    response = client.post(due_url(three_frameworks), {"next_due_override": "2027-03-01"})
    assert response.status_code == 302
    page = text(client.get(ofsted_url(world.north_a)))
    assert "Next inspection due March 2027 (set by the trust)" in page

    client.post(due_url(three_frameworks), {"next_due_override": ""})
    assert "January 2030 (computed from this inspection)" in text(client.get(ofsted_url(world.north_a)))


def test_a_next_due_date_before_the_inspection_is_refused(client, world, three_frameworks):
    client.force_login(world[Role.HUB_LEAD])
    response = client.post(due_url(three_frameworks), {"next_due_override": "2025-01-01"})
    assert response.status_code == 200
    assert "The next inspection is due after this one (20 January 2026)." in text(response)
    assert Inspection.objects.get(pk=three_frameworks.pk).next_due_override is None


def test_an_inspection_of_another_academy_is_not_found_under_this_one(client, world):
    inspection = make_inspection(world.south_a)
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:inspection-next-due", kwargs={"urn": "100001", "uuid": inspection.uuid})
    assert client.post(url, {"next_due_override": "2027-03-01"}).status_code == 404


# --- Measures ----------------------------------------------------------------------------------

MEASURES = reverse("academies:measures")


def measure_form(**changes):
    data = {"code": "reading_age_gap", "label": "Reading age gap", "category": "in_year", "unit": "score",
            "higher_is_better": "true", "phases": ["primary"], "decimal_places": "1", "description": ""}
    data.update(changes)
    return data


def test_everyone_reads_the_catalogue_but_only_the_trust_adds_to_it(client, world):
    client.force_login(world[Role.GOVERNOR])
    page = text(client.get(MEASURES))
    assert "Persistent absence" in page and "Lower is better" in page
    assert "Add a measure" not in page
    client.force_login(world[Role.DATA_MANAGER])
    assert "Add a measure" in text(client.get(MEASURES))


def test_the_trust_adds_its_own_measure(client, world):
    client.force_login(world[Role.EXECUTIVE])
    response = client.post(MEASURES, measure_form())
    assert response.status_code == 302
    measure = Measure.objects.get(code="reading_age_gap")
    assert measure.trust_defined and measure.higher_is_better is True and measure.phases == ["primary"]
    assert "Reading age gap Trust's own" in text(client.get(MEASURES))


def test_a_duplicate_code_is_refused_and_nothing_is_added(client, world):
    client.force_login(world[Role.ADMINISTRATOR])
    before = Measure.objects.count()
    response = client.post(MEASURES, measure_form(code="Attendance", label="Another attendance"))
    assert response.status_code == 200
    assert "A measure with this code already exists" in text(response)
    assert Measure.objects.count() == before
    assert Measure.objects.get(code="attendance").label == "Attendance"


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    administrator = world[Role.ADMINISTRATOR]
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    return client


def test_the_admin_lists_performance_data_for_administrators(admin_client, world, ks2):
    inspection = make_inspection(world.north_a, judgements=[("quality_of_education", "2")])
    for model in ("measure", "result", "comparator", "inspection", "sefjudgement", "importbatch"):
        assert admin_client.get(reverse(f"admin:academies_{model}_changelist")).status_code == 200, model
    change = admin_client.get(reverse("admin:academies_inspection_change", args=[inspection.pk]))
    assert "Quality of education" in change.content.decode()  # the judgements, inline


def test_imports_are_read_only_in_the_admin(admin_client, world, ks2):
    assert admin_client.get(reverse("admin:academies_importbatch_add")).status_code == 403
    url = reverse("admin:academies_importbatch_change", args=[ks2.pk])
    response = admin_client.post(url, {"file_name": "renamed.csv"})
    assert response.status_code == 403
    assert ImportBatch.objects.get(pk=ks2.pk).file_name == "england_ks2final.csv"


def test_seeded_measures_are_shown_not_edited_in_the_admin(admin_client, world):
    attendance = Measure.objects.get(code="attendance")
    url = reverse("admin:academies_measure_change", args=[attendance.pk])
    admin_client.post(url, {"code": "attendance", "label": "Renamed", "category": "attendance",
                            "unit": "percent", "phases": "[]", "decimal_places": "1", "order": "0"})
    assert Measure.objects.get(code="attendance").label == "Attendance"
