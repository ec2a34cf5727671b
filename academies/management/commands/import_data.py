"""`python manage.py import_data FILE [--kind KIND] [--year 2024/25] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from academies.imports.cells import CellError, parse_academic_year
from academies.imports.formats import FORMATS
from academies.imports.pipeline import import_file, summary
from academies.imports.submit import academic_year, error_rows
from academies.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import a data file (the trust's template, GIAS, Ofsted, KS2, EES absence or exclusions) "
        "in one transaction: all of it or none. Exits 0 with what was created, updated and "
        "unchanged; on any error exits 1 with the error report, having written nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The .csv or .xlsx file to import.")
        parser.add_argument(
            "--kind", choices=sorted(FORMATS), default="",
            help="The kind of file; by default it is recognised from the header row.",
        )
        parser.add_argument(
            "--year", default="", metavar="YYYY/YY",
            help="The academic year, for files that do not carry it (the legacy KS2 file), e.g. 2024/25.",
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Check the file and report what would change; write nothing.",
        )

    def handle(self, *args, file, kind, year, dry_run, **options):
        start_year = None
        if year:
            try:
                start_year = parse_academic_year(year)
            except CellError as error:
                raise CommandError(f"--year: {error}.") from None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        # The command line is the operator's own: it runs in this process whatever the file's
        # size, with no uploader and no academy to confine it to.
        batch = import_file(
            data=data, file_name=file.name, kind=kind, year=academic_year(start_year), dry_run=dry_run,
        )
        if batch.status == ImportBatch.Status.FAILED:
            for row, column, value, reason in error_rows(batch):
                where = f"row {row}" if row else "file"
                self.stderr.write("  ".join(
                    part for part in (where, column and f"column {column!r}", value and f"value {value!r}",
                                      reason) if part
                ))
            raise CommandError(summary(batch))
        self.stdout.write(summary(batch))
        for note in batch.notes:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(
            f"created: {batch.created}\nupdated: {batch.updated}\nunchanged: {batch.unchanged}\n"
            f"skipped: {batch.skipped} (rows of other schools)"
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written. Run again without --dry-run to import.")
