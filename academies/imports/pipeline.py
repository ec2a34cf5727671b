"""One import, start to finish: refuse, read, recognise, parse, check, then write all or nothing."""

import logging

from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from academies.models import Academy, ImportBatch
from academies.signals import data_changed
from trust.queue import enqueue_on_commit

from .base import Context, Parsed, RowError
from .formats import FORMATS, format_for
from .reading import FileRefused, checksum, read_table
from .writer import Writer

log = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 500
# Files at least this big are imported by a Celery task, with progress shown in the browser.
BACKGROUND_BYTES = 1024 * 1024


class ImportFailed(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def start_batch(*, data, file_name, user=None, kind="", year=None, dry_run=False, scope_academy=None,
                keep_file=False):
    """Record an import before it runs: who, when, which file and its checksum."""
    batch = ImportBatch.objects.create(
        kind=kind or "", file_name=file_name[:255], checksum=checksum(data), size=len(data),
        dry_run=dry_run, academic_year=year, uploaded_by=user, scope_academy=scope_academy,
    )
    if keep_file:
        batch.stored_file.save(f"{batch.uuid}.upload", ContentFile(data), save=True)
    return batch


def run_batch(batch, data=None):
    """Run a recorded import. Returns the batch, finished: imported, previewed or refused."""
    if data is None:
        with batch.stored_file.open("rb") as handle:
            data = handle.read()
    keep_file = False
    try:
        parsed, fmt = parse_file(batch, data)
        if parsed.errors:
            raise ImportFailed(parsed.errors)
        counts = write(batch, parsed, fmt)
    except FileRefused as refused:
        _finish(batch, ImportBatch.Status.FAILED, errors=[RowError(None, "", "", str(refused))])
    except ImportFailed as failed:
        _finish(batch, ImportBatch.Status.FAILED, errors=failed.errors)
    except (OperationalError, InterfaceError):
        # The database went away: nothing was written (the write is one transaction), and the
        # Celery task that called us retries the import, from the stored file, rather than
        # refusing it.
        keep_file = True
        raise
    except Exception:
        log.exception("import %s failed unexpectedly", batch.uuid)
        _finish(batch, ImportBatch.Status.FAILED, errors=[RowError(
            None, "", "", "The import stopped on an unexpected error and nothing was written. "
            "The error has been logged for the trust's administrator.")])
    else:
        status = ImportBatch.Status.PREVIEWED if batch.dry_run else ImportBatch.Status.SUCCEEDED
        _finish(batch, status, counts=counts, notes=parsed.notes, skipped=parsed.skipped)
        if not batch.dry_run:
            _after_import(batch)
    finally:
        if batch.stored_file and not keep_file:
            batch.stored_file.delete(save=True)
    return batch


def import_file(*, data, file_name, **options):
    """Record and run an import in one go (the command line and small uploads)."""
    return run_batch(start_batch(data=data, file_name=file_name, **options), data)


def parse_file(batch, data):
    keys = sorted({k for f in FORMATS.values() for k in f.key_columns})
    table = read_table(data, batch.file_name, key_columns=keys)
    fmt = format_for(table, batch.kind)
    if batch.kind != fmt.kind:
        batch.kind = fmt.kind
    batch.rows_total = len(table.frame)
    batch.status = ImportBatch.Status.RUNNING
    batch.save(update_fields=["kind", "rows_total", "status"])

    academies = Academy.objects.filter(trust__isnull=False)
    context = Context(
        trust_urns=dict(academies.values_list("urn", "id")),
        la_codes=set(academies.exclude(la_code="").values_list("la_code", flat=True)),
        year=batch.academic_year.start_year if batch.academic_year_id else None,
        only_urn=batch.scope_academy.urn if batch.scope_academy_id else None,
    )
    if fmt.needs_year and context.year is None and not fmt.carries_year(table):
        raise FileRefused(
            f"{fmt.label} files do not say which academic year they are for: give the year "
            "(for example 2022/23)."
        )
    parsed = fmt.parse(table, context)
    _check_scope(parsed, context)
    _check_duplicates(parsed)
    return parsed, fmt


def _check_scope(parsed, context):
    if context.only_urn is None:
        return
    if parsed.comparators:
        # National and LA figures are every academy's yardstick: only the trust's data
        # managers bring them in.
        parsed.notes.append(
            f"{len(parsed.comparators)} national and local-authority figures were left out: an "
            "academy's data manager imports only that academy's own figures."
        )
        parsed.comparators = []
    refused_rows = set()
    for fact in parsed.results:
        if fact.urn != context.only_urn and fact.row not in refused_rows:
            refused_rows.add(fact.row)  # one error per row, however many figures it holds
            parsed.error(fact.row, "URN", fact.urn,
                         f"you may import figures only for your own academy ({context.only_urn})")


def _check_duplicates(parsed: Parsed):
    """The same fact twice with different figures is an error naming both rows; the same fact
    twice with the same figure is harmless and written once."""
    for name in ("results", "comparators"):
        seen, unique = {}, []
        for fact in getattr(parsed, name):
            first = seen.get(fact.key)
            if first is None:
                seen[fact.key] = fact
                unique.append(fact)
            elif (first.value, first.state) != (fact.value, fact.state):
                parsed.error(fact.row, "", fact.raw,
                             f"this row gives a different figure for the same thing as row {first.row}")
        setattr(parsed, name, unique)


def write(batch, parsed, fmt):
    academies = dict(Academy.objects.values_list("urn", "id"))
    writer = Writer(batch, academies)
    with transaction.atomic():
        fmt.write(parsed, batch, writer)
        if batch.dry_run:
            transaction.set_rollback(True)
    touched = writer.touched & set(academies.values())
    if not batch.dry_run:  # a preview changed nothing, so it touched no academy
        batch.academies.set(touched)
    return {"created": writer.created, "updated": writer.updated, "unchanged": writer.unchanged}


def _after_import(batch):
    """New figures move targets and may raise risks: recompute the progress of the academies
    touched after commit, and tell the apps that watch the data (the `data_changed` signal)."""
    academy_ids = list(batch.academies.values_list("pk", flat=True))
    if academy_ids:
        from academies.tasks import recompute_target_progress

        enqueue_on_commit(recompute_target_progress, academy_ids)
        data_changed.send(sender=ImportBatch, academy_ids=academy_ids)


def _finish(batch, status, *, counts=None, errors=(), notes=(), skipped=0):
    errors = list(errors)
    batch.status = status
    batch.finished_at = timezone.now()
    batch.rows_done = batch.rows_total
    batch.errors = [e.as_dict() for e in errors[:MAX_ERRORS_KEPT]]
    if len(errors) > MAX_ERRORS_KEPT:
        batch.errors.append({"row": None, "column": "", "value": "",
                             "reason": f"... and {len(errors) - MAX_ERRORS_KEPT} more errors"})
    batch.notes = list(notes)
    batch.skipped = skipped
    for key, value in (counts or {"created": 0, "updated": 0, "unchanged": 0}).items():
        setattr(batch, key, value)
    batch.save()


def summary(batch):
    """One line for people: what the import did, or why it did not."""
    if batch.status == ImportBatch.Status.FAILED:
        return f"{batch.file_name}: refused, {len(batch.errors)} error(s); nothing was written."
    verb = "would create" if batch.dry_run else "created"
    return (f"{batch.file_name} ({batch.kind}): {verb} {batch.created}, updated {batch.updated}, "
            f"unchanged {batch.unchanged}" + (f", {batch.skipped} rows of other schools left out"
                                              if batch.skipped else "") + ".")


__all__ = ["BACKGROUND_BYTES", "import_file", "run_batch", "start_batch", "summary"]
