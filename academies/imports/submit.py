"""Submitting an upload: for whom it may write, and where it runs.

Small files are imported at once, in the request, so the person sees the outcome straight away.
Big ones (BACKGROUND_BYTES or more, or BACKGROUND_ROWS lines or more) are stored with their
batch and imported by a Celery task once the batch is committed; the batch's page shows their
progress. The browser, the API and the command line all come through here or `import_file`.
"""

import csv
import datetime
import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from academies.models import Academy, ImportBatch
from trust.access import scope_for
from trust.models import AcademicYear

from . import pipeline
from .reading import XLSX_MAGIC, _limit

# A 1 MB CSV of short rows can hold tens of thousands of them: rows cost time as much as bytes.
BACKGROUND_ROWS = 5000
# Years offered for files that do not say theirs: the legacy KS2 file goes back to 2015/16,
# the first year of the current assessments.
FIRST_YEAR_OFFERED = 2015
# A spreadsheet runs a cell starting with one of these as a formula: the error report quotes
# values from uploaded files, so it must not turn them into formulas on the reader's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def import_academies(user):
    """The academies a person's imports are confined to: None when they import for the whole
    trust; otherwise the academies where they hold an importing role (an academy's own data
    manager), which may be several."""
    if scope_for(user).can("data.import"):
        return None
    return Academy.objects.permitting(user, "data.import").order_by("name", "urn")


def year_choices(today=None):
    """Academic years a file may be said to be for, newest first: (start year, "2024/25")."""
    current = AcademicYear.start_year_for(today or timezone.localdate())
    return [(year, f"{year}/{str(year + 1)[-2:]}") for year in range(current, FIRST_YEAR_OFFERED - 1, -1)]


def oversize(size):
    """What is wrong with an upload of `size` bytes, or "": checked before the file is read into
    memory (the pipeline checks the bytes again, but only once they have all been read)."""
    limit = _limit("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
    if size <= limit:
        return ""
    return (f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. "
            "Split it, or keep only the rows you need.")


def runs_in_background(data):
    if len(data) >= pipeline.BACKGROUND_BYTES:
        return True
    # Lines are rows in a text file; in a workbook (a zip) newline bytes mean nothing.
    return not data.startswith(XLSX_MAGIC) and data.count(b"\n") >= BACKGROUND_ROWS


def import_submit(*, data, file_name, user, kind="", year=None, dry_run=False, academy=None):
    """Record an upload as a batch and import it, now or in the background.

    `year` is the starting year of the academic year (2022 for 2022/23), for files that do not
    carry theirs. `academy` is the academy an academy data manager imports for: required when
    they hold the role at several, ignored for people who import for the whole trust.
    Returns the batch: finished for a small file, queued for a big one.
    """
    options = {
        "file_name": file_name, "user": user, "kind": kind or "", "dry_run": dry_run,
        "year": academic_year(year), "scope_academy": _confine(user, academy),
    }
    if not runs_in_background(data):
        return pipeline.import_file(data=data, **options)
    from academies.tasks import run_import

    with transaction.atomic():
        batch = pipeline.start_batch(data=data, keep_file=True, **options)
        transaction.on_commit(lambda: run_import.delay(batch.pk))
    return batch


def academic_year(start_year):
    if start_year in (None, ""):
        return None
    return AcademicYear.for_date(datetime.date(int(start_year), 9, 1))


def _confine(user, academy):
    allowed = import_academies(user)
    if allowed is None:
        return None
    if academy is None:
        only = list(allowed[:2])
        if len(only) != 1:
            raise PermissionDenied("Choose the academy whose figures these are.")
        return only[0]
    if not allowed.filter(pk=academy.pk).exists():
        raise PermissionDenied("You may import figures only for your own academy.")
    return academy


def error_rows(batch):
    """The error report as rows of text: row (as the spreadsheet numbers it, blank for the
    whole file), column, value, reason."""
    return [
        ("" if e.get("row") is None else str(e["row"]), str(e.get("column") or ""),
         str(e.get("value") or ""), str(e.get("reason") or ""))
        for e in batch.errors
    ]


def error_report_csv(batch):
    """The error report as CSV text, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "reason"])
    for row in error_rows(batch):
        writer.writerow([_no_formula(cell) for cell in row])
    return out.getvalue()


def _no_formula(text):
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def visible_batch(user, uuid):
    """The batch with this UUID if the person may see it; ImportBatch.DoesNotExist otherwise
    (answered as 404, like a batch that does not exist)."""
    return ImportBatch.objects.visible_to(user).select_related(
        "uploaded_by", "academic_year", "scope_academy"
    ).get(uuid=uuid)
