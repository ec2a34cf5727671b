"""The objectives of an academy's senior leaders for performance management: the targets the Trust
Board has agreed for the year and the development plan's priorities, as CSV, XLSX or PDF.

One builder (`objectives_for`) feeds all three formats. Spreadsheets run a cell that starts with
=, +, -, @, a tab, a carriage return or a NUL as a formula, so every text cell that starts so is
written with a leading apostrophe; numbers and dates are written as such and need none. The PDF
is rendered with a fetcher that serves nothing but the app's own static files.
"""

import csv
import datetime
import io
import mimetypes
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from . import plans
from .models import Target

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
AGREED_ONLY = (
    "Only targets agreed by the Trust Board count as objectives: draft, proposed and LGB-reviewed "
    "targets are not included."
)
TARGET_COLUMNS = ["Target", "Value", "Unit", "Performance standard", "Rationale", "Agreed on",
                  "Board meeting", "Progress"]
PRIORITY_COLUMNS = ["Place", "Priority", "Theme", "Description", "Agreed targets it works towards",
                    "Performance standards", "Strategic aims", "Rating", "Next review", "Actions"]
# The PDF's base address: nothing is there, so only what the fetcher below serves can load.
PDF_BASE_URL = "https://objectives.invalid/"


# Characters a spreadsheet (or openpyxl, which drops control characters) may skip before it
# reads the first real one: "\x01=HYPERLINK(...)" must be escaped like "=HYPERLINK(...)".
SKIPPED_LEADING = "".join(chr(code) for code in range(33))


def safe(value):
    """A cell value a spreadsheet will not run: text starting like a formula, even after
    spaces or control characters, gets a leading '."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value.lstrip(SKIPPED_LEADING).startswith(FORMULA_STARTS)
    ):
        return f"'{value}"
    return value


@dataclass
class Objectives:
    academy: object
    year: object  # an AcademicYear, perhaps unsaved when nothing exists for it yet
    targets: list
    priorities: list
    made_at: datetime.datetime

    @property
    def title(self):
        return f"Objectives of the senior leaders of {self.academy.name}, {self.year.label}"

    @property
    def file_stem(self):
        # Only lower-case letters, digits and hyphens: safe in any Content-Disposition header.
        name = slugify(self.academy.name)[:60] or "academy"
        return f"objectives-{self.academy.urn}-{name}-{self.year.label.replace('/', '-')}"


def objectives_for(academy, start_year):
    """The academy's agreed targets and plan priorities for the year (eight queries)."""
    agreed = Target.objects.filter(academy=academy, academic_year__start_year=start_year,
                                   status=Target.Status.AGREED)
    targets = list(
        agreed.select_related("measure", "standard")
        .order_by("measure__category", "measure__order", "pupil_group", "year_group", "subject", "pk")
    )
    for target in targets:
        plans.describe(target)
    plan = plans.plan_for(academy, start_year)
    priorities = list(plan.priorities.all()) if plan else []
    for priority in priorities:
        priority.agreed_targets = [t for t in priority.targets.all() if t.status == Target.Status.AGREED]
    return Objectives(academy=academy, year=plans.year_of(start_year), targets=targets,
                      priorities=priorities, made_at=timezone.localtime())


def _action_text(action):
    dates = f"due {action.due_on:%-d %b %Y}"
    if action.starts_on:
        dates = f"from {action.starts_on:%-d %b %Y}, {dates}"
    state = "overdue" if action.overdue else action.get_status_display().lower()
    return f"{action.title} ({action.owner}; {dates}; {state})"


def target_rows(objectives):
    for t in objectives.targets:
        yield [t.label, t.value, t.measure.get_unit_display(), t.standard.title if t.standard else "",
               t.rationale, timezone.localdate(t.agreed_at) if t.agreed_at else None, t.board_meeting,
               t.get_progress_display()]


def priority_rows(objectives):
    for p in objectives.priorities:
        yield [p.order, p.title, p.get_theme_display(), p.description,
               "; ".join(f"{t.label}: {t.value_text}" for t in p.agreed_targets),
               "; ".join(s.title for s in p.standards.all()),
               "; ".join(str(a) for a in p.aims.all()),
               p.get_rag_display(), p.next_review,
               "\n".join(_action_text(a) for a in p.actions.all())]


def _sections(objectives):
    """(heading, columns, rows, what to say when there are none) for each part of the export."""
    year = objectives.year.label
    return [
        ("Agreed targets", TARGET_COLUMNS, list(target_rows(objectives)),
         f"The Trust Board has agreed no targets for {year} yet."),
        ("Development plan priorities", PRIORITY_COLUMNS, list(priority_rows(objectives)),
         f"The academy has no development plan priorities for {year} yet."),
    ]


def _preamble(objectives):
    return [
        [objectives.title],
        [f"URN {objectives.academy.urn}. Exported on {objectives.made_at:%-d %B %Y at %H:%M}."],
        [AGREED_ONLY],
    ]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe(value) if isinstance(value, str) else value


def objectives_csv(objectives):
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _preamble(objectives):
        writer.writerow([_csv_cell(v) for v in row])
    for heading, columns, rows, none in _sections(objectives):
        writer.writerow([])
        writer.writerow([heading])
        writer.writerow(columns)
        for row in rows or [[none]]:
            writer.writerow([_csv_cell(v) for v in row])
    # The byte-order mark makes Excel read the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def objectives_xlsx(objectives):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def cell(value):
        # Control characters cannot be stored in a workbook at all: they are left out.
        value = safe(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    book = Workbook()
    book.remove(book.active)
    for heading, columns, rows, none in _sections(objectives):
        sheet = book.create_sheet(heading[:31])
        for line in _preamble(objectives):
            sheet.append([cell(v) for v in line])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        sheet.append(columns)
        header_row = sheet.max_row
        for heading_cell in sheet[header_row]:
            heading_cell.font = Font(bold=True)
        for row in rows or [[none]]:
            sheet.append([cell(v) for v in row])
            for written in sheet[sheet.max_row]:
                written.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(written.value, datetime.date):
                    written.number_format = "dd/mm/yyyy"
                elif isinstance(written.value, Decimal):
                    written.number_format = "0.00"
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for number, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = max(12, min(45, len(column) + 6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def static_only_fetcher(url):
    """WeasyPrint's fetcher for the objectives PDF: the app's own static files and nothing else,
    so that no text in a plan can make the server read a local file or call another machine."""
    from weasyprint.urls import URLFetcherResponse

    prefix = urlsplit(PDF_BASE_URL + settings.STATIC_URL.lstrip("/"))
    parts = urlsplit(url)
    ours = (parts.scheme, parts.netloc) == (prefix.scheme, prefix.netloc)
    if not ours or not parts.path.startswith(prefix.path):
        raise ValueError(f"The objectives PDF loads only the app's static files, not {url}")
    relative = unquote(parts.path[len(prefix.path):])
    if not relative or ".." in relative.split("/") or relative.startswith("/"):
        raise ValueError(f"Not a static file: {url}")
    found = finders.find(relative)
    if not found:
        raise ValueError(f"No static file {relative}")
    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": content_type})


def objectives_html(objectives):
    context = {"o": objectives, "agreed_only": AGREED_ONLY}
    return render_to_string("academies/plans/objectives_pdf.html", context)


def objectives_pdf(objectives):
    from weasyprint import HTML

    return HTML(string=objectives_html(objectives), base_url=PDF_BASE_URL,
                url_fetcher=static_only_fetcher).write_pdf()


FORMATS = {
    "csv": (objectives_csv, "text/csv; charset=utf-8"),
    "xlsx": (objectives_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (objectives_pdf, "application/pdf"),
}


def objectives_file(academy, start_year, fmt):
    """(content, content type, file name) of the objectives export in `fmt` (csv, xlsx or pdf)."""
    make, content_type = FORMATS[fmt]
    objectives = objectives_for(academy, start_year)
    return make(objectives), content_type, f"{objectives.file_stem}.{fmt}"
