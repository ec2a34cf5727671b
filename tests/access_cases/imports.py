"""Imports: the list, upload form, batch pages, template downloads, and the imports API.

Reading a batch follows its visibility (everyone who sees an academy it touched); uploading and
the template need the data.import action (administrator, trust data manager, academy data manager).
"""

from academies.models import ImportBatch

from .common import Case, R, read, trust_level

IMPORTERS = {R.ADMINISTRATOR, R.DATA_MANAGER, R.ACADEMY_DATA_MANAGER}


def batch_of(world, academy):
    """A trust data manager's finished import that wrote figures for `academy`."""
    batch = ImportBatch.objects.create(
        file_name=f"absence-{academy.urn}.csv", checksum="0" * 64, kind="ees_absence",
        status=ImportBatch.Status.SUCCEEDED, uploaded_by=world[R.DATA_MANAGER], created=4,
    )
    batch.academies.add(academy)
    return {"uuid": batch.uuid}


CASES = [
    Case("academies:imports", "get", 200),
    Case("academies:imports", "post", 405),
    Case("academies:import-new", "get", trust_level(IMPORTERS)),
    # An empty form comes back with its errors (200); nothing is imported.
    Case("academies:import-new", "post", trust_level(IMPORTERS), data=lambda w, a: {}),
    Case("academies:import-template", "get", trust_level(IMPORTERS), kwargs={"fmt": "csv"}),
    Case("academies:import-template", "get", trust_level(IMPORTERS), kwargs={"fmt": "xlsx"}),
    Case("academies:import-template", "post", 405, kwargs={"fmt": "csv"}),
    Case("academies:import-detail", "get", read, object_kwargs=batch_of),
    Case("academies:import-detail", "post", 405, object_kwargs=batch_of),
    Case("academies:import-progress", "get", read, object_kwargs=batch_of),
    Case("academies:import-errors", "get", read, object_kwargs=batch_of),
    Case("academies:import-errors", "post", 405, object_kwargs=batch_of),
    Case("api:importbatch-list", "get", 200, anon=401),
    Case("api:importbatch-list", "post", trust_level(IMPORTERS, ok=400), anon=401, multipart=True,
         data=lambda w, a: {"dry_run": "true"}),
    Case("api:importbatch-detail", "get", read, anon=401, object_kwargs=batch_of),
    Case("api:importbatch-detail", "patch", 405, anon=401, object_kwargs=batch_of,
         data=lambda w, a: {"file_name": "renamed.csv"}),
    Case("api:importbatch-detail", "delete", 405, anon=401, object_kwargs=batch_of),
]
