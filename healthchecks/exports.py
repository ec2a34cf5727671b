"""The risk register as CSV or XLSX: the rows the person sees on the register, with its filters.

Spreadsheets run a cell that starts with =, +, -, @, a tab, a carriage return or a NUL as a
formula, so every text cell is passed through `academies.exports.safe` (a leading apostrophe);
numbers and dates are written as such. The file name is generated, never taken from the data.
"""

import csv
import datetime
import io

from django.utils import timezone

from academies.exports import safe

COLUMNS = [
    "Reference", "Academy", "URN", "Category", "Title", "Description", "Likelihood", "Impact", "Score",
    "RAG", "Owner", "Mitigations", "Review frequency", "Next review", "Review overdue", "Visibility",
    "Status", "Raised on", "Last changed",
]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WIDTHS = {"Title": 40, "Description": 60, "Mitigations": 50, "Academy": 28, "Owner": 24}


def register_rows(risks, today):
    """One list of values per risk, in the order of COLUMNS: text as text, numbers as numbers,
    dates as dates."""
    for risk in risks:
        yield [
            risk.reference,
            risk.academy.name if risk.academy_id else "Trust",
            risk.academy.urn if risk.academy_id else "",
            risk.get_category_display(),
            risk.title,
            risk.description,
            risk.likelihood,
            risk.impact,
            risk.score,
            risk.get_rag_display(),
            (risk.owner.full_name or risk.owner.email) if risk.owner_id else "",
            risk.mitigations,
            risk.get_review_frequency_display(),
            risk.next_review_on,
            "Yes" if risk.review_overdue(today) else "No",
            risk.get_visibility_display(),
            risk.get_status_display(),
            timezone.localdate(risk.created_at),
            timezone.localdate(risk.updated_at),
        ]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe(value)


def register_csv(risks, today):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in register_rows(risks, today):
        writer.writerow([_csv_cell(value) for value in row])
    # The byte-order mark makes Excel read the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def register_xlsx(risks, today):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def cell(value):
        # Control characters cannot be stored in a workbook at all: they are left out.
        value = safe(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    book = Workbook()
    sheet = book.active
    sheet.title = "Risk register"
    sheet.append(COLUMNS)
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for row in register_rows(risks, today):
        sheet.append([cell(value) for value in row])
        for written in sheet[sheet.max_row]:
            written.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(written.value, datetime.date):
                written.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for number, column in enumerate(COLUMNS, start=1):
        width = WIDTHS.get(column, max(10, len(column) + 3))
        sheet.column_dimensions[get_column_letter(number)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAKERS = {"csv": register_csv, "xlsx": register_xlsx}


def register_file(risks, fmt, today=None):
    """(content, content type, file name) of the register in `fmt` ("csv" or "xlsx")."""
    today = today or timezone.localdate()
    return MAKERS[fmt](risks, today), CONTENT_TYPES[fmt], f"risk-register-{today.isoformat()}.{fmt}"
