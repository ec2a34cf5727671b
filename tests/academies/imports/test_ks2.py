"""KS2 results: the legacy wide performance-tables file and the EES long file, from the synthetic
samples (tests/samples, copied from shared/samples) and from malformed versions of them."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest

from academies.imports.formats import format_for
from academies.imports.pipeline import import_file
from academies.imports.reading import read_table
from academies.models import Comparator, ImportBatch, Result
from academies.models.results import Symbol
from tests.factories import AcademyFactory
from trust.models import AcademicYear

# The synthetic samples of shared/samples, kept in the repository so a newcomer's clone tests too.
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
LEGACY = "synthetic_england_ks2final.csv"
EES = "synthetic_ees_ks2_school_attainment.csv"
# Rows as a spreadsheet numbers them: the header is row 1.
MEADOW_ROW, RIVERSIDE_ROW = 2, 4


def sample(name):
    return (SAMPLES / name).read_bytes()


def table(name, encoding):
    """The sample as a header and rows of cells, to make malformed versions of it."""
    rows = list(csv.reader(io.StringIO(sample(name).decode(encoding), newline="")))
    return rows[0], rows[1:]


def to_csv(header, rows, encoding):
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


ENCODINGS = {LEGACY: "cp1252", EES: "utf-8"}


def changed(name, change):
    """A sample in its own encoding, with `change(header, rows)` applied first."""
    header, rows = table(name, ENCODINGS[name])
    change(header, rows)
    return to_csv(header, rows, ENCODINGS[name])


def legacy(change):
    return changed(LEGACY, change)


def ees(change):
    return changed(EES, change)


def set_cell(header, row, column, value):
    row[header.index(column)] = value


def copies(source, *cells):
    """A change that appends copies of row `source`, one for each {column: value} of `cells`."""
    def change(header, rows):
        for values in cells:
            row = list(rows[source])
            for column, value in values.items():
                set_cell(header, row, column, value)
            rows.append(row)
    return change


def year(start):
    return AcademicYear.for_date(datetime.date(start, 9, 1))


@pytest.fixture
def academies(db):
    return {urn: AcademyFactory(urn=urn, la_code="999") for urn in ("999101", "999103", "999105")}


def run_legacy(data=None, *, start=2022, **options):
    return import_file(data=sample(LEGACY) if data is None else data, file_name="england_ks2final.csv",
                       year=year(start) if start else None, **options)


def run_ees(data=None, **options):
    return import_file(data=sample(EES) if data is None else data,
                       file_name="ks2_school_attainment_data.csv", **options)


RUN = {LEGACY: run_legacy, EES: run_ees}


def result(urn, measure, subject="", group="all", start=2022, **dimensions):
    return Result.objects.get(academy__urn=urn, measure__code=measure, subject=subject, pupil_group=group,
                              academic_year__start_year=start, **dimensions)


def nothing_written():
    return not Result.objects.exists() and not Comparator.objects.exists()


def errors_of(batch):
    return [(e["row"], e["column"], e["value"]) for e in batch.errors]


# --- the legacy wide file ----------------------------------------------------------------------

def test_legacy_sample_lands_as_the_given_year(academies):
    batch = run_legacy()

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ks2_legacy"
    rwm = result("999101", "ks2_expected", "rwm")
    assert (rwm.value, rwm.raw, rwm.cohort) == (Decimal(64), "64%", 58)
    assert result("999101", "ks2_higher", "rwm").value == Decimal(9)
    assert result("999101", "ks2_expected", "reading").value == Decimal(76)
    assert result("999101", "ks2_higher", "writing").value == Decimal(49)
    assert result("999101", "ks2_expected", "maths").value == Decimal(94)
    assert result("999101", "ks2_expected", "gps").value == Decimal(43)
    assert result("999101", "ks2_expected", "science").value == Decimal(76)
    assert result("999101", "ks2_scaled_score", "reading").value == Decimal(106)
    assert result("999101", "ks2_scaled_score", "maths").value == Decimal(105)
    assert result("999101", "ks2_progress", "reading").value == Decimal("1.23")
    assert result("999101", "ks2_progress", "maths").value == Decimal("-2.26")
    # The disadvantaged share of the year 6 cohort, kept apart from a whole-school census figure.
    assert result("999101", "pupil_premium", year_group="KS2").value == Decimal(72)


def test_legacy_pupil_groups_carry_their_own_cohorts(academies):
    run_legacy()

    disadvantaged = result("999101", "ks2_expected", "rwm", "disadvantaged")
    others = result("999101", "ks2_expected", "rwm", "not_disadvantaged")
    assert (disadvantaged.value, disadvantaged.cohort) == (Decimal(52), 8)
    assert (others.value, others.cohort) == (Decimal(69), 18)
    assert result("999101", "ks2_expected", "rwm", "boys").value == Decimal(75)
    assert result("999101", "ks2_higher", "rwm", "high_prior").value == Decimal(85)
    assert result("999101", "ks2_expected", "rwm", "eal").cohort == 10
    assert result("999101", "ks2_progress", "writing", "non_mobile").value == Decimal("-2.00")
    assert result("999101", "ks2_scaled_score", "gps", "disadvantaged").value == Decimal(101)


def test_earlier_years_in_the_legacy_file_are_not_taken_for_the_given_year(academies):
    batch = run_legacy()

    # PTRWM_EXP_22 is 89% and PTRWM_EXP_19 52%: neither is this year's, nor stored as a year of its own.
    assert result("999101", "ks2_expected", "rwm").value == Decimal(64)
    assert not Result.objects.exclude(academic_year__start_year=2022).exists()
    assert any("2018/19, 2021/22" in note for note in batch.notes)


def test_a_small_school_keeps_suppressed_states_never_zeros(academies):
    run_legacy()

    figures = Result.objects.filter(academy__urn="999103").exclude(measure__code="pupil_premium")
    assert figures.count() > 100
    assert set(figures.values_list("state", flat=True)) == {Symbol.SUPPRESSED}
    assert set(figures.values_list("raw", flat=True)) == {"SUPP"}
    assert not figures.filter(value__isnull=False).exists()
    assert result("999103", "ks2_expected", "rwm").cohort == 8


def test_low_coverage_progress_is_a_state(academies):
    run_legacy()

    progress = result("999105", "ks2_progress", "reading")
    assert (progress.value, progress.state, progress.raw) == (None, Symbol.LOW_COVERAGE, "LOWCOV")
    assert result("999105", "ks2_expected", "rwm").value == Decimal(47)


def test_the_la_row_becomes_the_la_comparator(academies):
    run_legacy()

    la = Comparator.objects.get(area="la", measure__code="ks2_expected", subject="rwm", pupil_group="all")
    assert (la.area_code, la.area_name, la.value) == ("999", "Synthetic Borough", Decimal(60))
    assert la.academic_year.start_year == 2022
    progress = Comparator.objects.get(area="la", measure__code="ks2_progress", subject="reading",
                                      pupil_group="all")
    assert progress.value == Decimal("2.63")


def test_national_rows_give_the_state_funded_comparator(academies):
    national = copies(3, *({"RECTYPE": rectype, "LEA": "", "PTRWM_EXP": figure}  # 3 is the LA row
                          for rectype, figure in (("4", "61%"), ("5", "62%"))))

    batch = run_legacy(legacy(national))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    england = Comparator.objects.get(area="national", measure__code="ks2_expected", subject="rwm",
                                     pupil_group="all")
    assert (england.value, england.area_name) == (Decimal(62), "England")
    assert any("state-funded" in note for note in batch.notes)


def test_schools_and_las_outside_the_trust_are_left_out(db):
    AcademyFactory(urn="999101", la_code="998")

    batch = run_legacy()

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.skipped == 3  # two other schools and an LA none of the trust's academies is in
    assert set(Result.objects.values_list("academy__urn", flat=True)) == {"999101"}
    assert not Comparator.objects.exists()


def test_legacy_without_a_year_is_refused_asking_for_it(academies):
    batch = run_legacy(start=None)

    assert batch.status == ImportBatch.Status.FAILED
    assert "give the year" in batch.errors[0]["reason"]
    assert nothing_written()


def test_a_year_no_later_than_the_files_earlier_years_is_refused(academies):
    batch = run_legacy(start=2021)

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == [(None, "TELIG_22", "")]
    assert "2021/22" in batch.errors[0]["reason"]
    assert nothing_written()


def test_a_percentage_in_a_score_column_is_an_error(academies):
    batch = run_legacy(legacy(lambda header, rows: set_cell(header, rows[2], "READ_AVERAGE", "105%")))

    assert errors_of(batch) == [(RIVERSIDE_ROW, "READ_AVERAGE", "105%")]
    assert nothing_written()


def test_a_trust_school_with_an_unknown_record_type_is_an_error(academies):
    batch = run_legacy(legacy(lambda header, rows: set_cell(header, rows[0], "RECTYPE", "")))

    assert errors_of(batch) == [(MEADOW_ROW, "RECTYPE", "")]
    assert nothing_written()


# --- the EES long file -------------------------------------------------------------------------

def test_ees_sample_lands_by_subject_and_pupil_group(academies):
    batch = run_ees()

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ees_ks2"
    reading = result("999101", "ks2_expected", "reading", start=2024)
    assert (reading.value, reading.raw) == (Decimal(78), "78")
    assert result("999101", "ks2_higher", "reading", start=2024).value == Decimal(7)
    assert result("999101", "ks2_scaled_score", "reading", start=2024).value == Decimal(105)
    assert result("999101", "ks2_scaled_score", "gps", "disadvantaged", start=2024).value == Decimal(108)
    assert result("999101", "ks2_expected", "rwm", start=2024).value == Decimal(90)
    assert result("999101", "ks2_expected", "rwm", "disadvantaged", start=2024).value == Decimal(60)
    assert result("999101", "ks2_expected", "rwm", "not_disadvantaged", start=2024).value == Decimal(81)
    assert result("999101", "ks2_expected", "writing", "disadvantaged", start=2024).value == Decimal(58)


def test_ees_progress_z_stays_not_applicable_and_c_suppressed(academies):
    run_ees()

    progress = result("999101", "ks2_progress", "maths", start=2024)
    assert (progress.value, progress.state, progress.raw) == (None, Symbol.NOT_APPLICABLE, "z")
    small = Result.objects.filter(academy__urn="999103").exclude(measure__code="ks2_progress")
    # 5 subjects x 3 groups x expected and higher standard, and 3 groups x reading, maths and GPS scores
    assert small.count() == 5 * 3 * 2 + 3 * 3
    assert set(small.values_list("state", flat=True)) == {Symbol.SUPPRESSED}
    assert not Result.objects.filter(academy__urn="999103", value__isnull=False).exists()


def test_ees_figures_dfe_never_publishes_are_not_stored(academies):
    run_ees()

    # Writing has no scaled score and the combined measure no progress score: their z is layout.
    assert not Result.objects.filter(measure__code="ks2_scaled_score", subject="writing").exists()
    assert not Result.objects.filter(measure__code="ks2_progress", subject="rwm").exists()


def test_ees_three_year_averages_are_left_out_and_noted(academies):
    batch = run_ees()

    assert not Result.objects.filter(value=63).exists()
    assert result("999101", "ks2_expected", "rwm", start=2024).value == Decimal(90)
    assert any("2 row(s) of 3-year averages" in note for note in batch.notes)


def test_ees_with_a_byte_order_mark_lands_the_same(academies):
    batch = run_ees(b"\xef\xbb\xbf" + sample(EES))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert result("999101", "ks2_expected", "rwm", start=2024).value == Decimal(90)


def test_ees_la_and_national_rows_become_comparators(academies):
    areas = copies(12, *(  # 12 is reading, writing and maths for all pupils
        {"geographic_level": level, "school_urn": "", "expected_standard_pupil_percent": figure}
        for level, figure in (("Local authority", "61"), ("National", "62"), ("Regional", "63"))))

    batch = run_ees(ees(areas))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    comparators = Comparator.objects.filter(measure__code="ks2_expected", subject="rwm")
    assert {(c.area, c.area_code, c.area_name, c.value) for c in comparators} == {
        ("la", "999", "Synthetic Borough", Decimal(61)), ("national", "", "England", Decimal(62)),
    }


def test_ees_unknown_pupil_groups_are_noted_not_guessed(academies):
    def mobile(header, rows):
        set_cell(header, rows[1], "breakdown_topic", "Mobility status")
        set_cell(header, rows[1], "breakdown", "Mobile")

    batch = run_ees(ees(mobile))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert not Result.objects.filter(academy__urn="999101", subject="reading",
                                     pupil_group="disadvantaged").exists()
    assert "Pupil groups not imported: Mobility status: Mobile" in batch.notes


# --- both files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [LEGACY, EES])
def test_a_dry_run_writes_nothing_and_a_second_import_changes_nothing(academies, name):
    preview = RUN[name](dry_run=True)
    assert (preview.status, nothing_written()) == (ImportBatch.Status.PREVIEWED, True)

    first = RUN[name]()
    again = RUN[name]()

    assert first.created == preview.created > 0
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


@pytest.mark.parametrize(("name", "urn"), [(LEGACY, "999105"), (EES, "999103")])
def test_an_academy_data_manager_gets_only_their_academy_from_a_national_file(academies, name, urn):
    batch = RUN[name](scope_academy=academies[urn])

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert set(Result.objects.values_list("academy__urn", flat=True)) == {urn}


@pytest.mark.parametrize(("name", "index", "column", "row"), [
    (LEGACY, 0, "PTRWM_EXP", MEADOW_ROW),
    (EES, 3, "higher_standard_pupil_percent", 5),
])
def test_text_in_a_number_column_names_row_column_value_and_changes_nothing(academies, name, index,
                                                                              column, row):
    RUN[name]()
    before = list(Result.objects.order_by("pk").values_list("pk", "value", "state", "batch"))

    batch = RUN[name](changed(name, lambda header, rows: set_cell(header, rows[index], column, "sixty")))

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == [(row, column, "sixty")]
    assert "not a number" in batch.errors[0]["reason"]
    assert list(Result.objects.order_by("pk").values_list("pk", "value", "state", "batch")) == before


@pytest.mark.parametrize(("name", "column"), [(LEGACY, "URN"), (EES, "school_urn")])
def test_a_file_without_its_urn_column_is_refused(academies, name, column):
    def drop(header, rows):
        at = header.index(column)
        for line in [header, *rows]:
            del line[at]

    batch = RUN[name](changed(name, drop))

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["reason"] == f"the column {column!r} is missing"
    assert nothing_written()


@pytest.mark.parametrize(("name", "column", "figure", "row"), [
    (LEGACY, "PTRWM_EXP", "65%", 6),
    (EES, "expected_standard_pupil_percent", "79", 34),
])
def test_duplicate_rows_with_different_figures_are_an_error(academies, name, column, figure, row):
    batch = RUN[name](changed(name, copies(0, {column: figure})))

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == [(row, "", figure)]
    assert "as row 2" in batch.errors[0]["reason"]
    assert nothing_written()


@pytest.mark.parametrize("name", [LEGACY, EES])
def test_a_file_with_a_header_and_no_rows_is_refused(academies, name):
    batch = RUN[name](changed(name, lambda header, rows: rows.clear()))

    assert batch.status == ImportBatch.Status.FAILED
    assert "no rows" in batch.errors[0]["reason"]


@pytest.mark.parametrize("name", [LEGACY, EES])
@pytest.mark.parametrize("data", [b"", b"\r\n\r\n"])
def test_an_empty_file_is_refused(academies, name, data):
    batch = RUN[name](data)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["reason"] == "The file is empty."
    assert nothing_written()



@pytest.mark.parametrize(("name", "kind"), [
    (LEGACY, "ks2_legacy"),
    (EES, "ees_ks2"),
    ("synthetic_ees_absence_school.csv", "ees_absence"),
])
def test_each_file_is_recognised_from_its_header(name, kind):
    keys = ["urn", "rectype", "school_urn", "time_period"]

    assert format_for(read_table(sample(name), name, key_columns=keys)).kind == kind
