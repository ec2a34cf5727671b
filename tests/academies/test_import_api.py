"""POST /api/v1/imports/ and the scoped list and detail of imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academies.models import ImportBatch, Result
from tests.academies import test_imports_ui as ui
from tests.academies.test_imports_ui import FIGURES_PER_SCHOOL, absence_csv, absence_row
from tests.factories import Role
from trust.models import Membership

# Fixtures shared with the browser tests.
data_manager, small_background = ui.data_manager, ui.small_background
S = ImportBatch.Status
LIST = "/api/v1/imports/"


def post(client, data, **fields):
    return client.post(LIST, {"file": SimpleUploadedFile("absence.csv", data), **fields})


def api_detail(uuid):
    return reverse("api:importbatch-detail", kwargs={"uuid": uuid})


def test_a_small_file_is_imported_and_answers_201_with_the_batch(data_manager, world):
    response = post(data_manager, absence_csv(absence_row("100001"), absence_row("100003")))

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"], body["errors"]) == ("succeeded", "ees_absence", [])
    assert (body["created"], body["updated"], body["unchanged"]) == (2 * FIGURES_PER_SCHOOL, 0, 0)
    assert body["academies"] == ["100001", "100003"]
    assert body["uploaded_by"] == world[Role.DATA_MANAGER].email
    assert response["Location"] == api_detail(body["uuid"])
    assert Result.objects.count() == 2 * FIGURES_PER_SCHOOL


def test_a_dry_run_answers_201_previewed_and_writes_nothing(data_manager, world):
    response = post(data_manager, absence_csv(absence_row("100001")), dry_run="true")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["created"]) == ("previewed", FIGURES_PER_SCHOOL)
    assert Result.objects.count() == 0


def test_a_refused_file_answers_400_with_the_error_report(data_manager, world):
    response = post(data_manager, absence_csv(absence_row("100001"), absence_row("100002", overall="lots")))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failed"
    assert body["errors"][0]["row"] == 3
    assert body["errors"][0]["column"] == "sess_overall_percent"
    assert body["errors"][0]["value"] == "lots"
    assert "not a number" in body["errors"][0]["reason"]
    assert Result.objects.count() == 0
    # The refusal is recorded, and can be read again.
    assert data_manager.get(api_detail(body["uuid"])).json()["status"] == "failed"


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({}, "file", "No file was submitted"),
    ({"year": "2022/24"}, "year", "is not an academic year"),
    ({"kind": "horoscope"}, "kind", "is not a valid choice"),
])
def test_an_incomplete_request_answers_400_naming_the_field(data_manager, world, fields, field, message):
    data = {"file": SimpleUploadedFile("a.csv", absence_csv(absence_row("100001"))), **fields}
    if not fields:
        data = {}

    response = data_manager.post(LIST, data)

    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert ImportBatch.objects.count() == 0


def test_the_year_is_kept_for_files_that_do_not_carry_it(data_manager, world):
    body = post(data_manager, absence_csv(absence_row("100001")), year="2022/23").json()

    assert body["academic_year"] == "2022/23"


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HEADTEACHER, Role.EXECUTIVE, Role.HUB_LEAD])
def test_people_who_may_not_import_get_403(client, world, role):
    client.force_login(world[role])

    response = post(client, absence_csv(absence_row("100001")))

    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0


def test_anonymous_callers_get_401(client, world):
    assert post(client, absence_csv(absence_row("100001"))).status_code == 401


def test_academy_data_manager_imports_only_their_academy(client, world):
    client.force_login(world[Role.ACADEMY_DATA_MANAGER])

    own = post(client, absence_csv(absence_row("100001")))
    other = post(client, absence_csv(absence_row("100003")))

    assert own.status_code == 201 and own.json()["scope_academy"] == "100001"
    assert other.status_code == 400
    assert "only for your own academy (100001)" in other.json()["errors"][0]["reason"]
    assert not Result.objects.filter(academy=world.south_a).exists()


def test_academy_data_manager_of_two_academies_names_one(client, world):
    user = world[Role.ACADEMY_DATA_MANAGER]
    Membership.objects.create(user=user, role=Role.ACADEMY_DATA_MANAGER, academy=world.north_b)
    client.force_login(user)

    unnamed = post(client, absence_csv(absence_row("100002")))
    forged = post(client, absence_csv(absence_row("100003")), academy="100003")
    named = post(client, absence_csv(absence_row("100002")), academy="100002")

    assert unnamed.status_code == 400 and "academy" in unnamed.json()
    assert forged.status_code == 400 and "academy" in forged.json()
    assert named.status_code == 201 and named.json()["scope_academy"] == "100002"


def test_a_big_file_answers_202_and_is_imported_after_commit(
    data_manager, world, small_background, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(data_manager, absence_csv(absence_row("100001")))
        assert response.status_code == 202
        assert response.json()["status"] == "queued"

    body = data_manager.get(response["Location"]).json()
    assert (body["status"], body["created"]) == ("succeeded", FIGURES_PER_SCHOOL)


def test_the_list_and_detail_hold_only_what_the_caller_may_see(client, world):
    client.force_login(world[Role.DATA_MANAGER])
    north = post(client, absence_csv(absence_row("100001"))).json()
    south = post(client, absence_csv(absence_row("100003"))).json()

    client.force_login(world[Role.GOVERNOR])
    listed = client.get(LIST).json()
    assert [b["uuid"] for b in listed["results"]] == [north["uuid"]]
    assert client.get(api_detail(north["uuid"])).status_code == 200
    assert client.get(api_detail(south["uuid"])).status_code == 404
    assert client.get(api_detail("not-a-uuid")).status_code == 404

    client.force_login(world[Role.TRUSTEE])
    assert client.get(LIST).json()["count"] == 2


def test_the_schema_documents_the_answers(client, world):
    client.force_login(world[Role.DATA_MANAGER])

    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]

    create = paths["/api/v1/imports/"]["post"]
    assert {"201", "202", "400", "403"} <= set(create["responses"])
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert "404" in paths["/api/v1/imports/{uuid}/"]["get"]["responses"]
