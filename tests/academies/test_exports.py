"""The export of a senior leader's objectives: the agreed targets and plan priorities of an academy,
as CSV, XLSX and PDF. Only agreed targets count; nothing in a cell runs as a formula; the PDF fetches
nothing from outside the app."""

import csv
import datetime
import io
import re
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from academies import exports
from academies.models import Target
from tests.access_cases.plans import make_action, make_priority, make_review, make_target
from tests.factories import AcademyFactory, Role

R = Role
TODAY = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=datetime.UTC)
HOSTILE = "=cmd|' /C calc'!A0"
SAFE_NAME = re.compile(r'^attachment; filename="objectives-\d{6}-[a-z0-9-]+-\d{4}-\d{2}\.(csv|xlsx|pdf)"$')


@pytest.fixture(autouse=True)
def _spring_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def objectives(world):
    """North A in 2025/26: two agreed targets, one still proposed, one draft, and two priorities."""
    agreed = make_target(world.north_a, value="72", rationale="Last year's 69% plus the challenge.",
                         board_meeting=datetime.date(2025, 10, 16), progress=Target.Progress.ON_TRACK)
    progress = make_target(world.north_a, measure="ks2_progress", subject="reading", value="-0.50",
                           rationale="+ closing the gap", board_meeting=datetime.date(2025, 10, 16))
    proposed = make_target(world.north_a, measure="attendance", subject="", value="96.5",
                           status=Target.Status.PROPOSED, rationale="Still with the LGB.")
    make_target(world.north_a, measure="persistent_absence", subject="", value="12",
                status=Target.Status.DRAFT, rationale="A draft nobody agreed.")
    reading = make_priority(world.north_a, title="Every pupil reads fluently by the end of Year 2")
    reading.targets.add(agreed, proposed)
    make_action(reading, title="Phonics training", owner="Reading lead", due_on=datetime.date(2026, 1, 31))
    make_review(reading, rag="amber")
    reading.rag = "amber"
    reading.save()
    make_priority(world.north_a, title=HOSTILE, theme="other", order=2, description="@SUM(1+1)")
    make_target(world.north_b, value="90", rationale="Another academy's target.")
    return {"agreed": agreed, "progress": progress, "proposed": proposed}


def export(client, world, fmt, academy=None, role=R.HEADTEACHER, **query):
    client.force_login(world[role])
    url = reverse(f"academies:objectives-{fmt}", kwargs={"urn": (academy or world.north_a).urn})
    return client.get(url, query)


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_holds_the_agreed_targets_and_the_priorities(client, world, objectives):
    response = export(client, world, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert SAFE_NAME.match(response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    flat = "\n".join(",".join(row) for row in rows)

    assert rows[0] == ["Objectives of the senior leaders of North A, 2025/26"]
    assert [exports.AGREED_ONLY] in rows
    targets = rows[rows.index(["Agreed targets"]) + 2:rows.index(["Development plan priorities"]) - 1]
    assert [row[0] for row in targets] == ["KS2 expected standard, Reading, writing and maths",
                                           "KS2 progress score, Reading"]
    assert targets[0][1:3] == ["72.00", "%"]
    assert targets[0][6:] == ["2025-10-16", "On track"]
    # Not yet agreed, so not an objective; nor anything of another academy.
    for absent in ("Still with the LGB.", "A draft nobody agreed.", "Attendance", "Another academy"):
        assert absent not in flat
    priorities = rows[rows.index(["Development plan priorities"]) + 2:]
    assert priorities[0][1] == "Every pupil reads fluently by the end of Year 2"
    assert priorities[0][4] == "KS2 expected standard, Reading, writing and maths: 72%"  # the agreed one only
    assert priorities[0][7] == "Amber: some concerns"
    assert priorities[0][9] == "Phonics training (Reading lead; due 31 Jan 2026; overdue)"


def test_the_csv_escapes_formulas_but_keeps_numbers(client, world, objectives):
    rows = csv_rows(export(client, world, "csv"))
    priorities = rows[rows.index(["Development plan priorities"]) + 2:]
    hostile = next(row for row in priorities if HOSTILE in row[1])
    assert hostile[1] == "'" + HOSTILE
    assert hostile[3] == "'@SUM(1+1)"
    progress = next(row for row in rows if row and row[0] == "KS2 progress score, Reading")
    assert progress[1] == "-0.50"  # a number we wrote, not text: left as it is
    assert progress[4] == "'+ closing the gap"


def test_the_xlsx_holds_the_same_and_no_cell_is_a_formula(client, world, objectives):
    response = export(client, world, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert SAFE_NAME.match(response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Agreed targets", "Development plan priorities"]
    targets = book["Agreed targets"]
    assert targets["A1"].value == "Objectives of the senior leaders of North A, 2025/26"
    assert targets["A3"].value == exports.AGREED_ONLY
    labels = [row[0].value for row in targets.iter_rows(min_row=6)]
    assert labels == ["KS2 expected standard, Reading, writing and maths", "KS2 progress score, Reading"]
    value = targets.cell(row=7, column=2)
    assert (value.value, value.data_type) == (-0.5, "n")
    assert targets.cell(row=7, column=5).value == "'+ closing the gap"
    assert targets.cell(row=6, column=7).value == datetime.datetime(2025, 10, 16)

    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    priorities = book["Development plan priorities"]
    hostile = next(c for c in priorities["B"] if c.value and HOSTILE in c.value)
    assert (hostile.value, hostile.data_type) == ("'" + HOSTILE, "s")
    assert "Still with the LGB." not in {c.value for c in cells}


def test_the_pdf_is_a_real_pdf_with_the_academy_and_its_objectives(client, world, objectives):
    response = export(client, world, "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert SAFE_NAME.match(response["Content-Disposition"])
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    words = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "North A" in words and "2025/26" in words
    assert "Only targets agreed by the Trust Board count as objectives" in words
    assert ("KS2 expected standard, Reading, writing and maths Last year's 69% plus the challenge. 72% – "
            "Board of 16 Oct 2025 ✔ On track") in words
    assert "KS2 progress score, Reading + closing the gap -0.50" in words
    assert "Every pupil reads fluently by the end of Year 2" in words
    assert "Amber: some concerns" in words and "Overdue" in words
    assert "Still with the LGB." not in words and "Attendance" not in words
    assert reader.metadata.title == "Objectives of the senior leaders of North A, 2025/26"


def test_the_pdf_shows_markup_as_text_and_fetches_nothing(client, world, objectives):
    make_priority(world.north_a, title='<img src="http://127.0.0.1:9/x.png">', theme="other", order=3,
                  description='<link rel="stylesheet" href="file:///etc/passwd">')
    fetched = []

    def spy(url):
        fetched.append(url)
        return exports.static_only_fetcher(url)

    with mock.patch.object(exports, "static_only_fetcher", spy):
        response = export(client, world, "pdf")
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert '<img src="http://127.0.0.1:9/x.png">' in re.sub(r"\s+", " ", words)
    assert fetched == []


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.css",
    "http://169.254.169.254/latest/meta-data/",
    "https://objectives.invalid/media/secret.pdf",
    "https://objectives.invalid/static/../../trust/settings.py",
    "https://objectives.invalid/static/%2e%2e/trust/settings.py",
    "https://elsewhere.example/static/css/app.css",
])
def test_the_pdf_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        exports.static_only_fetcher(url)


def test_the_pdf_fetcher_serves_the_apps_own_static_files():
    response = exports.static_only_fetcher("https://objectives.invalid/static/css/app.css")
    assert response.content_type == "text/css"
    assert b".status-badge" in response.read()


def test_an_academy_without_agreed_targets_or_plan_says_so(client, world):
    make_target(world.north_b, status=Target.Status.REVIEWED)
    rows = csv_rows(export(client, world, "csv", academy=world.north_b, role=R.HUB_LEAD))
    assert ["The Trust Board has agreed no targets for 2025/26 yet."] in rows
    assert ["The academy has no development plan priorities for 2025/26 yet."] in rows


def test_the_year_can_be_chosen(client, world, objectives):
    rows = csv_rows(export(client, world, "csv", year="2024/25"))
    assert rows[0] == ["Objectives of the senior leaders of North A, 2024/25"]
    assert ["The Trust Board has agreed no targets for 2024/25 yet."] in rows
    refused = export(client, world, "csv", year="2025-26")
    assert refused.status_code == 400
    assert "2024/25" in refused.content.decode()


def test_the_file_name_is_safe_whatever_the_academy_is_called(client, world):
    academy = AcademyFactory(trust=world.trust, hub=world.north, urn="100009",
                             name='St Mary\'s "C of E"; Évreux\r\nSet-Cookie: x=1')
    response = export(client, world, "xlsx", academy=academy, role=R.EXECUTIVE)
    assert response["Content-Disposition"] == (
        'attachment; filename="objectives-100009-st-marys-c-of-e-evreux-set-cookie-x1-2025-26.xlsx"'
    )


def test_people_outside_the_academy_get_404(client, world, objectives):
    assert export(client, world, "csv", academy=world.north_b).status_code == 404
    assert export(client, world, "pdf", academy=world.south_a, role=R.HUB_LEAD).status_code == 404
    assert export(client, world, "xlsx", role=R.GOVERNOR).status_code == 200


@pytest.mark.parametrize("text", ["=1+1", " =1+1", "\x01=HYPERLINK(\"http://x\")", "\t\n@SUM(A1)", "-2"])
def test_text_that_a_spreadsheet_would_run_is_escaped_even_behind_spaces_or_control_characters(text):
    assert exports.safe(text) == f"'{text}"


def test_ordinary_text_and_numbers_are_left_alone():
    assert exports.safe("Reading lead") == "Reading lead"
    assert exports.safe(-2) == -2
