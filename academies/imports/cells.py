"""Turning the text of one cell into a value, without ever turning a symbol into a number."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from academies.models.results import SYMBOL_CODES

_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
# Thousands separators only in groups of three: "1,204" is a number, "1,5" (a decimal comma) is not.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)
# DecimalField(max_digits=14, decimal_places=4) holds up to ten digits before the point.
_LARGEST = Decimal("9999999999")


class CellError(ValueError):
    """A cell that cannot be read; the message says what to fix."""


def normalise_header(text):
    """Header names compared without case, spacing or a trailing question mark."""
    text = str(text).replace("\ufeff", "").replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip().rstrip("?").strip().casefold()


def is_blank(raw):
    return raw is None or str(raw).strip() == ""


def parse_number(raw, *, percent=False, fraction=False):
    """(value, symbol) from a cell: `('64%')` -> (Decimal('64'), ''); `('c')` -> (None, 'suppressed').

    Thousands separators and a trailing % are stripped. With `fraction`, a value between 0 and
    1 is read as a share (0.85 -> 85). A blank cell is (None, '') and means "no figure".
    Anything else that is not a number or a known symbol is an error.
    """
    if is_blank(raw):
        return None, ""
    text = str(raw).strip()
    symbol = SYMBOL_CODES.get(text.casefold())
    if symbol is not None:
        return None, symbol
    cleaned = text.replace("\u2212", "-")
    had_percent = cleaned.endswith("%")
    if had_percent:
        if not percent:
            raise CellError(f"{text!r} is a percentage where a plain number is expected")
        cleaned = cleaned[:-1].strip()
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise CellError(f"{text!r} is not a number: use a full stop for decimals (12.5), commas only "
                            "between thousands (1,204)")
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.fullmatch(cleaned):
        raise CellError(f"{text!r} is not a number or a symbol DfE uses (c, x, z, low, u, SUPP, NE, ...)")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise CellError(f"{text!r} is not a number") from exc
    if abs(value) > _LARGEST:
        raise CellError(f"{text!r} is too large to be a school figure")
    if fraction and not had_percent and Decimal(0) <= value <= Decimal(1) and "." in cleaned:
        value = value * 100
    return value, ""


def parse_count(raw):
    value, symbol = parse_number(raw)
    if value is not None and (value != value.to_integral_value() or value < 0):
        raise CellError(f"{str(raw).strip()!r} is not a whole number of pupils")
    return (int(value) if value is not None else None), symbol


DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d %B %Y", "%d %b %Y")


def parse_date(raw, formats=DATE_FORMATS):
    """A date as the files write it (GIAS dd-mm-yyyy, Ofsted dd/mm/yyyy, ISO); blank or a
    null word is None."""
    if is_blank(raw) or str(raw).strip().casefold() in {"null", "not applicable", "n/a", "na"}:
        return None
    text = str(raw).strip()
    if " 00:00:00" in text:  # spreadsheets turn dates into datetimes
        text = text.replace(" 00:00:00", "")
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{text!r} is not a date (write it as 31/12/2025)")


_YEAR_LABEL = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", re.ASCII)
_TIME_PERIOD = re.compile(r"(\d{4})(\d{2})", re.ASCII)


def parse_academic_year(raw):
    """The starting year of an academic year written 2024/25, 2024-25, 2024/2025 or 202425."""
    text = str(raw).strip()
    match = _YEAR_LABEL.fullmatch(text) or _TIME_PERIOD.fullmatch(text)
    if match:
        start, end = int(match.group(1)), match.group(2)
        follows = int(end) == start + 1 if len(end) == 4 else int(end) == (start + 1) % 100
        if follows and start >= 1900:
            return start
    raise CellError(f"{text!r} is not an academic year (write it as 2024/25)")
