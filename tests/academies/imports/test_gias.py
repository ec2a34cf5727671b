"""GIAS imports: the trust's academies created and updated from DfE's register, their
predecessors and the days they joined. Run on the synthetic samples and malformed copies of them."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from academies.imports.pipeline import import_file
from academies.models import Academy, ImportBatch, Result
from tests.factories import AcademyFactory

# The synthetic samples of shared/samples, kept in the repository so a newcomer's clone tests too.
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ESTABLISHMENTS = "synthetic_gias_edubasealldata.csv"
LINKS = "synthetic_gias_links_edubasealldata.csv"
GROUP_LINKS = "synthetic_gias_grouplinks_edubaseallacademiesandfree.csv"
SAMPLE_ACADEMIES = ["999101", "999102", "999103", "999104"]
# Rows as the spreadsheet numbers them: the header is row 1.
ROW_OF = {"999001": 2, "999101": 3, "999102": 4, "999103": 5, "999104": 6}


def sample(name):
    return (SAMPLES / name).read_bytes()


def rows_of(name):
    return list(csv.reader(io.StringIO(sample(name).decode("cp1252"))))


def as_csv(rows, encoding="cp1252"):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def edited(name, urn, cells, *, row_index=None):
    """The sample with some cells of one school's row changed (the first row of `urn`)."""
    rows = rows_of(name)
    header = rows[0]
    target = next(r for r in rows[1:] if r[0] == urn) if row_index is None else rows[row_index]
    for column, value in cells.items():
        target[header.index(column)] = value
    return as_csv(rows)


def without_column(name, column):
    rows = rows_of(name)
    at = rows[0].index(column)
    return as_csv([r[:at] + r[at + 1:] for r in rows])


def with_rows(name, *extra):
    return as_csv(rows_of(name) + [list(r) for r in extra])


def run(data, file_name="edubasealldata20251014.csv", **options):
    return import_file(data=data, file_name=file_name, **options)


def academy(urn):
    return Academy.objects.get(urn=urn)


@pytest.fixture
def trust(world):
    world.trust.group_uid = "99001"  # the synthetic trust's UID in the samples
    world.trust.save()
    return world.trust


# Establishments -----------------------------------------------------------------------------


def test_establishments_create_the_trusts_academies(trust):
    batch = run(sample(ESTABLISHMENTS))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "gias_establishments"
    # Four academies, and number on roll and % FSM for the three that have census figures.
    assert (batch.created, batch.updated, batch.unchanged) == (10, 0, 0)
    assert batch.skipped == 1  # the closed community school 999001, not the trust's
    assert sorted(Academy.objects.filter(urn__startswith="999").values_list("urn", flat=True)) == \
        SAMPLE_ACADEMIES
    meadow = academy("999101")
    assert (meadow.name, meadow.phase, meadow.academy_type, meadow.status) == (
        "Synthetic Meadow Primary Academy", Academy.Phase.PRIMARY, Academy.Type.CONVERTER,
        Academy.Status.OPEN)
    assert (meadow.local_authority, meadow.la_code) == ("Synthetic Borough", "999")
    assert (meadow.statutory_low_age, meadow.statutory_high_age) == (3, 11)
    assert meadow.date_joined == datetime.date(2016, 9, 1)
    assert meadow.trust == trust and meadow.hub is None
    vale = academy("999102")
    assert (vale.phase, vale.academy_type) == (Academy.Phase.SECONDARY, Academy.Type.SPONSOR_LED)
    # A free school proposed to open is joining, due on its opening day.
    brook = academy("999104")
    assert (brook.status, brook.academy_type, brook.date_joined) == (
        Academy.Status.JOINING, Academy.Type.FREE_SCHOOL, datetime.date(2026, 9, 1))
    assert set(batch.academies.values_list("urn", flat=True)) == set(SAMPLE_ACADEMIES)


def test_cp1252_apostrophe_is_read_as_the_school_writes_it(trust):
    assert b"St Aidan\x92s" in sample(ESTABLISHMENTS)  # the Windows-1252 byte, not UTF-8

    run(sample(ESTABLISHMENTS))

    assert academy("999103").name == "St Aidan\u2019s Church of England Academy"


def test_census_figures_become_results_for_the_census_year(trust):
    run(sample(ESTABLISHMENTS))

    on_roll = Result.objects.get(academy__urn="999102", measure__code="on_roll")
    fsm = Result.objects.get(academy__urn="999102", measure__code="fsm")
    # January 2025 census: the 2024/25 academic year.
    assert (on_roll.value, on_roll.academic_year.start_year, on_roll.as_at) == (
        Decimal(1284), 2024, datetime.date(2025, 1, 16))
    assert (fsm.value, fsm.raw, fsm.cohort, fsm.as_at) == (
        Decimal("31.7"), "31.7", 1284, datetime.date(2025, 1, 16))
    assert not Result.objects.filter(academy__urn="999104").exists()  # not open: no census


def test_importing_the_same_file_twice_changes_nothing(trust):
    run(sample(ESTABLISHMENTS))
    before = list(Academy.objects.order_by("urn").values())

    again = run(sample(ESTABLISHMENTS))

    assert again.status == ImportBatch.Status.SUCCEEDED
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert list(Academy.objects.order_by("urn").values()) == before


def test_dry_run_writes_nothing(trust):
    batch = run(sample(ESTABLISHMENTS), dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.created == 10  # what it would do
    assert not Academy.objects.filter(urn__startswith="999").exists()
    assert not Result.objects.exists()
    # Not even a link from the batch to an academy that was rolled back.
    assert not ImportBatch.academies.through.objects.filter(importbatch=batch).exists()


def test_existing_academy_is_updated_and_keeps_its_join_date(trust, world):
    AcademyFactory(trust=trust, hub=world.north, urn="999102", name="Vale (old name)",
                   phase=Academy.Phase.PRIMARY, date_joined=datetime.date(2020, 1, 1), statutory_low_age=None)

    batch = run(sample(ESTABLISHMENTS))

    assert (batch.created, batch.updated) == (9, 1)
    vale = academy("999102")
    assert (vale.name, vale.phase, vale.statutory_low_age) == (
        "Synthetic Vale Academy", Academy.Phase.SECONDARY, 11)
    assert vale.date_joined == datetime.date(2020, 1, 1)  # OpenDate only sets it on creation
    assert vale.hub == world.north


def test_joining_academy_listed_open_under_the_trust_has_joined(trust):
    run(sample(ESTABLISHMENTS))

    opened = edited(ESTABLISHMENTS, "999104", {"EstablishmentStatus (name)": "Open"})
    batch = run(opened)

    assert batch.updated == 1
    assert academy("999104").status == Academy.Status.OPEN


def test_without_a_group_uid_only_the_trusts_own_urns_are_read(world):
    AcademyFactory(trust=world.trust, hub=world.north, urn="999102", name="Vale (old name)")

    batch = run(sample(ESTABLISHMENTS))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert (batch.created, batch.updated) == (2, 1)  # the academy, and its two census figures
    assert academy("999102").name == "Synthetic Vale Academy"
    assert not Academy.objects.filter(urn__in=["999101", "999103", "999104"]).exists()
    assert batch.skipped == 4


def test_rows_of_other_trusts_are_skipped(trust):
    other = edited(ESTABLISHMENTS, "999103", {"Trusts (code)": "12345", "Trusts (name)": "ANOTHER TRUST"})

    batch = run(other)

    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert batch.skipped == 2
    assert not Academy.objects.filter(urn="999103").exists()


def test_academy_listed_under_another_trust_is_left_alone_and_noted(trust, world):
    AcademyFactory(trust=trust, hub=world.north, urn="999103", name="St Aidan's (ours)")
    other = edited(ESTABLISHMENTS, "999103", {"Trusts (code)": "12345"})

    batch = run(other)

    assert academy("999103").name == "St Aidan's (ours)"
    assert any("999103" in note and "does not list" in note for note in batch.notes)


def test_closed_row_of_the_trust_does_not_create_an_academy(trust):
    # The converted school keeps its old, closed row; here it even carries the trust's code.
    closed = edited(ESTABLISHMENTS, "999001", {"Trusts (code)": "99001"})

    batch = run(closed)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert not Academy.objects.filter(urn="999001").exists()
    assert any("999001" in note and "closed" in note for note in batch.notes)


def test_closed_row_of_an_existing_academy_leaves_it_open(world):
    AcademyFactory(trust=world.trust, hub=world.north, urn="999001", name="Meadow (predecessor)")

    batch = run(sample(ESTABLISHMENTS))

    assert batch.status == ImportBatch.Status.SUCCEEDED
    meadow = academy("999001")
    assert (meadow.name, meadow.status, meadow.academy_type) == (
        "Meadow (predecessor)", Academy.Status.OPEN, Academy.Type.CONVERTER)
    assert any("999001" in note and "left as it is" in note for note in batch.notes)


def test_head_teacher_names_are_never_stored(trust):
    rows = rows_of(ESTABLISHMENTS)
    assert "HeadFirstName" in rows[0] and "Alex" in rows[ROW_OF["999101"] - 1]  # the sample has them

    batch = run(sample(ESTABLISHMENTS))

    assert batch.status == ImportBatch.Status.SUCCEEDED
    out = io.StringIO()
    call_command("dumpdata", "academies.Academy", "academies.Result", "academies.ImportBatch", stdout=out)
    stored = out.getvalue()
    assert "Synthetic Vale Academy" in stored  # the dump does hold what was imported
    for name in ("Alex", "Example", "Sam", "Sample", "Headteacher", "Principal"):
        assert name not in stored


def test_utf8_file_works_the_same(trust):
    text = sample(ESTABLISHMENTS).decode("cp1252")

    batch = run(text.encode("utf-8-sig"))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == 10
    assert academy("999103").name == "St Aidan\u2019s Church of England Academy"


@pytest.mark.parametrize("column", ["URN", "EstablishmentName"])
def test_missing_required_column_is_refused_naming_it(trust, column):
    batch = run(without_column(ESTABLISHMENTS, column), kind="gias_establishments")

    assert batch.status == ImportBatch.Status.FAILED
    assert any(f"'{column}'" in e["reason"] for e in batch.errors), batch.errors
    assert not Academy.objects.filter(urn__startswith="999").exists()


def test_missing_required_column_is_named_when_the_kind_is_recognised(trust):
    batch = run(without_column(ESTABLISHMENTS, "EstablishmentName"))

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["column"] == "EstablishmentName"


def test_bad_open_date_is_a_row_error_and_nothing_is_written(trust):
    bad = edited(ESTABLISHMENTS, "999102", {"OpenDate": "31-02-2019"})

    batch = run(bad)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [{"row": ROW_OF["999102"], "column": "OpenDate", "value": "31-02-2019",
                             "reason": batch.errors[0]["reason"]}]
    assert "31-12-2025" in batch.errors[0]["reason"]
    assert not Academy.objects.filter(urn__startswith="999").exists()
    assert not Result.objects.exists()


def test_bad_row_leaves_existing_academies_as_they_were(trust, world):
    AcademyFactory(trust=trust, hub=world.north, urn="999101", name="Meadow (as stored)")
    bad = edited(ESTABLISHMENTS, "999103", {"NumberOfPupils": "sixty"})

    batch = run(bad)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["row"] == ROW_OF["999103"] and batch.errors[0]["column"] == "NumberOfPupils"
    assert academy("999101").name == "Meadow (as stored)"


def test_empty_file_is_refused(trust):
    batch = run(b"")

    assert batch.status == ImportBatch.Status.FAILED
    assert "empty" in batch.errors[0]["reason"]


@pytest.mark.parametrize(("type_name", "phase_name", "academy_type", "phase"), [
    ("Academy 16-19 converter", "16 plus", Academy.Type.SIXTEEN_NINETEEN, Academy.Phase.SIXTEEN_PLUS),
    ("Academy 16 to 19 sponsor led", "Not applicable", Academy.Type.SIXTEEN_NINETEEN,
     Academy.Phase.SIXTEEN_PLUS),
    ("Academy special converter", "Not applicable", Academy.Type.SPECIAL_CONVERTER, Academy.Phase.SPECIAL),
    ("Free schools special", "Secondary", Academy.Type.SPECIAL_FREE_SCHOOL, Academy.Phase.SPECIAL),
    ("Academy alternative provision sponsor led", "Not applicable", Academy.Type.AP_SPONSOR_LED,
     Academy.Phase.ALTERNATIVE_PROVISION),
    ("Free schools alternative provision", "Secondary", Academy.Type.AP_FREE_SCHOOL,
     Academy.Phase.ALTERNATIVE_PROVISION),
    ("Academy converter", "Middle deemed secondary", Academy.Type.CONVERTER, Academy.Phase.MIDDLE),
    ("Academy converter", "All-through", Academy.Type.CONVERTER, Academy.Phase.ALL_THROUGH),
    ("University technical college", "16 plus", Academy.Type.STUDIO_UTC, Academy.Phase.SIXTEEN_PLUS),
])
def test_gias_types_and_phases_map_to_the_register(trust, type_name, phase_name, academy_type, phase):
    data = edited(ESTABLISHMENTS, "999102", {"TypeOfEstablishment (name)": type_name,
                                            "PhaseOfEducation (name)": phase_name})

    batch = run(data)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert (academy("999102").academy_type, academy("999102").phase) == (academy_type, phase)


def test_a_school_that_is_not_an_academy_is_a_row_error(trust):
    data = edited(ESTABLISHMENTS, "999102", {"TypeOfEstablishment (name)": "Community school"})

    batch = run(data)

    assert batch.status == ImportBatch.Status.FAILED
    error = batch.errors[0]
    assert (error["row"], error["column"], error["value"]) == (
        ROW_OF["999102"], "TypeOfEstablishment (name)", "Community school")


def test_not_applicable_phase_of_a_mainstream_academy_is_a_row_error(trust):
    data = edited(ESTABLISHMENTS, "999102", {"PhaseOfEducation (name)": "Not applicable"})

    batch = run(data)

    assert batch.status == ImportBatch.Status.FAILED
    assert (batch.errors[0]["row"], batch.errors[0]["column"]) == (
        ROW_OF["999102"], "PhaseOfEducation (name)")


@pytest.mark.parametrize(("cells", "column"), [
    ({"StatutoryLowAge": "16", "StatutoryHighAge": "11"}, "StatutoryHighAge"),
    ({"LA (code)": "99"}, "LA (code)"),
    ({"URN": "99910"}, "URN"),
    ({"OpenDate": ""}, "OpenDate"),  # an open academy needs the day it joined
])
def test_row_that_would_make_an_invalid_academy_is_a_row_error(trust, cells, column):
    data = edited(ESTABLISHMENTS, "999102", cells)

    batch = run(data)

    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(ROW_OF["999102"], column)]
    assert not Academy.objects.filter(urn__startswith="999").exists()


def test_same_school_twice_with_different_details_names_both_rows(trust):
    rows = rows_of(ESTABLISHMENTS)
    twin = list(rows[ROW_OF["999103"] - 1])
    twin[rows[0].index("EstablishmentName")] = "St Aidan's (renamed)"

    batch = run(with_rows(ESTABLISHMENTS, twin))

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["row"] == 7 and "row 5" in batch.errors[0]["reason"]


def test_same_school_twice_alike_is_read_once(trust):
    rows = rows_of(ESTABLISHMENTS)

    batch = run(with_rows(ESTABLISHMENTS, rows[ROW_OF["999103"] - 1]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == 10


def test_academy_data_manager_cannot_import_the_register(trust, world):
    batch = run(sample(ESTABLISHMENTS), scope_academy=world.north_a)

    assert batch.status == ImportBatch.Status.FAILED
    assert "trust data manager" in batch.errors[0]["reason"]
    assert not Academy.objects.filter(urn__startswith="999").exists()


# Links --------------------------------------------------------------------------------------


@pytest.fixture
def meadow(world):
    return AcademyFactory(trust=world.trust, hub=world.north, urn="999101", name="Meadow")


def test_links_record_the_predecessor_of_a_trust_academy(meadow):
    batch = run(sample(LINKS), file_name="links_edubasealldata20251014.csv")

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "gias_links"
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 0)
    assert batch.skipped == 1  # 999001's own row: it is not the trust's
    assert academy("999101").predecessor_urns == ["999001"]
    assert list(batch.academies.all()) == [meadow]


def test_links_twice_change_nothing(meadow):
    run(sample(LINKS), file_name="links.csv")

    again = run(sample(LINKS), file_name="links.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert academy("999101").predecessor_urns == ["999001"]


def test_links_follow_a_chain_of_predecessors(meadow):
    data = with_rows(LINKS, ["999001", "999000", "Synthetic Meadow Infants", "Predecessor - amalgamated",
                             "01-09-2010"])

    run(data, file_name="links.csv")

    assert academy("999101").predecessor_urns == ["999001", "999000"]


def test_links_keep_predecessors_already_recorded(meadow):
    meadow.predecessor_urns = ["999050"]
    meadow.save()

    run(sample(LINKS), file_name="links.csv")

    assert academy("999101").predecessor_urns == ["999050", "999001"]


def test_links_dry_run_writes_nothing(meadow):
    batch = run(sample(LINKS), file_name="links.csv", dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.updated == 1
    assert academy("999101").predecessor_urns == []


def test_links_bad_urn_is_a_row_error(meadow):
    bad = edited(LINKS, "999101", {"LinkURN": "99900"})

    batch = run(bad, file_name="links.csv")

    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["column"], e["value"]) for e in batch.errors] == [(3, "LinkURN", "99900")]
    assert academy("999101").predecessor_urns == []


def test_links_of_schools_outside_the_trust_are_skipped(world):
    batch = run(sample(LINKS), file_name="links.csv")

    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert (batch.skipped, batch.updated) == (2, 0)


# Group links --------------------------------------------------------------------------------


def group_links(**options):
    return run(sample(GROUP_LINKS), file_name="grouplinks_edubaseallacademiesandfree20251014.csv",
               **options)


@pytest.fixture
def stored(trust, world):
    """Two sample academies already here, one with a join date GIAS disagrees with."""
    return [
        AcademyFactory(trust=trust, hub=world.north, urn="999101", date_joined=datetime.date(2016, 9, 1)),
        AcademyFactory(trust=trust, hub=world.north, urn="999103", date_joined=datetime.date(2022, 2, 1)),
    ]


def test_group_links_set_the_day_each_academy_joined(stored):
    batch = group_links()

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "gias_group_links"
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 1)
    assert academy("999103").date_joined == datetime.date(2023, 9, 1)
    assert academy("999101").date_joined == datetime.date(2016, 9, 1)


def test_group_links_note_academies_not_here_and_do_not_create_them(stored):
    batch = group_links()

    assert not Academy.objects.filter(urn="999102").exists()
    assert any("999102 Synthetic Vale Academy" in note and "not created" in note for note in batch.notes)
    # The world's academies are here but not in the file under the trust.
    assert any("100001" in note and "does not list" in note for note in batch.notes)


def test_group_links_twice_change_nothing(stored):
    group_links()

    again = group_links()

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_group_links_of_other_trusts_are_skipped(stored):
    data = edited(GROUP_LINKS, "999103", {"Group UID": "12345"})

    batch = run(data, file_name="grouplinks.csv")

    assert batch.skipped == 1
    assert academy("999103").date_joined == datetime.date(2022, 2, 1)


def test_group_links_need_the_trusts_group_uid(world):
    AcademyFactory(trust=world.trust, hub=world.north, urn="999103", date_joined=datetime.date(2022, 2, 1))

    batch = group_links()

    assert batch.status == ImportBatch.Status.FAILED
    assert "group UID" in batch.errors[0]["reason"]
    assert academy("999103").date_joined == datetime.date(2022, 2, 1)


def test_group_links_bad_joined_date_is_a_row_error(stored):
    bad = edited(GROUP_LINKS, "999103", {"Joined date": "2023-13-01"})

    batch = run(bad, file_name="grouplinks.csv")

    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["column"], e["value"]) for e in batch.errors] == [(4, "Joined date", "2023-13-01")]


def test_group_links_dry_run_writes_nothing(stored):
    batch = group_links(dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.updated == 1
    assert academy("999103").date_joined == datetime.date(2022, 2, 1)
