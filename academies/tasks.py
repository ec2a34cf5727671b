"""Celery tasks of the academies app: thin, idempotent wrappers over the import pipeline."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from .imports.pipeline import run_batch
from .models import ImportBatch

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)
Status = ImportBatch.Status


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=300,
             max_retries=5)
def run_import(batch_id):
    """Import the stored upload of a queued batch. Safe to run twice: only the run that claims
    the batch imports it; any other returns at once. Returns the batch's final status, or None
    when there was nothing to claim."""
    if not _claim(batch_id):
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    _import_stored(batch)
    return batch.status


def _claim(batch_id):
    """Take the batch if it is queued, or if it is marked running by a worker that cannot still
    be working on it: no task outlives the time limit, so a claim older than that was lost with
    its worker and the message has come back (acks_late)."""
    now = timezone.now()
    lost = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return ImportBatch.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=lost), pk=batch_id,
    ).update(status=Status.RUNNING, started_at=now)


def _import_stored(batch):
    field = batch.stored_file
    name, storage = field.name, field.storage
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):  # ValueError: the batch has no file at all
        _refuse_missing_file(batch)
        return
    # The task removes the upload itself, once the import has finished: if the database goes
    # away mid-import, the file stays for the retry.
    batch.stored_file = ""
    try:
        run_batch(batch, data)
    except TRANSIENT:
        # Nothing was written (the writes are one transaction): give the batch back to the
        # queue, with its file, so that the retry claims it again.
        try:
            ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(status=Status.QUEUED)
        except TRANSIENT:
            log.warning("import %s: could not requeue; it will be claimed again once stale", batch.uuid)
        raise
    storage.delete(name)


def _refuse_missing_file(batch):
    log.error("import %s: the stored upload %r is missing", batch.uuid, batch.stored_file.name)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.FAILED, finished_at=timezone.now(), stored_file="",
        errors=[{"row": None, "column": "", "value": "", "reason": (
            "The import could not find the uploaded file, so nothing was written. Upload it again."
        )}],
    )
    batch.refresh_from_db()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def recompute_target_progress(academy_ids=None):
    """Recompute the live progress of targets (of these academies, or all). Idempotent: a
    second run finds nothing changed."""
    from .progress import recompute

    return len(recompute(academy_ids=academy_ids))


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def remind_target_deadline():
    """Daily: tell the board about targets not agreed as the October deadline nears."""
    from .services import deadline_reminders

    return deadline_reminders()
