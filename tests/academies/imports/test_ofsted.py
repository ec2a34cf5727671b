"""Ofsted's monthly management information: the current report-card layout (sheet D2), the legacy
graded layouts and the 2015-19 consolidated file, each inspection kept in its own framework."""

import csv
import datetime
import io

import pytest

from academies.imports.pipeline import import_file
from academies.models import ImportBatch, Inspection, InspectionJudgement
from tests.factories import AcademyFactory, TrustFactory

# The header of samples/synthetic_ofsted_mi_latest_inspections_D2.csv (data-formats.md 2.3),
# with its double space in "Latest OEIF  safeguarding is effective?".
HEADER = [
    "Web Link (opens in new window)", "URN", "LAESTAB", "School name", "Ofsted phase",
    "Type of education", "School open date", "Admissions policy", "Sixth form",
    "Designated religious character", "Religious ethos", "Faith grouping", "Ofsted region", "Region",
    "Local authority", "Parliamentary constituency", "Postcode", "Multi-academy trust UID",
    "Multi-academy trust name", "Academy sponsor UID", "Academy sponsor name",
    "The income deprivation affecting children index (IDACI) quintile", "Total number of pupils",
    "Statutory lowest age", "Statutory highest age",
    "Inspection number of latest full inspection", "Inspection type", "Inspection type grouping",
    "Event type grouping", "Inspection start date", "Publication date",
    "Does the latest full inspection relate to the URN of the current school?",
    "URN at time of latest full inspection", "LAESTAB at time of latest full inspection",
    "School name at time of latest full inspection", "School type at time of latest full inspection",
    "Category of concern",
    "Safeguarding standards", "Safeguarding standards - date of grade",
    "Inclusion", "Inclusion - date of grade",
    "Curriculum and teaching", "Curriculum and teaching - date of grade",
    "Achievement", "Achievement - date of grade",
    "Attendance and behaviour", "Attendance and behaviour - date of grade",
    "Personal development and wellbeing", "Personal development and wellbeing - date of grade",
    "Early years (where applicable)", "Early years - date of grade",
    "Post-16 provision (where applicable)", "Post-16 provision - date of grade",
    "Leadership and governance", "Leadership and governance - date of grade",
    "Inspection number of latest OEIF graded inspection", "Inspection type of latest OEIF graded inspection",
    "Inspection type grouping of latest OEIF graded inspection",
    "Event type grouping of latest OEIF graded inspection",
    "Inspection start date of latest OEIF graded inspection",
    "Publication date of latest OEIF graded inspection",
    "Does the latest OEIF graded inspection relate to the URN of the current school?",
    "URN at time of latest OEIF graded inspection", "LAESTAB at time of latest OEIF graded inspection",
    "School name at time of latest OEIF graded inspection",
    "School type at time of latest OEIF graded inspection",
    "Latest OEIF category of concern", "Latest OEIF overall effectiveness",
    "Latest OEIF quality of education", "Latest OEIF behaviour and attitudes",
    "Latest OEIF personal development", "Latest OEIF effectiveness of leadership and management",
    "Latest OEIF  safeguarding is effective?", "Latest OEIF early years provision (where applicable)",
    "Latest OEIF sixth form provision (where applicable)",
    "Latest ungraded inspection number", "Date of latest ungraded inspection",
    "Ungraded inspection publication date",
    "Does the ungraded inspection relate to the URN of the current school?",
    "URN at time of the ungraded inspection", "LAESTAB at time of the ungraded inspection",
    "School name at time of the ungraded inspection", "School type at time of the ungraded inspection",
    "Ungraded inspection overall outcome", "Most recent category of concern",
]
SCHOOL_COLUMNS = 25
# The school-context cells of each row of the sample, as the file has them.
SCHOOLS = {
    "999101": "https://reports.ofsted.gov.uk/provider/21/999101,999101,9992001,Synthetic Meadow Primary "
              "Academy,Primary,Academy converter,01/09/2016,Not applicable,No,Does not apply,Does not apply,"
              "Non-faith,South East,South East,Synthetic Borough,Synthetic North,ZZ1 1ZZ,99001,SYNTHETIC "
              "LEARNING TRUST,NULL,NULL,4,412,3,11",
    "999102": "https://reports.ofsted.gov.uk/provider/23/999102,999102,9994001,Synthetic Vale Academy,"
              "Secondary,Academy sponsor led,01/04/2019,Non-selective,Yes,Does not apply,Does not apply,"
              "Non-faith,South East,South East,Synthetic Borough,Synthetic North,ZZ1 2ZZ,99001,SYNTHETIC "
              "LEARNING TRUST,NULL,NULL,2,1284,11,18",
    "999103": "https://reports.ofsted.gov.uk/provider/21/999103,999103,9993001,St Aidan\u2019s Church of "
              "England Academy,Primary,Academy converter,01/02/2022,Not applicable,No,Church of England,"
              "Church of England,Christian,South East,South East,Synthetic Borough,Synthetic North,ZZ2 1ZZ,"
              "99001,SYNTHETIC LEARNING TRUST,NULL,NULL,5,61,4,11",
    "999105": "https://reports.ofsted.gov.uk/provider/21/999105,999105,9992005,Synthetic Riverside "
              "Academy,Primary,Academy sponsor led,01/01/2025,Not applicable,No,Does not apply,Does not "
              "apply,Non-faith,South East,South East,Synthetic Borough,Synthetic North,ZZ1 4ZZ,99001,"
              "SYNTHETIC LEARNING TRUST,NULL,NULL,1,233,4,11",
}
OEIF_GRADES = [
    "Latest OEIF overall effectiveness", "Latest OEIF quality of education",
    "Latest OEIF behaviour and attitudes", "Latest OEIF personal development",
    "Latest OEIF effectiveness of leadership and management", "Latest OEIF  safeguarding is effective?",
    "Latest OEIF early years provision (where applicable)",
    "Latest OEIF sixth form provision (where applicable)",
]


def oeif(number, start, published, relates, urn_at, grades, at_time=None):
    """The cells of a school's latest OEIF graded inspection, as the sample writes them; `grades`
    in the order of OEIF_GRADES."""
    return {
        "Inspection number of latest OEIF graded inspection": number,
        "Inspection type of latest OEIF graded inspection": "Section 5",
        "Inspection start date of latest OEIF graded inspection": start,
        "Publication date of latest OEIF graded inspection": published,
        "Does the latest OEIF graded inspection relate to the URN of the current school?": relates,
        "URN at time of latest OEIF graded inspection": urn_at,
        "Latest OEIF category of concern": "",
        **dict(zip(OEIF_GRADES, grades, strict=True)),
        **(at_time or {}),
    }


REPORT_CARD_DAY = "20/01/2026"
# The inspection cells of each row of the sample (every other cell is NULL).
INSPECTIONS = {
    "999101": {
        "Inspection number of latest full inspection": "99900101", "Inspection type": "Section 5",
        "Inspection type grouping": "Section 5", "Event type grouping": "Standard inspection",
        "Inspection start date": REPORT_CARD_DAY, "Publication date": "03/03/2026",
        "Does the latest full inspection relate to the URN of the current school?": "Yes",
        "URN at time of latest full inspection": "999101",
        "LAESTAB at time of latest full inspection": "9992001",
        "School name at time of latest full inspection": "Synthetic Meadow Primary Academy",
        "School type at time of latest full inspection": "Academy converter",
        "Category of concern": "",
        "Safeguarding standards": "Met", "Safeguarding standards - date of grade": REPORT_CARD_DAY,
        "Inclusion": "Expected standard", "Inclusion - date of grade": REPORT_CARD_DAY,
        "Curriculum and teaching": "Strong standard",
        "Curriculum and teaching - date of grade": REPORT_CARD_DAY,
        "Achievement": "Expected standard", "Achievement - date of grade": REPORT_CARD_DAY,
        "Attendance and behaviour": "Expected standard",
        "Attendance and behaviour - date of grade": REPORT_CARD_DAY,
        "Personal development and wellbeing": "Strong standard",
        "Personal development and wellbeing - date of grade": REPORT_CARD_DAY,
        "Early years (where applicable)": "Expected standard", "Early years - date of grade": REPORT_CARD_DAY,
        "Post-16 provision (where applicable)": "Not applicable",
        "Leadership and governance": "Expected standard",
        "Leadership and governance - date of grade": REPORT_CARD_DAY,
        **oeif("99900011", "08/03/2022", "11/04/2022", "Yes", "999101",
               ["2", "2", "2", "1", "2", "Yes", "2", "9"]),
        "Most recent category of concern": "",
    },
    "999102": {
        **oeif("99900022", "08/10/2024", "19/11/2024", "Yes", "999102",
               ["Not judged", "3", "2", "2", "3", "Yes", "9", "2"]),
        "Most recent category of concern": "",
    },
    "999103": {
        **oeif("99900033", "14/05/2019", "12/06/2019", "No", "999003",
               ["1", "NULL", "NULL", "NULL", "1", "Yes", "1", "9"], {
                   "LAESTAB at time of latest OEIF graded inspection": "9993001",
                   "School name at time of latest OEIF graded inspection":
                       "St Aidan\u2019s Church of England Primary School",
                   "School type at time of latest OEIF graded inspection": "Voluntary controlled school",
               }),
        "Latest ungraded inspection number": "99900034", "Date of latest ungraded inspection": "05/06/2024",
        "Ungraded inspection publication date": "04/07/2024",
        "Does the ungraded inspection relate to the URN of the current school?": "Yes",
        "URN at time of the ungraded inspection": "999103",
        "LAESTAB at time of the ungraded inspection": "9993001",
        "School name at time of the ungraded inspection": "St Aidan\u2019s Church of England Academy",
        "School type at time of the ungraded inspection": "Academy converter",
        "Ungraded inspection overall outcome": "Standards maintained",
        "Most recent category of concern": "",
    },
    "999105": {},  # never inspected: every inspection cell NULL
}
# Inspections in the sample: 999101 two, 999102 one, 999103 two (one of its predecessor), 999105 none.
SAMPLE_INSPECTIONS = 5


def csv_bytes(header, rows, *, encoding="cp1252", above=()):
    """A CSV as Ofsted writes it (CRLF, Windows-1252), with `above` lines before the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(above)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def sample_rows(changes=None, extra=()):
    """The rows of the sample, with `changes` ({urn: {column: value}}) applied and `extra` rows added."""
    rows = []
    for urn, school in [*SCHOOLS.items(), *extra]:
        cells = dict(zip(HEADER[:SCHOOL_COLUMNS], next(csv.reader([school])), strict=True))
        cells.update(INSPECTIONS.get(urn, {}))
        cells.update((changes or {}).get(urn, {}))
        rows.append([cells.get(column, "NULL") for column in HEADER])
    return rows


def sample(changes=None, **options):
    return csv_bytes(HEADER, sample_rows(changes), **options)


SAMPLE = sample()


@pytest.fixture
def academies(db):
    trust = TrustFactory()
    return {urn: AcademyFactory(trust=trust, urn=urn) for urn in ("999101", "999102", "999103", "999105")}


def run(data, name="Management_information_-_state-funded_schools_-_latest_inspections.csv", **options):
    return import_file(data=data, file_name=name, **options)


def inspection(urn, day, *, urn_at=None):
    return Inspection.objects.get(academy__urn=urn, urn_at_inspection=urn_at or urn, start_date=day)


def grades(inspection):
    return {j.area: j.label for j in inspection.judgements.all()}


def date(text):
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def assert_refused(batch, *errors):
    """The import failed with exactly these (row, column, value, reason fragment) errors, and
    wrote no inspection."""
    assert batch.status == ImportBatch.Status.FAILED
    found = [(e["row"], e["column"], e["value"]) for e in batch.errors]
    assert found == [error[:3] for error in errors], batch.errors
    for error, expected in zip(batch.errors, errors, strict=True):
        assert expected[3] in error["reason"], error
    assert not Inspection.objects.exists()
    assert not InspectionJudgement.objects.exists()


# The current layout, on the sample


def test_the_sample_creates_one_inspection_per_inspection_and_none_for_a_school_never_inspected(academies):
    batch = run(SAMPLE)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ofsted_mi"
    assert (batch.created, batch.updated, batch.unchanged, batch.skipped) == (SAMPLE_INSPECTIONS, 0, 0, 0)
    assert Inspection.objects.count() == SAMPLE_INSPECTIONS
    assert not academies["999105"].inspections.exists()
    # The card's "last upload" is per academy: the never-inspected school was not touched.
    assert {a.urn for a in batch.academies.all()} == {"999101", "999102", "999103"}


def test_a_report_card_keeps_each_area_with_its_own_date_and_safeguarding_met(academies):
    run(SAMPLE)

    card = inspection("999101", datetime.date(2026, 1, 20))
    assert card.framework == "report_card"
    assert card.safeguarding == Inspection.Safeguarding.MET
    assert card.overall_effectiveness == ""
    assert card.category_of_concern == ""
    assert (card.inspection_number, card.inspection_type) == ("99900101", "Section 5")
    assert card.publication_date == datetime.date(2026, 3, 3)
    assert card.report_url == "https://reports.ofsted.gov.uk/provider/21/999101"
    assert grades(card) == {
        "inclusion": "Expected standard", "curriculum_and_teaching": "Strong standard",
        "achievement": "Expected standard", "attendance_and_behaviour": "Expected standard",
        "personal_development_and_wellbeing": "Strong standard", "early_years": "Expected standard",
        "leadership_and_governance": "Expected standard",
    }  # post-16 "Not applicable" is no grade at all
    assert {j.grade_date for j in card.judgements.all()} == {datetime.date(2026, 1, 20)}
    assert {j.grade for j in card.judgements.all()} <= {"expected", "strong"}


def test_the_previous_graded_inspection_keeps_its_grades_of_1_to_4(academies):
    run(SAMPLE)

    previous = inspection("999101", datetime.date(2022, 3, 8))
    assert previous.framework == "graded"
    assert previous.overall_effectiveness == "2"
    assert previous.headline == "Good"
    assert previous.safeguarding == Inspection.Safeguarding.EFFECTIVE
    assert previous.inspection_number == "99900011"
    assert previous.publication_date == datetime.date(2022, 4, 11)
    assert grades(previous) == {
        "quality_of_education": "Good", "behaviour_and_attitudes": "Good",
        "personal_development": "Outstanding", "leadership_and_management": "Good", "early_years": "Good",
    }  # sixth form 9: no judgement
    assert {j.grade for j in previous.judgements.all()} == {"1", "2"}
    assert not previous.of_predecessor


def test_a_graded_inspection_from_september_2024_has_no_overall_grade(academies):
    run(SAMPLE)

    vale = inspection("999102", datetime.date(2024, 10, 8))
    assert vale.framework == "no_overall"
    assert vale.overall_effectiveness == ""
    assert vale.headline == ""
    assert grades(vale) == {
        "quality_of_education": "Requires improvement", "behaviour_and_attitudes": "Good",
        "personal_development": "Good", "leadership_and_management": "Requires improvement",
        "sixth_form": "Good",
    }


def test_an_inspection_of_the_predecessor_school_is_labelled_so(academies):
    run(SAMPLE)

    predecessor = inspection("999103", datetime.date(2019, 5, 14), urn_at="999003")
    assert predecessor.of_predecessor
    assert predecessor.academy == academies["999103"]
    assert predecessor.overall_effectiveness == "1"
    assert grades(predecessor) == {"leadership_and_management": "Outstanding", "early_years": "Outstanding"}
    ungraded = inspection("999103", datetime.date(2024, 6, 5))
    assert not ungraded.of_predecessor
    assert not ungraded.graded
    assert ungraded.outcome_text == "Standards maintained"
    assert ungraded.publication_date == datetime.date(2024, 7, 4)
    assert not ungraded.judgements.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(academies):
    run(SAMPLE)
    before = list(Inspection.objects.order_by("pk").values())
    judgements = list(InspectionJudgement.objects.order_by("pk").values())

    again = run(SAMPLE)

    assert again.status == ImportBatch.Status.SUCCEEDED, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, SAMPLE_INSPECTIONS)
    assert list(Inspection.objects.order_by("pk").values()) == before
    assert list(InspectionJudgement.objects.order_by("pk").values()) == judgements


def test_a_dry_run_counts_what_it_would_create_and_writes_nothing(academies):
    batch = run(SAMPLE, dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.created == SAMPLE_INSPECTIONS
    assert not Inspection.objects.exists()
    assert not InspectionJudgement.objects.exists()


def test_a_regraded_area_updates_that_inspection_only_and_keeps_the_trusts_override(academies):
    run(SAMPLE)
    card = inspection("999101", datetime.date(2026, 1, 20))
    card.next_due_override = datetime.date(2027, 6, 1)
    card.save()

    batch = run(sample({"999101": {"Achievement": "Needs attention",
                                   "Achievement - date of grade": "02/02/2026"}}))

    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, SAMPLE_INSPECTIONS - 1)
    card.refresh_from_db()
    achievement = card.judgements.get(area="achievement")
    assert (achievement.label, achievement.grade_date) == ("Needs attention", datetime.date(2026, 2, 2))
    assert card.next_due_override == datetime.date(2027, 6, 1)
    assert card.batch == batch


def test_a_blank_date_of_grade_keeps_the_date_already_stored(academies):
    run(SAMPLE)

    batch = run(sample({"999101": {"Achievement - date of grade": "NULL"}}))

    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, SAMPLE_INSPECTIONS)
    card = inspection("999101", datetime.date(2026, 1, 20))
    assert card.judgements.get(area="achievement").grade_date == datetime.date(2026, 1, 20)


def test_rows_of_schools_outside_the_trust_are_left_out(academies):
    other = SCHOOLS["999105"].replace("999105", "999777")
    data = csv_bytes(HEADER, sample_rows(
        {"999777": {"Inspection start date": REPORT_CARD_DAY, "Inclusion": "Exceptional"}},
        extra=[("999777", other)],
    ))

    batch = run(data)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.skipped == 1
    assert batch.created == SAMPLE_INSPECTIONS
    assert not Inspection.objects.filter(urn_at_inspection="999777").exists()


def test_an_academy_data_manager_may_import_only_their_own_academys_inspections(academies):
    batch = run(SAMPLE, scope_academy=academies["999101"])

    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["value"]) for e in batch.errors] == [(3, "999102"), (4, "999103"), (5, "999105")]
    assert "your own academy (999101)" in batch.errors[0]["reason"]
    assert not Inspection.objects.exists()


def test_an_inspection_of_another_school_whose_urn_the_file_omits_is_left_out_with_a_note(academies):
    batch = run(sample({"999103": {"URN at time of latest OEIF graded inspection": "NULL"}}))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == SAMPLE_INSPECTIONS - 1
    assert not Inspection.objects.filter(start_date=datetime.date(2019, 5, 14)).exists()
    assert any("Row 4" in note and "14/05/2019" in note and "left out" in note for note in batch.notes)


def test_a_missing_report_link_is_left_empty(academies):
    run(sample({"999102": {"Web Link (opens in new window)": "NULL"}}))

    assert inspection("999102", datetime.date(2024, 10, 8)).report_url == ""


def test_a_category_of_concern_is_kept(academies):
    run(sample({
        "999101": {"Latest OEIF category of concern": "SWK", "Latest OEIF overall effectiveness": "4"},
        "999102": {"Latest OEIF category of concern": "Special measures"},
    }))

    assert inspection("999101", datetime.date(2022, 3, 8)).category_of_concern == "serious_weaknesses"
    assert inspection("999102", datetime.date(2024, 10, 8)).category_of_concern == "special_measures"
    assert inspection("999101", datetime.date(2026, 1, 20)).category_of_concern == ""


# Encodings


def test_a_windows_1252_file_keeps_its_curly_apostrophe(academies):
    data = sample({"999103": {"Ungraded inspection overall outcome": "School\u2019s standards maintained"}})
    assert b"School\x92s" in data  # the byte Ofsted's files have, which is not UTF-8

    batch = run(data)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    ungraded = inspection("999103", datetime.date(2024, 6, 5))
    assert ungraded.outcome_text == "School\u2019s standards maintained"


def test_the_same_file_saved_as_utf8_with_a_bom_is_the_same_file(academies):
    run(SAMPLE)

    again = run(b"\xef\xbb\xbf" + sample(encoding="utf-8"))

    assert (again.created, again.updated, again.unchanged) == (0, 0, SAMPLE_INSPECTIONS)


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(academies):
    data = SAMPLE.replace(b"Standards maintained", b"Standards \x81maintained")

    batch = run(data)

    assert batch.status == ImportBatch.Status.FAILED
    assert "neither UTF-8 nor Windows-1252" in batch.errors[0]["reason"]
    assert not Inspection.objects.exists()


# Malformed files: each refused whole, with the row as the spreadsheet numbers it


def test_a_file_without_its_urn_column_is_refused_with_a_clear_message(academies):
    header = [h for h in HEADER if h != "URN"]
    rows = [row[:1] + row[2:] for row in sample_rows()]

    batch = run(csv_bytes(header, rows))

    assert_refused(batch, (None, "URN", "", "the column 'URN' is missing"))


def test_a_bad_date_names_its_row_column_and_value_and_nothing_is_written(academies):
    batch = run(sample({"999102": {"Inspection start date of latest OEIF graded inspection": "31/02/2024"}}))

    assert_refused(batch, (3, "Inspection start date of latest OEIF graded inspection", "31/02/2024",
                           "is not a date"))


def test_an_unknown_grade_is_an_error_and_nothing_is_written(academies):
    batch = run(sample({"999101": {"Achievement": "Brilliant", "Latest OEIF quality of education": "5"}}))

    assert_refused(
        batch,
        (2, "Achievement", "Brilliant", "not a report-card grade"),
        (2, "Latest OEIF quality of education", "5", "not an Ofsted grade"),
    )


def test_an_unknown_safeguarding_or_concern_value_is_an_error(academies):
    batch = run(sample({"999102": {"Latest OEIF  safeguarding is effective?": "Partly",
                                   "Latest OEIF category of concern": "Concerning"}}))

    assert_refused(
        batch,
        (3, "Latest OEIF  safeguarding is effective?", "Partly", "not a safeguarding judgement"),
        (3, "Latest OEIF category of concern", "Concerning", "not a category of concern"),
    )


def test_a_grade_of_1_to_4_in_a_report_card_column_is_never_converted(academies):
    batch = run(sample({"999101": {"Inclusion": "2"}}))

    assert_refused(batch, (2, "Inclusion", "2", "not a report-card grade"))


def test_grades_on_a_scale_their_date_did_not_use_are_refused(academies):
    batch = run(sample({
        "999101": {"Inspection start date": "20/10/2025"},  # report-card grades before report cards
        "999102": {"Latest OEIF overall effectiveness": "3"},  # an overall grade after August 2024
    }))

    assert_refused(
        batch,
        (2, "Inspection start date", "20/10/2025", "never converted"),
        (3, "Inspection start date of latest OEIF graded inspection", "08/10/2024",
         "stopped giving from 1 September 2024"),
    )


def test_grades_without_an_inspection_date_are_refused(academies):
    batch = run(sample({"999105": {"Latest OEIF overall effectiveness": "2"}}))

    assert_refused(batch, (5, "Inspection start date of latest OEIF graded inspection", "NULL",
                           "no start date"))


def test_a_bad_predecessor_urn_is_an_error(academies):
    batch = run(sample({"999103": {"URN at time of latest OEIF graded inspection": "99900"}}))

    assert_refused(batch, (4, "URN at time of latest OEIF graded inspection", "99900", "not a URN"))


def test_one_inspection_described_twice_with_different_grades_names_both_rows(academies):
    rows = sample_rows()
    changed = sample_rows({"999102": {"Latest OEIF quality of education": "2"}})[1]

    batch = run(csv_bytes(HEADER, [*rows, changed]))

    assert_refused(batch, (6, "", "08/10/2024", "as row 3 does, but gives a different quality of education"))


def test_a_row_repeated_exactly_is_written_once(academies):
    rows = sample_rows()

    batch = run(csv_bytes(HEADER, [*rows, rows[0]]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == SAMPLE_INSPECTIONS


def test_a_refused_file_leaves_what_was_imported_before_untouched(academies):
    run(SAMPLE)
    before = list(Inspection.objects.order_by("pk").values())

    batch = run(sample({"999101": {"Achievement": "Brilliant", "Inclusion": "Exceptional"}}))

    assert batch.status == ImportBatch.Status.FAILED
    assert list(Inspection.objects.order_by("pk").values()) == before
    assert grades(inspection("999101", datetime.date(2026, 1, 20)))["inclusion"] == "Expected standard"


# Legacy layouts

EIF_HEADER = [
    "URN", "School name", "Inspection start date", "Publication date", "Overall effectiveness",
    "Category of concern", "Quality of education", "Behaviour and attitudes", "Personal development",
    "Effectiveness of leadership and management", "Safeguarding is effective?",
    "Early years provision (where applicable)", "Sixth form provision (where applicable)",
]
# data-formats.md 2.7's legacy-era row.
EIF_ROW = ["999102", "Synthetic Vale Academy", "06/02/2023", "17/03/2023", "3", "", "3", "2", "2", "3", "Yes",
           "9", "2"]


def test_a_legacy_graded_file_imports_with_overall_effectiveness(academies):
    batch = run(csv_bytes(EIF_HEADER, [EIF_ROW]), name="latest_inspections_as_at_31_Aug_2023.csv")

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ofsted_mi_eif"
    assert batch.created == 1
    vale = inspection("999102", datetime.date(2023, 2, 6))
    assert vale.framework == "graded"
    assert vale.headline == "Requires improvement"
    assert vale.safeguarding == Inspection.Safeguarding.EFFECTIVE
    assert vale.publication_date == datetime.date(2023, 3, 17)
    assert grades(vale) == {
        "quality_of_education": "Requires improvement", "behaviour_and_attitudes": "Good",
        "personal_development": "Good", "leadership_and_management": "Requires improvement",
        "sixth_form": "Good",
    }


def test_legacy_headers_are_matched_whatever_their_case_spacing_or_question_mark(academies):
    header = [h.upper().replace(" ", "  ").rstrip("?") for h in EIF_HEADER]
    no_overall = ["999101", "Synthetic Meadow Primary Academy", "15/01/2025", "20/02/2025", "Not judged",
                  "SM", "4", "3", "3", "4", "No", "3", "9"]

    batch = run(csv_bytes(header, [EIF_ROW, no_overall]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == 2
    meadow = inspection("999101", datetime.date(2025, 1, 15))
    assert meadow.framework == "no_overall"
    assert meadow.overall_effectiveness == ""
    assert meadow.category_of_concern == "special_measures"
    assert meadow.safeguarding == Inspection.Safeguarding.NOT_EFFECTIVE
    assert grades(meadow)["early_years"] == "Requires improvement"


def test_the_august_2025_layout_brings_the_previous_graded_inspection_too(academies):
    header = [
        "URN", "Inspection number of latest graded inspection", "Inspection start date", "Publication date",
        "Inspection type", "URN at time of latest graded inspection", "Category of concern",
        "Overall effectiveness", "Quality of education", "Behaviour and attitudes", "Personal development",
        "Effectiveness of leadership and management", "Safeguarding is effective?",
        "Previous graded inspection number", "Previous inspection start date", "Previous publication date",
        "URN at time of previous graded inspection", "Previous category of concern",
        "Previous graded inspection overall effectiveness", "Previous quality of education",
        "Previous safeguarding is effective?",
    ]
    row = ["999103", "10034", "02/07/2025", "10/08/2025", "Section 5", "999103", "NULL",
           "Not judged", "2", "2", "1", "2", "Yes",
           "10033", "14/05/2019", "12/06/2019", "999003", "NULL", "1", "NULL", "Yes"]

    batch = run(csv_bytes(header, [row]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.created == 2
    latest = inspection("999103", datetime.date(2025, 7, 2))
    assert (latest.framework, latest.inspection_number) == ("no_overall", "10034")
    assert latest.overall_effectiveness == ""
    previous = inspection("999103", datetime.date(2019, 5, 14), urn_at="999003")
    assert previous.of_predecessor
    assert previous.overall_effectiveness == "1"
    assert previous.inspection_number == "10033"


def test_a_legacy_file_adds_to_an_inspection_without_erasing_what_the_current_layout_gave(academies):
    run(SAMPLE)
    header = ["URN", "Inspection start date", "Overall effectiveness", "Quality of education",
              "URN at time of latest graded inspection"]
    row = ["999103", "14/05/2019", "1", "NULL", "999003"]

    batch = run(csv_bytes(header, [row]))

    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 1)
    predecessor = inspection("999103", datetime.date(2019, 5, 14), urn_at="999003")
    assert predecessor.report_url == "https://reports.ofsted.gov.uk/provider/21/999103"
    assert predecessor.safeguarding == Inspection.Safeguarding.EFFECTIVE


CIF_TITLE = "Management information - state-funded schools - inspections 1 September 2015 to 31 August 2019"
CIF_HEADER = [
    "Academic year", "URN", "LAESTAB", "School name", "Inspection number", "Inspection type",
    "Inspection start date", "Inspection end date", "Publication date", "Category of concern",
    "Overall effectiveness", "Effectiveness of leadership and management",
    "Quality of teaching, learning and assessment", "Personal development, behaviour and welfare",
    "Outcomes for pupils", "Early years provision (where applicable)",
    "16 to 19 study programmes (where applicable)", "Is safeguarding effective?",
]
CIF_ROWS = [
    ["2016/17", "999102", "9994001", "Synthetic Vale Academy", "10016", "Section 5", "07/03/2017",
     "08/03/2017", "12/04/2017", "SWK", "4", "4", "3", "3", "4", "9", "3", "No"],
    ["2018/19", "999102", "9994001", "Synthetic Vale Academy", "10018", "Section 5", "20/11/2018",
     "21/11/2018", "10/01/2019", "", "3", "3", "3", "2", "3", "9", "2", "Yes"],
]


def cif_file(rows=CIF_ROWS):
    # Saved from the workbook, the title line is padded with the commas of the empty cells.
    width = len(CIF_HEADER)
    return csv_bytes(CIF_HEADER, rows, above=[[CIF_TITLE, *[""] * (width - 1)], [""] * width])


def test_the_2015_to_2019_file_with_a_title_above_its_header_imports(academies):
    batch = run(cif_file(), name="Management_information_1_September_2015_to_31_August_2019.csv")

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.kind == "ofsted_mi_cif"
    assert batch.created == 2
    weak = inspection("999102", datetime.date(2017, 3, 7))
    assert weak.headline == "Inadequate"
    assert weak.category_of_concern == "serious_weaknesses"
    assert weak.safeguarding == Inspection.Safeguarding.NOT_EFFECTIVE
    assert grades(weak) == {"leadership_and_management": "Inadequate", "sixth_form": "Requires improvement"}
    later = inspection("999102", datetime.date(2018, 11, 20))
    assert (later.headline, later.safeguarding, later.inspection_number) == (
        "Requires improvement", Inspection.Safeguarding.EFFECTIVE, "10018")
    assert any("Teaching, learning and assessment" in note for note in batch.notes)


def test_a_bad_row_of_the_2015_to_2019_file_is_numbered_as_the_spreadsheet_shows_it(academies):
    rows = [CIF_ROWS[0], [*CIF_ROWS[1][:10], "5", *CIF_ROWS[1][11:]]]

    batch = run(cif_file(rows))

    # title line 1, blank line 2, header line 3, data from line 4
    assert_refused(batch, (5, "Overall effectiveness", "5", "not an Ofsted grade"))
