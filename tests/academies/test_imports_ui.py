"""Imports in the browser: upload, dry run, refusal, scope, background runs and the task."""

import csv
import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from academies import tasks
from academies.imports import pipeline, submit
from academies.imports.submit import import_submit
from academies.models import ImportBatch, Result
from tests.factories import Role
from tests.trust import test_services
from tests.utils import queries_for
from trust.models import Membership

S = ImportBatch.Status
celery_worker = test_services.celery_worker  # the real worker, as a fixture
HEADER = (
    "time_period,time_identifier,geographic_level,old_la_code,la_name,school_urn,school_name,"
    "enrolments,sess_overall_percent,sess_unauthorised_percent,enrolments_pa_10_exact_percent,"
    "enrolments_pa_50_exact_percent"
)
# Overall, unauthorised, persistent and severe absence, and attendance derived from overall.
FIGURES_PER_SCHOOL = 5


def absence_row(urn, overall="5.0", level="School", la="999"):
    return f"202425,Academic year,{level},{la},Testshire,{urn},School {urn},400,{overall},1.4,13.6,0.8"


def absence_csv(*rows):
    """A small file in the EES school-level absence layout."""
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def upload(data, name="absence.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_file(client, data, follow=True, **fields):
    return client.post(reverse("academies:import-new"), {"file": upload(data), **fields}, follow=follow)


def detail_url(batch):
    return reverse("academies:import-detail", kwargs={"uuid": batch.uuid})


@pytest.fixture
def data_manager(client, world):
    client.force_login(world[Role.DATA_MANAGER])
    return client


def test_data_manager_imports_a_small_file_and_sees_the_counts(data_manager, world):
    response = post_file(data_manager, absence_csv(absence_row("100001"), absence_row("100003")))

    batch = ImportBatch.objects.get()
    assert batch.status == S.SUCCEEDED
    assert batch.uploaded_by == world[Role.DATA_MANAGER]
    assert Result.objects.filter(academy__urn__in=["100001", "100003"]).count() == 2 * FIGURES_PER_SCHOOL
    assert response.redirect_chain[-1][0] == detail_url(batch)
    page = response.content.decode()
    assert "Imported" in page
    assert '<dd class="col-5" data-count="created">10</dd>' in page
    assert "North A" in page and "South A" in page  # the academies it wrote figures for


def test_the_same_file_again_changes_nothing(data_manager, world):
    data = absence_csv(absence_row("100001"))
    post_file(data_manager, data)
    page = post_file(data_manager, data).content.decode()

    assert f'data-count="unchanged">{FIGURES_PER_SCHOOL}</dd>' in page
    assert 'data-count="created">0</dd>' in page
    assert Result.objects.count() == FIGURES_PER_SCHOOL


def test_a_dry_run_stores_nothing_and_says_previewed(data_manager, world):
    response = post_file(data_manager, absence_csv(absence_row("100001")), dry_run="on")

    assert Result.objects.count() == 0
    assert ImportBatch.objects.get().status == S.PREVIEWED
    page = response.content.decode()
    assert "Previewed" in page
    assert "nothing was written" in page
    assert 'data-count="created">5</dd>' in page  # what a real import would create
    assert "Import it for real" in page


def test_a_bad_file_shows_the_error_table_and_stores_nothing(data_manager, world):
    response = post_file(
        data_manager, absence_csv(absence_row("100001"), absence_row("100002", overall="lots")),
    )

    assert Result.objects.count() == 0  # the good row is not written either
    batch = ImportBatch.objects.get()
    assert batch.status == S.FAILED
    page = response.content.decode()
    assert "Refused: nothing was written" in page
    # Row 3 as a spreadsheet numbers it: the header is row 1.
    assert "<td>3</td><td>sess_overall_percent</td><td><code>lots</code></td>" in page
    assert reverse("academies:import-errors", kwargs={"uuid": batch.uuid}) in page


def test_a_file_that_is_not_a_table_is_refused_with_what_to_do(data_manager, world):
    response = post_file(data_manager, b"PK\x03\x04 not really a workbook", name="absence.csv")

    assert ImportBatch.objects.get().status == S.FAILED
    assert "Save it as CSV" in response.content.decode()
    assert "Whole file" in response.content.decode()


def test_the_error_report_downloads_as_csv_with_formulas_defused(data_manager, world):
    post_file(data_manager, absence_csv(absence_row("100001", overall="=1+1"),
                                        absence_row("100002", overall="@SUM(A1)")))
    batch = ImportBatch.objects.get()

    response = data_manager.get(reverse("academies:import-errors", kwargs={"uuid": batch.uuid}))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert rows[1][:3] == ["2", "sess_overall_percent", "'=1+1"]
    assert rows[2][:3] == ["3", "sess_overall_percent", "'@SUM(A1)"]
    assert "not a number" in rows[1][3]


def test_an_empty_form_says_what_is_missing(data_manager, world):
    response = data_manager.post(reverse("academies:import-new"), {})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_form_offers_academic_years_for_files_without_one(data_manager, world):
    page = data_manager.get(reverse("academies:import-new")).content.decode()

    assert '<option value="2022">2022/23</option>' in page
    assert 'type="file"' in page


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HEADTEACHER, Role.TRUSTEE])
def test_people_who_may_not_import_get_403_on_the_upload_page(client, world, role):
    client.force_login(world[role])

    assert client.get(reverse("academies:import-new")).status_code == 403
    response = post_file(client, absence_csv(absence_row("100001")), follow=False)
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0 and Result.objects.count() == 0


def test_academy_data_manager_imports_for_their_own_academy(client, world):
    client.force_login(world[Role.ACADEMY_DATA_MANAGER])
    page = client.get(reverse("academies:import-new")).content.decode()
    assert "You import figures for <strong>North A</strong>" in page

    post_file(client, absence_csv(absence_row("100001")))

    batch = ImportBatch.objects.get()
    assert batch.status == S.SUCCEEDED
    assert batch.scope_academy == world.north_a
    assert Result.objects.filter(academy=world.north_a).count() == FIGURES_PER_SCHOOL


def test_academy_data_manager_file_with_another_academys_rows_is_refused(client, world):
    client.force_login(world[Role.ACADEMY_DATA_MANAGER])

    response = post_file(client, absence_csv(absence_row("100001"), absence_row("100002")))

    assert ImportBatch.objects.get().status == S.FAILED
    assert Result.objects.count() == 0
    page = response.content.decode()
    assert "you may import figures only for your own academy (100001)" in page
    assert "<td>3</td><td>URN</td><td><code>100002</code></td>" in page


def test_academy_data_manager_of_two_academies_chooses_which(client, world):
    user = world[Role.ACADEMY_DATA_MANAGER]
    Membership.objects.create(user=user, role=Role.ACADEMY_DATA_MANAGER, academy=world.north_b)
    client.force_login(user)

    missing = post_file(client, absence_csv(absence_row("100002")), follow=False)
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    forged = post_file(client, absence_csv(absence_row("100003")), follow=False, academy="100003")
    assert "Select a valid choice" in forged.content.decode()
    assert ImportBatch.objects.count() == 0

    post_file(client, absence_csv(absence_row("100002")), academy="100002")
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.scope_academy) == (S.SUCCEEDED, world.north_b)


def test_nobody_sees_a_batch_of_an_academy_outside_their_scope(client, world):
    client.force_login(world[Role.DATA_MANAGER])
    post_file(client, absence_csv(absence_row("100003")))  # South A only
    batch = ImportBatch.objects.get()

    for role in (Role.GOVERNOR, Role.ACADEMY_DATA_MANAGER, Role.HUB_LEAD):
        client.force_login(world[role])
        for name in ("import-detail", "import-progress", "import-errors"):
            response = client.get(reverse(f"academies:{name}", kwargs={"uuid": batch.uuid}))
            assert response.status_code == 404, (role, name)
        assert batch.file_name not in client.get(reverse("academies:imports")).content.decode()


def test_people_of_a_touched_academy_and_the_uploader_see_the_batch(client, world):
    client.force_login(world[Role.ACADEMY_DATA_MANAGER])
    post_file(client, absence_csv(absence_row("100002")), follow=False)  # refused: touched nothing
    refused = ImportBatch.objects.get()
    client.force_login(world[Role.DATA_MANAGER])
    post_file(client, absence_csv(absence_row("100001")), follow=False)
    touching = ImportBatch.objects.exclude(pk=refused.pk).get()

    client.force_login(world[Role.ACADEMY_DATA_MANAGER])
    assert client.get(detail_url(refused)).status_code == 200  # their own upload
    client.force_login(world[Role.GOVERNOR])
    assert client.get(detail_url(touching)).status_code == 200
    listed = client.get(reverse("academies:imports")).content.decode()
    assert touching.file_name in listed
    assert "2 imports" in listed  # and the refused upload made for North A


def test_the_list_is_paginated_in_constant_queries(data_manager, world):
    def make(count):
        ImportBatch.objects.bulk_create([
            ImportBatch(file_name=f"file-{n:03d}.csv", checksum="0" * 64, status=S.SUCCEEDED,
                        uploaded_by=world[Role.DATA_MANAGER], kind="ees_absence")
            for n in range(count)
        ])

    make(3)
    _, few = queries_for(data_manager, reverse("academies:imports"))
    make(60)
    response, many = queries_for(data_manager, reverse("academies:imports"))

    # session, user, memberships (scope), count, one page of batches with uploader, year, academy
    assert len(few) == len(many)
    assert "63 imports" in response.content.decode()
    assert "Page 1 of 2" in response.content.decode()
    assert "EES pupil absence (school level)" in response.content.decode()
    page_two = data_manager.get(reverse("academies:imports") + "?page=2").content.decode()
    assert page_two.count("file-") == 13


def test_the_menu_offers_imports_to_people_who_may_import(client, world):
    client.force_login(world[Role.ACADEMY_DATA_MANAGER])
    assert 'data-nav="imports"' in client.get(reverse("academies:list")).content.decode()
    client.force_login(world[Role.GOVERNOR])
    assert 'data-nav="imports"' not in client.get(reverse("academies:list")).content.decode()


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_the_trust_template_downloads(data_manager, world, fmt, content_type):
    from academies.imports.formats.trust_template import TEMPLATE_COLUMNS

    response = data_manager.get(reverse("academies:import-template", kwargs={"fmt": fmt}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert f'.{fmt}"' in response["Content-Disposition"]
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header == [name for name, _, _ in TEMPLATE_COLUMNS]
    else:
        assert response.content.startswith(b"PK")


# Big files: stored, then imported by the Celery task once the batch is committed.

@pytest.fixture
def small_background(monkeypatch, eager):
    """Every file counts as big, so that the background path runs on a small one."""
    monkeypatch.setattr(pipeline, "BACKGROUND_BYTES", 10)


def test_a_big_file_is_imported_in_the_background_with_progress(
    data_manager, world, small_background, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(data_manager, absence_csv(absence_row("100001")), follow=False)
        batch = ImportBatch.objects.get()
        assert batch.status == S.QUEUED and batch.stored_file
        page = data_manager.get(response["Location"]).content.decode()
        assert "being imported in the background" in page
        assert 'hx-trigger="every 2s"' in page and "htmx-2.0.11/htmx.min.js" in page
        stored = batch.stored_file.path
    # Leaving the block commits: the task runs (eagerly here).
    batch.refresh_from_db()
    assert batch.status == S.SUCCEEDED
    assert Result.objects.count() == FIGURES_PER_SCHOOL
    assert not batch.stored_file and not os.path.exists(stored)

    progress = reverse("academies:import-progress", kwargs={"uuid": batch.uuid})
    assert data_manager.get(progress, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = data_manager.get(detail_url(batch)).content.decode()
    assert 'data-count="created">5</dd>' in page and "hx-trigger" not in page


def test_a_small_file_of_many_rows_also_goes_to_the_background(data_manager, world, eager, monkeypatch):
    monkeypatch.setattr(submit, "BACKGROUND_ROWS", 3)

    few = import_submit(data=absence_csv(absence_row("100001")), file_name="few.csv",
                        user=world[Role.DATA_MANAGER])
    many = import_submit(data=absence_csv(*(absence_row(urn) for urn in ("100001", "100002", "100003"))),
                         file_name="many.csv", user=world[Role.DATA_MANAGER])

    assert few.status == S.SUCCEEDED  # imported at once
    assert many.status == S.QUEUED and many.stored_file  # waits for the commit, then the task


def test_the_progress_panel_polls_while_the_import_waits(data_manager, world, small_background):
    batch = import_submit(data=absence_csv(absence_row("100001")), file_name="big.csv",
                          user=world[Role.DATA_MANAGER])  # not committed: the task has not run

    response = data_manager.get(reverse("academies:import-progress", kwargs={"uuid": batch.uuid}),
                                headers={"HX-Request": "true"})

    assert "HX-Refresh" not in response
    assert "Waiting for the import worker" in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()


def queued_batch(world):
    """A stored upload waiting for the task, recorded as the service records it (without the
    enqueue, so that each test runs the task itself)."""
    return pipeline.start_batch(data=absence_csv(absence_row("100001")), file_name="big.csv",
                                user=world[Role.DATA_MANAGER], keep_file=True)


def test_running_the_task_twice_imports_once(world, eager):
    batch = queued_batch(world)

    assert tasks.run_import.delay(batch.pk).get() == S.SUCCEEDED
    assert tasks.run_import.delay(batch.pk).get() is None  # nothing left to claim

    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.unchanged) == (S.SUCCEEDED, FIGURES_PER_SCHOOL, 0)
    assert Result.objects.count() == FIGURES_PER_SCHOOL


def test_a_batch_claimed_by_a_lost_worker_is_claimed_again_only_once_stale(world, settings, eager):
    batch = queued_batch(world)
    claimed = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT - 60)
    ImportBatch.objects.filter(pk=batch.pk).update(status=S.RUNNING, started_at=claimed)
    assert tasks.run_import(batch.pk) is None  # its worker may still be on it

    lost = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=lost)
    assert tasks.run_import(batch.pk) == S.SUCCEEDED
    assert Result.objects.count() == FIGURES_PER_SCHOOL


def test_a_transient_database_error_is_retried_with_the_file_kept(world, monkeypatch, eager):
    batch = queued_batch(world)
    calls = []

    def flaky(batch, data):
        calls.append(batch.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return pipeline.run_batch(batch, data)

    monkeypatch.setattr(tasks, "run_batch", flaky)
    # throw=False: run as a worker would, retrying rather than raising to the caller.
    tasks.run_import.apply(args=[batch.pk], throw=False)

    batch.refresh_from_db()
    assert len(calls) == 2
    assert batch.status == S.SUCCEEDED and not batch.stored_file
    assert Result.objects.count() == FIGURES_PER_SCHOOL


def test_a_missing_stored_file_refuses_the_batch_clearly(world, eager):
    batch = queued_batch(world)
    batch.stored_file.storage.delete(batch.stored_file.name)

    assert tasks.run_import(batch.pk) == S.FAILED
    batch.refresh_from_db()
    assert "could not find the uploaded file" in batch.errors[0]["reason"]
    assert Result.objects.count() == 0


@pytest.mark.services
def test_a_real_worker_imports_a_stored_upload(celery_worker, world, settings):
    # The worker reads uploads from its own MEDIA_ROOT (from the environment, as in production,
    # where web and worker share that volume): store the file there.
    settings.MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or str(settings.VAR_DIR / "media")
    batch = queued_batch(world)

    status = tasks.run_import.apply_async(args=[batch.pk], queue=celery_worker).get(timeout=60)

    assert status == S.SUCCEEDED
    batch.refresh_from_db()
    assert (batch.status, batch.created) == (S.SUCCEEDED, FIGURES_PER_SCHOOL)
    assert Result.objects.filter(academy=world.north_a).count() == FIGURES_PER_SCHOOL
    assert not batch.stored_file
    # A second delivery of the same task finds nothing to claim.
    assert tasks.run_import.apply_async(args=[batch.pk], queue=celery_worker).get(timeout=60) is None


def test_the_batch_page_shows_its_academies_in_constant_queries(data_manager, world):
    post_file(data_manager, absence_csv(absence_row("100001"), absence_row("100003")))
    batch = ImportBatch.objects.get()

    response, statements = queries_for(data_manager, detail_url(batch))

    # session, user, memberships (scope), unread notifications, the batch with uploader, year
    # and academy, the academies it touched that the person sees; then the session is saved
    # (idle timeout).
    assert len(statements) == 7, statements
    assert "North A" in response.content.decode() and "South A" in response.content.decode()
