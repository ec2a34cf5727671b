"""From the bytes of an uploaded file to a table of text cells, refusing what is not safe or
not a table before anything is parsed."""

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings

from .cells import normalise_header

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
TEXT_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx"}

# Columns that mean a file holds pupil-level data: refused, and none of it is kept or logged.
PUPIL_LEVEL_COLUMNS = {
    "upn", "unique pupil number", "pupil name", "pupil forename", "pupil surname", "forename",
    "surname", "first name", "firstname", "last name", "lastname", "legal surname",
    "legal forename", "preferred surname", "preferred forename", "date of birth", "dob",
    "birth date", "pupil id", "uln", "candidate number", "postcode of pupil", "pupil postcode",
}


class FileRefused(Exception):
    """The file cannot be read at all; the message says why and what to do."""


@dataclass
class Table:
    frame: pd.DataFrame  # every cell a str, blank cells ""
    header_row: int  # the spreadsheet's number of the header line (1-based)
    columns: dict = field(default_factory=dict)  # normalised header -> header as written
    encoding: str = ""

    def row_number(self, index):
        """The number a spreadsheet shows for data row `index` (0-based)."""
        return self.header_row + 1 + index


def checksum(data):
    return hashlib.sha256(data).hexdigest()


def _limit(name, default):
    return getattr(settings, name, default)


def check_upload(data, file_name):
    """Size, emptiness and type checks made before any parsing."""
    max_bytes = _limit("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
    if len(data) > max_bytes:
        raise FileRefused(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
            "Split it, or keep only the rows you need."
        )
    if not data.strip():
        raise FileRefused("The file is empty.")
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension in XLSX_EXTENSIONS:
        if not data.startswith(XLSX_MAGIC):
            raise FileRefused(
                "The file is named .xlsx but is not an Excel workbook. Save it again as .xlsx or .csv."
            )
        _check_xlsx_size(data)
        return "xlsx"
    if extension in TEXT_EXTENSIONS or extension == "":
        if data.startswith((XLSX_MAGIC, OLE_MAGIC)) or b"\x00" in data[:4096]:
            raise FileRefused(
                "The file is named .csv but is not text: it looks like a spreadsheet or another "
                "binary file. Save it as CSV (comma separated) or upload the .xlsx itself."
            )
        return "csv"
    raise FileRefused(f"Files ending {extension} cannot be imported: upload a .csv or .xlsx file.")


def _check_xlsx_size(data):
    max_unpacked = _limit("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise FileRefused("The workbook is damaged and cannot be opened. Save it again and retry.") from exc
    if unpacked > max_unpacked:
        raise FileRefused(
            f"The workbook unpacks to {unpacked / 1e6:.0f} MB, over the {max_unpacked / 1e6:.0f} MB "
            "limit. Save the sheet you need as CSV and upload that."
        )
    if "xl/workbook.xml" not in names:
        raise FileRefused("The file is a zip archive but not an Excel workbook.")


def decode(data):
    """UTF-8 (with or without a byte-order mark) first, then Windows-1252 (GIAS, Ofsted)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "The file's text is neither UTF-8 nor Windows-1252. Save it as CSV UTF-8 and retry."
        ) from exc


def read_table(data, file_name, *, key_columns):
    """The file as a table of strings, its header found by one of `key_columns` (normalised
    names such as "urn" or "school_urn"): title lines above the header are skipped."""
    kind = check_upload(data, file_name)
    if kind == "xlsx":
        try:
            raw = pd.read_excel(io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
                                engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise FileRefused(
                f"The workbook cannot be read ({type(exc).__name__}). Save it again as .xlsx or CSV."
            ) from exc
        encoding = "xlsx"
    else:
        text, encoding = decode(data)
        raw = _csv_frame(text)
    raw = raw.fillna("").astype(str)
    header_index = _find_header(raw, key_columns)
    headers = [str(h) for h in raw.iloc[header_index].tolist()]
    normalised = [normalise_header(h) for h in headers]
    pupil_columns = sorted({h for h in normalised if h in PUPIL_LEVEL_COLUMNS})
    if pupil_columns:
        raise FileRefused(
            "This file has pupil-level columns (" + ", ".join(pupil_columns) + "). The product "
            "keeps only figures for groups of pupils: remove those columns, or upload the summary "
            "figures instead. Nothing from the file has been kept."
        )
    frame = raw.iloc[header_index + 1:].reset_index(drop=True)
    frame.columns = _unique(normalised)
    frame = frame.apply(lambda column: column.str.strip())
    # Blank lines at the end of a file are not rows.
    if len(frame):
        filled = (frame != "").any(axis=1).to_numpy().nonzero()[0]
        frame = frame.iloc[: filled[-1] + 1 if len(filled) else 0]
    return Table(
        frame=frame, header_row=header_index + 1,
        columns=dict(zip(normalised, headers, strict=True)), encoding=encoding,
    )


def _csv_frame(text):
    """Every line of a CSV, padded to the widest: title lines above the header (Ofsted's older
    files have them) are often shorter than the table."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRefused(f"The CSV is malformed: {exc}. Check quotes and separators.") from exc
    if not rows:
        raise FileRefused("The file is empty.")
    width = max(len(row) for row in rows)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=str)


def _find_header(raw, key_columns, look=15):
    keys = {normalise_header(k) for k in key_columns}
    for index in range(min(look, len(raw))):
        cells = {normalise_header(c) for c in raw.iloc[index].tolist()}
        if cells & keys:
            return index
    wanted = " or ".join(sorted(key_columns))
    raise FileRefused(
        f"No header row with a {wanted} column in the first {look} lines: this does not look like a file "
        "this product imports. Check it is the right file, with its header row."
    )


def _unique(names):
    seen = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name} ({seen[name]})")
        else:
            seen[name] = 0
            out.append(name)
    return out
