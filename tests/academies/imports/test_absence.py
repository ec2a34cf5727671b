"""The EES pupil absence file, school level, and attendance derived from it."""

from decimal import Decimal

import pytest

from academies.imports.pipeline import import_file
from academies.models import ImportBatch, Result
from academies.models.results import Symbol
from tests.factories import AcademyFactory

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,school_laestab,school_urn,school_name,education_phase,num_schools,"
    "enrolments,sess_possible,sess_overall,sess_authorised,sess_unauthorised,sess_overall_percent,"
    "sess_authorised_percent,sess_unauthorised_percent,enrolments_pa_10_exact,"
    "enrolments_pa_10_exact_percent,enrolments_pa_50_exact,enrolments_pa_50_exact_percent"
)
PLACE = "E92000001,England,E12000008,South East,999,E06999999,Synthetic Borough"
# The rows of samples/synthetic_ees_absence_school.csv, as the file has them (CRLF).
SAMPLE_ROWS = [
    f"202425,Academic year,School,{PLACE},9992001,999101,Synthetic Meadow Primary Academy,"
    "State-funded primary,1,398,250620,12530,9120,3410,5.0,3.6,1.4,54,13.6,3,0.8",
    f"202425,Academic year,School,{PLACE},9994001,999102,Synthetic Vale Academy,"
    "State-funded secondary,1,1187,727800,64460,42310,22150,8.9,5.8,3.0,301,25.4,38,3.2",
    f"202324,Academic year,School,{PLACE},9994001,999102,Synthetic Vale Academy,"
    "State-funded secondary,1,1176,722400,68780,43880,24900,9.5,6.1,3.4,322,27.4,41,3.5",
]
# overall, unauthorised, persistent and severe absence, and attendance derived from overall
FIGURES_PER_ROW = 5


def csv_file(header, rows):
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


SAMPLE = csv_file(HEADER, SAMPLE_ROWS)


@pytest.fixture
def academies(db):
    return {urn: AcademyFactory(urn=urn) for urn in ("999101", "999102")}


def run(data, name="absence.csv", **options):
    return import_file(data=data, file_name=name, **options)


def figure(urn, measure, year=2024):
    return Result.objects.get(academy__urn=urn, measure__code=measure, academic_year__start_year=year)


def test_the_sample_lands_with_attendance_as_100_less_overall_absence(academies):
    batch = run(SAMPLE)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ees_absence"
    assert batch.created == 3 * FIGURES_PER_ROW
    assert figure("999101", "absence_overall").value == Decimal("5.0")
    assert figure("999101", "attendance").value == Decimal("95.0")
    assert figure("999101", "persistent_absence").value == Decimal("13.6")
    assert figure("999101", "severe_absence").value == Decimal("0.8")
    assert figure("999101", "attendance").cohort == 398
    # Two years of one school are two figures, each in its own year.
    assert figure("999102", "attendance", 2024).value == Decimal("91.1")
    assert figure("999102", "attendance", 2023).value == Decimal("90.5")
    assert figure("999102", "absence_unauthorised", 2023).value == Decimal("3.4")


def test_importing_the_same_file_twice_changes_nothing_the_second_time(academies):
    run(SAMPLE)
    again = run(SAMPLE)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3 * FIGURES_PER_ROW)


def test_a_dry_run_writes_nothing(academies):
    batch = run(SAMPLE, dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert Result.objects.count() == 0


def test_suppressed_overall_absence_leaves_attendance_suppressed_not_100(academies):
    row = SAMPLE_ROWS[0].replace(",5.0,3.6,1.4,", ",c,3.6,1.4,")
    batch = run(csv_file(HEADER, [row]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    attendance = figure("999101", "attendance")
    assert (attendance.value, attendance.state) == (None, Symbol.SUPPRESSED)
    assert figure("999101", "absence_overall").raw == "c"


def test_text_in_overall_absence_is_a_row_error_and_nothing_is_written(academies):
    rows = [SAMPLE_ROWS[0], SAMPLE_ROWS[1].replace(",8.9,5.8,", ",high,5.8,")]
    batch = run(csv_file(HEADER, rows))

    assert batch.status == ImportBatch.Status.FAILED
    assert Result.objects.count() == 0
    error = batch.errors[0]
    assert (error["row"], error["column"], error["value"]) == (3, "sess_overall_percent", "high")
    assert "not a number" in error["reason"]


def test_a_file_without_school_urn_is_refused(academies):
    batch = run(csv_file(HEADER.replace("school_urn,", "school_ref,"), SAMPLE_ROWS))

    assert batch.status == ImportBatch.Status.FAILED
    assert "match none of the formats" in batch.errors[0]["reason"]
    assert Result.objects.count() == 0


def test_a_file_without_overall_absence_named_as_absence_is_refused(academies):
    header = HEADER.replace("sess_overall_percent", "sess_overall_pct")
    batch = run(csv_file(header, SAMPLE_ROWS), kind="ees_absence")

    assert batch.status == ImportBatch.Status.FAILED
    assert "does not have the columns" in batch.errors[0]["reason"]
    assert Result.objects.count() == 0


def test_a_file_with_a_byte_order_mark_is_read(academies):
    batch = run(b"\xef\xbb\xbf" + SAMPLE)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert figure("999101", "attendance").value == Decimal("95.0")


def test_text_in_enrolments_is_a_row_error(academies):
    batch = run(csv_file(HEADER, [SAMPLE_ROWS[0].replace(",398,", ",many,")]))

    assert batch.status == ImportBatch.Status.FAILED
    assert (batch.errors[0]["row"], batch.errors[0]["column"]) == (2, "enrolments")


def test_national_and_la_rows_give_attendance_comparators_too(academies):
    from academies.models import Comparator

    national = ("202425,Academic year,National,E92000001,England,,,,,,,,,State-funded primary,"
                "16000,1,1,1,1,1,5.5,4.0,1.5,1,14.0,1,1.0")
    local = (f"202425,Academic year,Local authority,{PLACE},,,,State-funded primary,"
             "40,1,1,1,1,1,6.1,4.2,1.9,1,16.2,1,1.3")
    batch = run(csv_file(HEADER, [*SAMPLE_ROWS, national, local]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    england = Comparator.objects.get(
        area="national", measure__code="attendance", academic_year__start_year=2024
    )
    assert england.value == Decimal("94.5")
    assert england.area_name == "England"
    borough = Comparator.objects.get(area="la", measure__code="attendance", academic_year__start_year=2024)
    assert borough.value == Decimal("93.9")
    assert borough.area_code == "999"
