"""The EES suspensions and permanent exclusions file, school level."""

from decimal import Decimal

import pytest

from academies.imports.pipeline import import_file
from academies.models import Comparator, ImportBatch, Result
from academies.models.results import Symbol
from tests.factories import AcademyFactory

GEOGRAPHY = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
             "old_la_code,new_la_code,la_name,school_laestab,school_urn,school_name,education_phase")
HEADER = GEOGRAPHY + (",headcount,suspension,susp_rate,one_plus_susp,one_plus_susp_rate,perm_excl,"
                      "perm_excl_rate")
PLACE = "E92000001,England,E12000008,South East,999,E06999999,Synthetic Borough"
# The rows of samples/synthetic_ees_exclusions_school.csv, as the file has them (CRLF).
SAMPLE_ROWS = [
    f"202425,Academic year,School,{PLACE},9992001,999101,Synthetic Meadow Primary Academy,"
    "State-funded primary,412,6,1.46,3,0.73,0,0.00",
    f"202425,Academic year,School,{PLACE},9994001,999102,Synthetic Vale Academy,"
    "State-funded secondary,1284,287,22.35,131,10.20,4,0.31",
    f"202425,Academic year,School,{PLACE},9992005,999105,Synthetic Riverside Academy,"
    "State-funded primary,0,0,x,0,x,0,x",
]
FIGURES_PER_SCHOOL = 6


def csv_file(header, rows):
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


SAMPLE = csv_file(HEADER, SAMPLE_ROWS)


@pytest.fixture
def academies(db):
    return {urn: AcademyFactory(urn=urn) for urn in ("999101", "999102", "999105")}


def run(data, name="exclusions.csv", **options):
    return import_file(data=data, file_name=name, **options)


def figure(urn, measure, year=2024):
    return Result.objects.get(academy__urn=urn, measure__code=measure, academic_year__start_year=year)


def assert_refused(batch, *reasons):
    assert batch.status == ImportBatch.Status.FAILED
    assert Result.objects.count() == 0
    text = " ".join(error["reason"] for error in batch.errors)
    for reason in reasons:
        assert reason in text


def test_the_sample_is_recognised_and_lands(academies):
    batch = run(SAMPLE)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ees_exclusions"
    assert batch.created == 3 * FIGURES_PER_SCHOOL
    vale = figure("999102", "suspension_rate")
    assert (vale.value, vale.state, vale.cohort, vale.source) == (Decimal("22.35"), "", 1284, "published")
    assert figure("999102", "suspensions").value == 287
    assert figure("999102", "pupils_suspended").value == 131
    assert figure("999102", "pupils_suspended_rate").value == Decimal("10.20")
    assert figure("999102", "permanent_exclusions").value == 4
    assert figure("999102", "permanent_exclusion_rate").value == Decimal("0.31")
    # A real zero stays a zero.
    assert figure("999101", "permanent_exclusion_rate").value == 0
    assert set(batch.academies.values_list("urn", flat=True)) == {"999101", "999102", "999105"}


def test_a_school_with_no_pupils_keeps_x_as_a_state_never_a_number(academies):
    run(SAMPLE)

    for measure in ("suspension_rate", "pupils_suspended_rate", "permanent_exclusion_rate"):
        rate = figure("999105", measure)
        assert (rate.value, rate.state, rate.raw) == (None, Symbol.UNAVAILABLE, "x")
    assert figure("999105", "suspensions").value == 0
    assert figure("999105", "suspensions").cohort == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(academies):
    run(SAMPLE)
    again = run(SAMPLE)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3 * FIGURES_PER_SCHOOL)
    assert Result.objects.count() == 3 * FIGURES_PER_SCHOOL


def test_a_dry_run_previews_and_writes_nothing(academies):
    batch = run(SAMPLE, dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.created == 3 * FIGURES_PER_SCHOOL
    assert Result.objects.count() == 0


def test_a_corrected_figure_updates_the_stored_one(academies):
    run(SAMPLE)
    corrected = [SAMPLE_ROWS[0].replace(",6,1.46,", ",7,1.70,"), *SAMPLE_ROWS[1:]]
    batch = run(csv_file(HEADER, corrected))

    assert (batch.created, batch.updated) == (0, 2)
    assert figure("999101", "suspension_rate").value == Decimal("1.70")
    assert Result.objects.count() == 3 * FIGURES_PER_SCHOOL


def test_older_files_with_fixed_period_exclusion_names_are_read_as_suspensions(academies):
    header = GEOGRAPHY + (",headcount,fixed_excl,fixed_excl_rate,one_plus_fixed,one_or_more_fixed_excl_rate,"
                          "perm_excl,perm_excl_rate")
    row = f"201819,Academic year,School,{PLACE},9992001,999101,Synthetic Meadow Primary Academy," \
          "State-funded primary,401,9,2.24,5,1.25,1,0.25"
    batch = run(csv_file(header, [row]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert figure("999101", "suspensions", 2018).value == 9
    assert figure("999101", "suspension_rate", 2018).value == Decimal("2.24")
    assert figure("999101", "pupils_suspended", 2018).value == 5
    assert figure("999101", "pupils_suspended_rate", 2018).value == Decimal("1.25")


def test_the_characteristics_spelling_one_plus_sign_is_understood(academies):
    header = HEADER.replace("one_plus_susp_rate", "one_+_susp_rate").replace("one_plus_susp,", "one_+_susp,")
    batch = run(csv_file(header, SAMPLE_ROWS[:1]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert figure("999101", "pupils_suspended").value == 3
    assert figure("999101", "pupils_suspended_rate").value == Decimal("0.73")


def test_rows_of_other_schools_are_left_out_and_national_rows_become_comparators(academies):
    other = SAMPLE_ROWS[0].replace("999101", "888001")
    national = ("202425,Academic year,National,E92000001,England,,,,,,,,,State-funded primary,"
                "4600000,450000,9.78,150000,3.26,4000,0.09")
    batch = run(csv_file(HEADER, [*SAMPLE_ROWS, other, national]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.skipped == 1
    assert not Result.objects.filter(academy__urn="888001").exists()
    england = Comparator.objects.get(area="national", measure__code="suspension_rate")
    assert england.value == Decimal("9.78")


def test_suppression_symbols_from_older_files_stay_states(academies):
    row = SAMPLE_ROWS[0].replace(",6,1.46,3,0.73,", ",SUPP,SUPP,.,.,")
    batch = run(csv_file(HEADER, [row]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert figure("999101", "suspensions").state == Symbol.SUPPRESSED
    assert figure("999101", "pupils_suspended_rate").state == Symbol.UNAVAILABLE
    assert Result.objects.filter(academy__urn="999101", value__isnull=True, state="").count() == 0


def test_text_in_a_rate_is_a_row_error_and_nothing_is_written(academies):
    rows = [SAMPLE_ROWS[0], SAMPLE_ROWS[1].replace(",22.35,", ",lots,")]
    batch = run(csv_file(HEADER, rows))

    assert_refused(batch, "not a number")
    error = batch.errors[0]
    assert (error["row"], error["column"], error["value"]) == (3, "susp_rate", "lots")


def test_text_in_the_headcount_is_a_row_error(academies):
    batch = run(csv_file(HEADER, [SAMPLE_ROWS[0].replace(",412,", ",four hundred,")]))

    assert_refused(batch, "not a number")
    assert (batch.errors[0]["row"], batch.errors[0]["column"]) == (2, "headcount")


def test_a_file_without_school_urn_is_refused(academies):
    header = HEADER.replace("school_urn", "school_ref")
    batch = run(csv_file(header, SAMPLE_ROWS))

    assert_refused(batch, "match none of the formats")


def test_an_empty_file_is_refused(academies):
    assert_refused(run(b"\r\n"), "empty")


def test_the_same_school_twice_with_different_figures_names_both_rows(academies):
    batch = run(csv_file(HEADER, [*SAMPLE_ROWS, SAMPLE_ROWS[1].replace(",287,", ",288,")]))

    assert_refused(batch, "same thing as row 3")
    assert batch.errors[0]["row"] == 5


def test_the_same_row_twice_with_the_same_figures_is_written_once(academies):
    batch = run(csv_file(HEADER, [*SAMPLE_ROWS, SAMPLE_ROWS[1]]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert Result.objects.count() == 3 * FIGURES_PER_SCHOOL
