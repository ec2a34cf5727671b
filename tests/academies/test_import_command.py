"""`python manage.py import_data FILE [--kind KIND] [--year 2024/25] [--dry-run]`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from academies.models import ImportBatch, Result
from tests.academies.test_imports_ui import FIGURES_PER_SCHOOL, absence_csv, absence_row

S = ImportBatch.Status


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "absence.csv"
    path.write_bytes(absence_csv(absence_row("100001"), absence_row("100003"), absence_row("999999")))
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "absence-bad.csv"
    path.write_bytes(absence_csv(absence_row("100001"), absence_row("100003", overall="=2+2")))
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def test_a_good_file_prints_what_it_did(world, good_file):
    output = run(good_file)

    assert f"created: {2 * FIGURES_PER_SCHOOL}" in output
    assert "updated: 0" in output and "unchanged: 0" in output
    assert "skipped: 1" in output  # the school outside the trust
    assert Result.objects.count() == 2 * FIGURES_PER_SCHOOL
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.file_name, batch.uploaded_by) == (S.SUCCEEDED, "absence.csv", None)


def test_the_same_file_twice_changes_nothing_the_second_time(world, good_file):
    run(good_file)
    output = run(good_file)

    assert "created: 0" in output and f"unchanged: {2 * FIGURES_PER_SCHOOL}" in output
    assert Result.objects.count() == 2 * FIGURES_PER_SCHOOL


def test_a_dry_run_reports_and_writes_nothing(world, good_file):
    output = run(good_file, "--dry-run")

    assert f"would create {2 * FIGURES_PER_SCHOOL}" in output
    assert "Dry run: nothing was written" in output
    assert Result.objects.count() == 0


def test_kind_and_year_are_passed_on(world, good_file):
    run(good_file, "--kind", "ees_absence", "--year", "2024/25")

    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.academic_year.label) == ("ees_absence", "2024/25")


def test_a_bad_file_exits_non_zero_with_the_error_report_and_no_change(world, bad_file):
    err = io.StringIO()

    # manage.py turns a CommandError into its message on stderr and this exit status.
    with pytest.raises(CommandError, match=r"refused, 1 error\(s\); nothing was written") as refused:
        call_command("import_data", str(bad_file), stdout=io.StringIO(), stderr=err)

    assert refused.value.returncode == 1
    assert "row 3  column 'sess_overall_percent'  value '=2+2'  '=2+2' is not a number" in err.getvalue()
    assert Result.objects.count() == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--year", "2024/26"], "is not an academic year"),
    (["--kind", "horoscope"], "invalid choice: 'horoscope'"),
])
def test_bad_options_are_refused_before_anything_is_read(world, good_file, args, message):
    with pytest.raises(CommandError, match=message):
        run(good_file, *args)
    assert ImportBatch.objects.count() == 0


def test_a_missing_file_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.csv"):
        run(tmp_path / "nowhere.csv")


def test_a_file_of_the_wrong_kind_is_refused(world, good_file):
    with pytest.raises(CommandError, match="refused"):
        run(good_file, "--kind", "gias_establishments")
    assert ImportBatch.objects.get().errors[0]["reason"].startswith("The file does not have the columns")
