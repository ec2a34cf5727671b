"""The trust's own template: downloaded, filled in, imported."""

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from academies.imports.cells import CellError
from academies.imports.formats.trust_template import (
    EXAMPLE_ROWS,
    EXAMPLE_URN,
    TEMPLATE_COLUMNS,
    Measures,
    template_file,
)
from academies.imports.pipeline import import_file
from academies.models import Comparator, ImportBatch, Measure, Result
from academies.models.results import SYMBOL_CODES, Symbol
from tests.factories import AcademyFactory

HEADER = ["urn", "academic_year", "term", "measure", "pupil_group", "year_group", "subject", "value",
          "cohort", "national", "source"]
DEFAULTS = {"urn": "999101", "academic_year": "2024/25", "measure": "phonics_y1", "year_group": "Y1",
            "value": "85"}


def template(*rows, header=HEADER, encoding="utf-8"):
    """A filled-in template: each row a dict of the cells that differ from DEFAULTS."""
    lines = [",".join(header)]
    lines += [",".join({**DEFAULTS, **row}.get(column, "") for column in header) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def academies(db):
    return {urn: AcademyFactory(urn=urn) for urn in ("999101", "999102", EXAMPLE_URN)}


def run(data, name="figures.csv", **options):
    return import_file(data=data, file_name=name, **options)


def result(**filters):
    return Result.objects.get(**{"academy__urn": "999101", "academic_year__start_year": 2024, **filters})


def refused(batch):
    """The errors of a refused import, having checked nothing was written."""
    assert batch.status == ImportBatch.Status.FAILED
    assert Result.objects.count() == 0
    assert Comparator.objects.count() == 0
    return batch.errors


# The downloadable template


def test_the_csv_template_documents_its_columns_and_imports_its_example_rows(academies):
    content, content_type, file_name = template_file("csv")

    assert content_type.startswith("text/csv")
    assert file_name.endswith(".csv")
    assert content.decode("utf-8-sig").splitlines()[0] == ",".join(name for name, _, _ in TEMPLATE_COLUMNS)
    assert [name for name, required, _ in TEMPLATE_COLUMNS if required] == ["urn", "academic_year", "measure",
                                                                           "value"]

    batch = run(content, file_name)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "trust_template"
    assert Result.objects.filter(academy__urn=EXAMPLE_URN).count() == len(EXAMPLE_ROWS)
    assert_example_rows_landed()


def test_the_xlsx_template_explains_itself_and_imports_its_example_rows(academies):
    content, content_type, file_name = template_file("xlsx")

    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert file_name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Figures", "How to fill it", "Choices"]
    how_to = " ".join(str(c) for row in book["How to fill it"].iter_rows(values_only=True) for c in row if c)
    assert "0.85" in how_to and "c suppressed" in how_to
    choices = {row[0] for row in book["Choices"].iter_rows(values_only=True)}
    assert {"phonics_y1", "attendance", "disadvantaged", "Y6", "reading", "in_year"} <= choices

    batch = run(content, file_name)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert Result.objects.filter(academy__urn=EXAMPLE_URN).count() == len(EXAMPLE_ROWS)
    assert_example_rows_landed()
    # The example percentages are Excel percentage cells (0.85 shown as 85%).
    assert any("Read as shares" in note for note in batch.notes)


def assert_example_rows_landed():
    gld = Result.objects.get(academy__urn=EXAMPLE_URN, measure__code="eyfs_gld")
    assert (gld.value, gld.year_group, gld.cohort, gld.source) == (72, "R", 30, "published")
    phonics = Result.objects.get(academy__urn=EXAMPLE_URN, measure__code="phonics_y1")
    assert phonics.value == 85
    literacy = Result.objects.get(academy__urn=EXAMPLE_URN, measure__code="eyfs_elg")
    assert (literacy.pupil_group, literacy.subject, literacy.value) == ("disadvantaged", "literacy", 64)
    depth = Result.objects.get(academy__urn=EXAMPLE_URN, measure__code="attainment_greater_depth")
    assert (depth.value, depth.state, depth.raw, depth.term) == (None, Symbol.SUPPRESSED, "c", 2)
    attendance = Result.objects.get(academy__urn=EXAMPLE_URN, measure__code="attendance")
    assert (attendance.value, attendance.term, attendance.source) == (Decimal("95.1"), 1, "in_year")
    england = Comparator.objects.get(area="national", measure__code="eyfs_gld")
    assert (england.value, england.year_group) == (Decimal("68.3"), "R")


def test_the_csv_and_xlsx_templates_hold_the_same_figures(academies):
    def figures():
        return {(r.measure.code, r.pupil_group, r.year_group, r.subject, r.term): (r.value, r.state, r.cohort)
                for r in Result.objects.select_related("measure")}

    run(template_file("csv")[0], "template.csv")
    from_csv = figures()
    again = run(template_file("xlsx")[0], "template.xlsx")

    assert again.status == ImportBatch.Status.SUCCEEDED, again.errors
    assert again.created == 0
    assert figures() == from_csv


def test_the_example_rows_are_refused_when_the_trust_has_no_such_academy(db):
    AcademyFactory(urn="999101")
    errors = refused(run(*template_file("csv")[::2]))

    assert f"{EXAMPLE_URN} is not the URN of one of the trust's academies" in errors[0]["reason"]


def test_an_unknown_template_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="csv or xlsx"):
        template_file("pdf")


# Filling it in


def test_only_the_required_columns_are_needed(academies):
    batch = run(template({}, header=["urn", "academic_year", "measure", "value"]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    phonics = result(measure__code="phonics_y1")
    assert (phonics.value, phonics.pupil_group, phonics.year_group, phonics.term, phonics.source) == (
        85, "all", "", 0, "in_year")


def test_names_are_accepted_for_codes_whatever_their_case(academies):
    batch = run(template({"measure": "AT THE EXPECTED STANDARD", "pupil_group": "Disadvantaged",
                          "year_group": "Year 3", "subject": "Reading", "term": "Spring",
                          "source": "published statutory data"}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    figure = result(measure__code="attainment_expected")
    assert (figure.pupil_group, figure.year_group, figure.subject, figure.term, figure.source) == (
        "disadvantaged", "Y3", "reading", 2, "published")


def test_a_percentage_may_be_written_85_or_85_percent_or_a_share(academies):
    batch = run(template({"pupil_group": "all", "value": "85"}, {"pupil_group": "boys", "value": "85%"},
                         {"pupil_group": "girls", "value": "0.85"}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert {r.pupil_group: r.value for r in Result.objects.all()} == {"all": 85, "boys": 85, "girls": 85}
    assert batch.notes[-1] == "Read as shares (0.85 as 85%) in row(s) 4."


def test_symbols_stay_states_in_the_value_and_the_national_figure(academies):
    batch = run(template({"value": "c", "cohort": "3", "national": "x"}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    figure = result(measure__code="phonics_y1")
    assert (figure.value, figure.state, figure.cohort) == (None, Symbol.SUPPRESSED, 3)
    england = Comparator.objects.get()
    assert (england.value, england.state) == (None, Symbol.UNAVAILABLE)


def test_counts_and_rates_are_read_as_plain_numbers(academies):
    batch = run(template({"measure": "suspensions", "year_group": "", "value": "4"},
                         {"measure": "suspension_rate", "year_group": "", "value": "112.5"}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert result(measure__code="suspensions").value == 4
    # A rate is per 100 pupils and may pass 100.
    assert result(measure__code="suspension_rate").value == Decimal("112.5")


def test_a_measure_the_trust_added_itself_can_be_imported(academies):
    Measure.objects.create(code="reading_age_gap", label="Reading age gap", category="in_year", unit="score",
                           trust_defined=True)
    batch = run(template({"measure": "reading_age_gap", "value": "-1.5"}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert result(measure__code="reading_age_gap").value == Decimal("-1.5")


def test_a_name_two_measures_share_must_be_given_as_a_code(academies):
    for code in ("reading_age_a", "reading_age_b"):
        Measure.objects.create(code=code, label="Reading age", category="in_year", unit="score",
                               trust_defined=True)
    errors = refused(run(template({"measure": "reading_age_a", "value": "7.5"},
                                  {"measure": "reading age", "value": "7.5"})))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "measure")]
    assert "name of more than one measure: write its code" in errors[0]["reason"]


def test_a_blank_line_between_figures_is_not_a_row(academies):
    data = template({"pupil_group": "boys"}).rstrip() + b"\r\n,,,,,,,,,,\r\n" + template(
        {"pupil_group": "girls"}).split(b"\r\n", 1)[1]
    batch = run(data)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert Result.objects.count() == 2


def test_a_second_import_of_the_same_file_changes_nothing(academies):
    data = template({"pupil_group": "boys"}, {"pupil_group": "girls"})
    run(data)
    again = run(data)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_dry_run_writes_nothing(academies):
    batch = run(template({"national": "80"}), dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.created == 2
    assert Result.objects.count() == Comparator.objects.count() == 0


def test_a_utf8_file_with_a_byte_order_mark_is_read(academies):
    batch = run(b"\xef\xbb\xbf" + template({}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors


def test_a_windows_1252_file_is_read(academies):
    comment = "St Aidan\u2019s \u2013 mock"  # bytes 0x92 and 0x96: not UTF-8
    data = template({"comment": comment}, header=[*HEADER, "comment"], encoding="cp1252")
    batch = run(data)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert "Columns not used: comment" in batch.notes


# Mistakes, each named by row, column and value, with nothing written


def test_an_academy_outside_the_trust_is_an_error_not_a_row_skipped(academies):
    errors = refused(run(template({}, {"urn": "123456"})))

    assert errors[0]["row"] == 3
    assert (errors[0]["column"], errors[0]["value"]) == ("urn", "123456")
    assert "not the URN of one of the trust's academies" in errors[0]["reason"]


def test_an_unknown_measure_suggests_the_nearest(academies):
    errors = refused(run(template({"measure": "phonics_y3"})))

    assert (errors[0]["row"], errors[0]["column"], errors[0]["value"]) == (2, "measure", "phonics_y3")
    assert "(did you mean phonics_y1 or phonics_y2?)" in errors[0]["reason"]


@pytest.mark.parametrize(("column", "value", "listed"), [
    ("pupil_group", "gifted", "all, disadvantaged, not_disadvantaged"),
    ("year_group", "Y14", "R, Y1, Y2"),
    ("subject", "history", "reading, writing, maths"),
    ("term", "winter", "autumn, spring, summer"),
    ("source", "rumour", "published, in_year"),
])
def test_an_unknown_choice_lists_the_valid_ones(academies, column, value, listed):
    errors = refused(run(template({column: value})))

    assert (errors[0]["row"], errors[0]["column"], errors[0]["value"]) == (2, column, value)
    assert listed in errors[0]["reason"]


@pytest.mark.parametrize(("measure", "value", "reason"), [
    ("phonics_y1", "abc", "'abc' is not a number"),
    ("phonics_y1", "150%", "not a percentage between 0 and 100"),
    ("phonics_y1", "150", "not a percentage between 0 and 100"),
    ("phonics_y1", "", "the value is blank"),
    ("suspensions", "2.5", "not a whole number"),
    ("suspensions", "40%", "percentage where a plain number is expected"),
])
def test_a_value_that_cannot_be_the_figure_is_a_row_error(academies, measure, value, reason):
    errors = refused(run(template({"measure": measure, "value": value})))

    assert (errors[0]["row"], errors[0]["column"], errors[0]["value"]) == (2, "value", value)
    assert reason in errors[0]["reason"]


def test_a_wrong_academic_year_is_a_row_error(academies):
    errors = refused(run(template({"academic_year": "2024/26"})))

    assert (errors[0]["column"], errors[0]["value"]) == ("academic_year", "2024/26")
    assert "write it as 2024/25" in errors[0]["reason"]


def test_every_mistake_in_the_file_is_reported_at_once(academies):
    errors = refused(run(template({"value": "abc"}, {}, {"urn": "123456", "national": "lots"})))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "value"), (4, "urn"), (4, "national")]


def test_a_missing_required_column_is_named(academies):
    errors = refused(run(template({}, header=["urn", "academic_year", "measure", "cohort"])))

    assert errors[0]["reason"] == "the column 'value' is missing"


def test_the_same_figure_twice_with_different_values_names_both_rows(academies):
    errors = refused(run(template({"value": "85"}, {"value": "80"})))

    assert errors[0]["row"] == 3
    assert "same thing as row 2" in errors[0]["reason"]


def test_an_xlsx_that_is_really_a_csv_is_refused(academies):
    errors = refused(run(template({}), "figures.xlsx"))

    assert "not an Excel workbook" in errors[0]["reason"]


def test_a_file_with_pupil_level_columns_is_refused_and_none_of_it_kept(academies):
    data = template({"UPN": "A123456789012"}, header=["UPN", *HEADER])
    batch = run(data)

    errors = refused(batch)
    assert "pupil-level columns (upn)" in errors[0]["reason"]
    assert "A123456789012" not in str(batch.errors) + str(batch.notes)


# An academy's own data manager


def test_an_academy_data_manager_may_import_only_their_own_academy(academies):
    own = academies["999101"]
    errors = refused(run(template({}, {"urn": "999102"}), scope_academy=own))

    assert errors[0]["row"] == 3
    assert "only for your own academy (999101)" in errors[0]["reason"]

    batch = run(template({}), scope_academy=own)
    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert list(batch.academies.all()) == [own]


# Whatever is typed into the value column


@pytest.fixture
def measures(db):
    return Measures()


@hyp_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=12))
def test_any_text_is_read_as_a_figure_or_refused_with_a_reason(measures, text):
    for code in ("phonics_y1", "suspensions", "suspension_rate"):
        try:
            value, state, _ = measures.read(code, text)
        except CellError as error:
            assert str(error)
            continue
        assert value is None or not state
        if code == "phonics_y1" and value is not None:
            assert 0 <= value <= 100


@hyp_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(symbol=st.sampled_from(sorted(SYMBOL_CODES)), upper=st.booleans())
def test_a_symbol_never_becomes_a_number(measures, symbol, upper):
    for code in ("phonics_y1", "suspensions", "ks2_scaled_score"):
        value, state, _ = measures.read(code, symbol.upper() if upper else symbol)
        assert (value, state) == (None, SYMBOL_CODES[symbol])
