"""Holes a review found, closed: each test is what an outsider or a governor tried."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from academies.imports.pipeline import import_file
from academies.models import Academy, Comparator, Measure, Result, Target
from tests.factories import Role
from trust.models import AcademicYear

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_an_academys_data_manager_cannot_set_the_trusts_comparators(world):
    Academy.objects.filter(pk=world.north_a.pk).update(urn="999101", la_code="999")
    academy = Academy.objects.get(pk=world.north_a.pk)
    data = (SAMPLES / "synthetic_england_ks2final.csv").read_bytes()
    year = AcademicYear.for_date(datetime.date(2024, 9, 1))
    batch = import_file(data=data, file_name="england_ks2final.csv", year=year, scope_academy=academy)
    assert batch.status == "succeeded", batch.errors
    assert Comparator.objects.count() == 0
    assert any("left out" in note for note in batch.notes)
    assert Result.objects.filter(academy=academy).exists()


def test_a_hub_lead_cannot_take_an_academy_out_of_their_hub_through_the_api(client, world):
    client.force_login(world[Role.HUB_LEAD])
    url = reverse("api:academy-detail", kwargs={"urn": world.north_a.urn})
    response = client.patch(url, {"hub": None}, content_type="application/json")
    assert response.status_code == 400
    world.north_a.refresh_from_db()
    assert world.north_a.hub == world.north


def test_an_import_for_an_impossible_year_is_refused_without_a_trace(client, world):
    client.force_login(world[Role.DATA_MANAGER])
    data = (SAMPLES / "synthetic_ees_absence_school.csv").read_bytes()
    response = client.post("/api/v1/imports/", {"file": _upload(data), "year": "9999/00"})
    assert response.status_code == 400
    assert "year" in response.json()
    assert not AcademicYear.objects.filter(start_year=9999).exists()


def test_a_governor_is_not_shown_a_small_groups_figure_through_a_target(client, world):
    year = AcademicYear.current()
    measure = Measure.objects.get(code="ks2_expected")
    result = Result.objects.create(
        academy=world.north_a, measure=measure, academic_year=year, pupil_group="disadvantaged",
        year_group="KS2", subject="rwm", value=Decimal("47.5"), raw="47.5", cohort=4,
    )
    target = Target.objects.create(
        academy=world.north_a, academic_year=year, measure=measure, pupil_group="disadvantaged",
        year_group="KS2", subject="rwm", value=Decimal("60"), progress="off_track",
        progress_value=Decimal("47.5"), progress_result=result,
    )
    client.force_login(world[Role.GOVERNOR])
    page = client.get(reverse("academies:targets", kwargs={"urn": world.north_a.urn})).content.decode()
    assert "47.5" not in page and "48%" not in page
    assert "too small to report" in page
    api = client.get(reverse("api:target-detail", kwargs={"uuid": target.uuid})).json()
    assert api["progress_value"] is None and api["progress"] == "small_cohort"

    client.force_login(world[Role.EXECUTIVE])
    api = client.get(reverse("api:target-detail", kwargs={"uuid": target.uuid})).json()
    assert Decimal(api["progress_value"]) == Decimal("47.5")


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("absence.csv", data, content_type="text/csv")


def test_two_people_adding_the_same_target_at_once_get_an_explanation_not_an_error(world, monkeypatch):
    """The unique check passes for both; the database refuses the second, which is told why."""
    from academies import services

    year = AcademicYear.current()
    measure = Measure.objects.get(code="phonics_y1")
    Target.objects.create(academy=world.north_a, academic_year=year, measure=measure, value=Decimal("80"))
    monkeypatch.setattr(Target, "full_clean", lambda self, *a, **k: None)  # as if both passed at once
    with pytest.raises(services.WorkflowError, match="already has a target"):
        services.target_create(academy=world.north_a, academic_year=year, measure=measure,
                               value=Decimal("82"), by=world[Role.HEADTEACHER])
    assert Target.objects.filter(academy=world.north_a, measure=measure).count() == 1


@pytest.mark.parametrize("url", ["/api/v1/targets/not-a-uuid/", "/api/v1/plans/not-a-uuid/"])
def test_a_malformed_identifier_is_not_found_like_a_missing_one(client, world, url):
    client.force_login(world[Role.EXECUTIVE])
    response = client.get(url)
    assert response.status_code == 404
