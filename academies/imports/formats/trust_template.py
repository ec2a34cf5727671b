"""The trust's own template: the figures no public file has at school level (EYFS, phonics,
in-year assessment, SEN progress), and the academy's own attendance, exclusions, enforcement,
alternative-provision and context figures, one row per figure.

It is the trust's own file, so a row about a school that is not one of the trust's academies is
an error, not a row skipped. `template_file` makes the downloadable template; `TEMPLATE_COLUMNS`
documents its columns for the download page.
"""

import csv
import difflib
import io
from decimal import Decimal

from academies.models import Measure
from academies.models.results import PupilGroup, Result, Source, Subject, YearGroup

from ..base import ComparatorFact, Format, Parsed, ResultFact
from ..cells import CellError, is_blank, normalise_header, parse_academic_year, parse_count, parse_number

TEMPLATE_VERSION = 1
# Not a school: example rows imported by mistake are refused, not added to an academy.
EXAMPLE_URN = "999999"

# name, required, description
TEMPLATE_COLUMNS = [
    ("urn", True, "The academy's six-digit unique reference number (URN), as on Get Information "
                  "About Schools."),
    ("academic_year", True, "The academic year the figure is for, written 2024/25."),
    ("term", False, "autumn, spring or summer for a termly figure; blank for a whole-year figure."),
    ("measure", True, "What the figure is: a measure code such as phonics_y1 or attendance, or the "
                      "measure's name (the Choices sheet lists them all)."),
    ("pupil_group", False, "Which pupils: all (the default when blank), disadvantaged, sen_support, ehcp, "
                           "eal, boys, girls, ... (code or name)."),
    ("year_group", False, "R (Reception), Y1 to Y11, or a key stage (KS1, KS2, KS4); blank for the "
                          "whole school."),
    ("subject", False, "reading, writing, maths, ... (code or name); blank when the measure has no subject."),
    ("value", True, "The figure. A percentage as 85, 85% or 0.85; a count as a whole number; or a DfE "
                    "symbol such as c (suppressed) or x (not available), never 0 or blank in their place."),
    ("cohort", False, "How many pupils the figure is about."),
    ("national", False, "The national figure for the same measure, pupil group, year group and subject, "
                        "when you have it."),
    ("source", False, "in_year for the academy's own assessment (the default when blank), or published "
                      "for statutory results."),
]

EXAMPLE_ROWS = [
    # urn, academic_year, term, measure, pupil_group, year_group, subject, value, cohort, national, source
    (EXAMPLE_URN, "2024/25", "", "eyfs_gld", "all", "R", "", "72%", "30", "68.3", "published"),
    (EXAMPLE_URN, "2024/25", "", "eyfs_elg", "disadvantaged", "R", "literacy", "64%", "11", "", "published"),
    (EXAMPLE_URN, "2024/25", "", "phonics_y1", "all", "Y1", "", "85%", "30", "80.2", "published"),
    (EXAMPLE_URN, "2024/25", "spring", "attainment_expected", "all", "Y3", "reading", "78", "29", "", ""),
    (EXAMPLE_URN, "2024/25", "spring", "attainment_greater_depth", "high_prior", "Y6", "maths", "c", "4", "",
     ""),
    (EXAMPLE_URN, "2024/25", "spring", "sen_progress", "sen", "", "", "85%", "20", "", ""),
    (EXAMPLE_URN, "2024/25", "autumn", "attendance", "all", "", "", "95.1", "412", "", ""),
    (EXAMPLE_URN, "2024/25", "autumn", "suspensions", "all", "", "", "3", "", "", ""),
    (EXAMPLE_URN, "2024/25", "autumn", "part_time_timetables", "all", "", "", "2", "", "", ""),
    (EXAMPLE_URN, "2024/25", "autumn", "on_roll", "all", "", "", "412", "", "", ""),
]

HOW_TO = [
    "One row per figure. Keep the header row; the columns may come in any order, and the optional "
    "ones may be left out.",
    f"Replace the example rows with your academies' figures (URN {EXAMPLE_URN} is only an example and "
    "is refused).",
    "Percentages: 85, 85% and 0.85 all mean 85%. A number between 0 and 1 with a decimal point is "
    "read as a share, so write a figure under one per cent with its % sign (0.8%).",
    "A figure that is suppressed or not available: write DfE's symbol (c suppressed, x not available, "
    "z not applicable, low rounds to zero), never 0 and never a blank.",
    "Importing the same figure again updates it; nothing is duplicated. A file with any error imports "
    "nothing, and the error report names the row, column and value to put right.",
    "Figures for groups of pupils only: no pupil names, UPNs or dates of birth (a file with them is "
    "refused and nothing of it is kept).",
    "Save as .xlsx (this sheet and the others are ignored) or as CSV (UTF-8 or Windows).",
]

YEAR_GROUP_SYNONYMS = {"reception": "R", "f2": "R", "fs2": "R", "eyfs": "R", "year r": "R",
                       **{str(n): f"Y{n}" for n in range(1, 12)}}
SUBJECT_SYNONYMS = {"mathematics": "maths", "math": "maths", "c&l": "communication", "spag": "gps"}
GROUP_SYNONYMS = {"pupil premium": "disadvantaged", "pp": "disadvantaged", "male": "boys", "female": "girls"}
SOURCE_SYNONYMS = {"in-year": "in_year", "in year": "in_year", "statutory": "published"}
TERM_SYNONYMS = {"whole year": 0, "year": 0, "1": 1, "2": 2, "3": 3}


class Choice:
    """One column whose cells name a choice, by code or name, without minding case or spacing."""

    def __init__(self, what, choices, synonyms=(), blank=None, listed=None):
        self.what = what
        self.blank = blank
        self.lookup = {}
        for code, name in choices:
            self.lookup.setdefault(normalise_header(code), code)
            self.lookup.setdefault(normalise_header(name), code)
        self.lookup.update({normalise_header(k): v for k, v in dict(synonyms).items()})
        self.listed = listed or ", ".join(str(code) for code, _ in choices if code != "")

    def resolve(self, raw):
        if is_blank(raw):
            if self.blank is None:
                raise CellError(f"the {self.what} is blank")
            return self.blank
        try:
            return self.lookup[normalise_header(raw)]
        except KeyError:
            raise CellError(f"{raw!r} is not a {self.what}: use one of {self.listed}") from None


TERMS = Choice("term", Result._meta.get_field("term").choices, TERM_SYNONYMS, blank=0,
               listed="autumn, spring, summer, or blank for the whole year")
GROUPS = Choice("pupil group", PupilGroup.choices, GROUP_SYNONYMS, blank=PupilGroup.ALL)
YEAR_GROUPS = Choice("year group", YearGroup.choices, YEAR_GROUP_SYNONYMS, blank="",
                     listed=", ".join(c for c in YearGroup.values if c) + ", or blank for the whole school")
SUBJECTS = Choice("subject", Subject.choices, SUBJECT_SYNONYMS, blank="",
                  listed=", ".join(c for c in Subject.values if c) + ", or blank for none")
SOURCES = Choice("source", Source.choices, SOURCE_SYNONYMS, blank=Source.IN_YEAR)


class Measures:
    """The measures of the catalogue and the trust's own, by code or name."""

    def __init__(self):
        self.units = {}
        self.lookup = {}
        names = {}
        for code, label, unit in Measure.objects.values_list("code", "label", "unit"):
            self.units[code] = unit
            self.lookup[normalise_header(code)] = code
            names.setdefault(normalise_header(label), []).append(code)
        for name, codes in names.items():
            # A name two measures share cannot pick one: the code must.
            self.lookup.setdefault(name, codes[0] if len(codes) == 1 else None)

    def resolve(self, raw):
        if is_blank(raw):
            raise CellError("the measure is blank")
        key = normalise_header(raw)
        if key not in self.lookup:
            close = sorted(difflib.get_close_matches(key, list(self.units), n=3, cutoff=0.6))
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise CellError(f"{raw!r} is not a measure{hint}: write a measure code such as phonics_y1 or "
                            "attendance (the Choices sheet of the template lists them all)")
        code = self.lookup[key]
        if code is None:
            raise CellError(f"{raw!r} is the name of more than one measure: write its code instead")
        return code

    def read(self, code, raw):
        """(value, symbol, read as a share) of a figure of the measure `code`."""
        unit = self.units[code]
        if unit == Measure.Unit.COUNT:
            return *parse_count(raw), False
        if unit != Measure.Unit.PERCENT:
            return *parse_number(raw), False
        value, symbol = parse_number(raw, percent=True, fraction=True)
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise CellError(f"{str(raw).strip()!r} is not a percentage between 0 and 100")
        share = value is not None and value != parse_number(raw, percent=True)[0]
        return value, symbol, share


class TrustTemplate(Format):
    kind = "trust_template"
    label = "Trust data template"
    description = (
        "The trust's own template (CSV or XLSX): in-year assessment, EYFS, phonics, attendance, "
        "exclusions, enforcement, alternative provision, SEN progress and context, one row per figure."
    )
    key_columns = ("urn",)
    aliases = {
        "urn": ["urn", "school_urn"],
        "academic_year": ["academic_year", "academic year"],
        "term": ["term"],
        "measure": ["measure", "measure_code"],
        "pupil_group": ["pupil_group", "pupil group", "group"],
        "year_group": ["year_group", "year group"],
        "subject": ["subject"],
        "value": ["value", "figure"],
        "cohort": ["cohort", "cohort_n", "pupils"],
        "national": ["national", "national_value"],
        "source": ["source"],
    }
    required = ("urn", "academic_year", "measure", "value")
    # Without `value` the file is still recognised, so the report can say the column is missing.
    signature = ("urn", "academic_year", "measure")

    def parse(self, table, context):
        parsed = Parsed()
        columns = self.columns(table, parsed)
        if parsed.errors:
            return parsed
        measures = Measures()
        shares = []
        for index, row in enumerate(table.frame.to_dict("records")):
            if not any(row.values()):
                continue  # a blank line between figures is not a row
            number = table.row_number(index)
            if self.read_row(parsed, columns, row, number, context, measures):
                shares.append(number)
        if shares:
            parsed.notes.append(
                "Read as shares (0.85 as 85%) in row(s) " + ", ".join(map(str, shares[:20]))
                + (" and more" if len(shares) > 20 else "") + "."
            )
        return parsed

    def read_row(self, parsed, columns, row, number, context, measures):
        """Add the row's result (and national figure); True when a value was read as a share."""
        errors = len(parsed.errors)

        def cell(name, read):
            raw = columns.get(row, name)
            try:
                return read(raw)
            except CellError as error:
                parsed.error(number, columns.header(name), raw, str(error))
                return None

        urn = cell("urn", lambda raw: self.academy(raw, context))
        year = cell("academic_year", parse_academic_year)
        term = cell("term", TERMS.resolve)
        group = cell("pupil_group", GROUPS.resolve)
        year_group = cell("year_group", YEAR_GROUPS.resolve)
        subject = cell("subject", SUBJECTS.resolve)
        source = cell("source", SOURCES.resolve)
        cohort = cell("cohort", lambda raw: parse_count(raw)[0])
        measure = cell("measure", measures.resolve)
        figure = national = None
        if measure is not None:
            figure = cell("value", lambda raw: self.value(measures, measure, raw))
            national = cell("national", lambda raw: None if is_blank(raw) else measures.read(measure, raw))
        if len(parsed.errors) > errors:
            return False
        value, state, share = figure
        dimensions = {"measure": measure, "year": year, "term": term, "group": group,
                      "year_group": year_group, "subject": subject, "row": number}
        parsed.results.append(ResultFact(
            urn=urn, value=value, state=state, raw=columns.get(row, "value"), cohort=cohort, source=source,
            **dimensions,
        ))
        if national is not None:
            parsed.comparators.append(ComparatorFact(
                area="national", area_code="", area_name="England", value=national[0], state=national[1],
                raw=columns.get(row, "national"), **dimensions,
            ))
        return share

    @staticmethod
    def academy(raw, context):
        urn = str(raw).strip().removesuffix(".0")  # a spreadsheet may store a URN as a decimal
        if not urn:
            raise CellError("the URN is blank")
        if urn not in context.trust_urns:
            raise CellError(f"{urn} is not the URN of one of the trust's academies (six digits, as on "
                            "Get Information About Schools)")
        return urn

    @staticmethod
    def value(measures, measure, raw):
        if is_blank(raw):
            raise CellError("the value is blank: write the figure, or DfE's symbol for why there is none "
                            "(c suppressed, x not available, z not applicable)")
        return measures.read(measure, raw)


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_file(kind="csv"):
    """The downloadable template, (content, content type, file name): the header and example rows,
    and in the workbook how to fill it and every valid choice."""
    name = f"trust-data-template-v{TEMPLATE_VERSION}"
    header = [column for column, _, _ in TEMPLATE_COLUMNS]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(EXAMPLE_ROWS)
        # With the byte-order mark Excel opens the file as UTF-8.
        return out.getvalue().encode("utf-8-sig"), CSV_TYPE, f"{name}.csv"
    if kind == "xlsx":
        return _workbook(header), XLSX_TYPE, f"{name}.xlsx"
    raise ValueError(f"No template of kind {kind!r}: choose csv or xlsx.")


def _workbook(header):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    figures = book.active
    figures.title = "Figures"  # the first sheet is the one imported
    figures.append(header)
    for number, row in enumerate(EXAMPLE_ROWS, start=2):
        figures.append([_spreadsheet_value(column, text) for column, text in zip(header, row, strict=True)])
        for cell, text in zip(figures[number], row, strict=True):
            if text.endswith("%"):
                cell.number_format = "0%"  # as Excel stores a cell typed as 85%: 0.85
        figures.cell(number, header.index("academic_year") + 1).number_format = "@"
    _style(figures, bold, widths=[10, 14, 9, 26, 16, 11, 15, 9, 9, 10, 11])

    how = book.create_sheet("How to fill it")
    how.append([f"Trust data template, version {TEMPLATE_VERSION}"])
    how["A1"].font = bold
    how.append([])
    for number, line in enumerate(HOW_TO, start=1):
        how.append([f"{number}. {line}"])
    how.append([])
    how.append(["column", "required", "what to write"])
    for cell in how[how.max_row]:
        cell.font = bold
    for column, required, description in TEMPLATE_COLUMNS:
        how.append([column, "yes" if required else "no", description])
    _style(how, None, widths=[18, 10, 110])

    choices = book.create_sheet("Choices")
    sections = [
        ("measure", "name", "unit", list(Measure.objects.order_by("category", "order", "label")
                                         .values_list("code", "label", "unit"))),
        ("pupil_group", "name", "", PupilGroup.choices),
        ("year_group", "name", "", [(c or "(blank)", n) for c, n in YearGroup.choices]),
        ("subject", "name", "", [(c or "(blank)", n) for c, n in Subject.choices]),
        ("term", "name", "", [("(blank)", "Whole year"), ("autumn", "Autumn"), ("spring", "Spring"),
                              ("summer", "Summer")]),
        ("source", "name", "", Source.choices),
    ]
    for titles in sections:
        *heading, rows = titles
        choices.append([h for h in heading if h])
        for cell in choices[choices.max_row]:
            cell.font = bold
        for row in rows:
            choices.append(list(row))
        choices.append([])
    _style(choices, None, widths=[26, 55, 10])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spreadsheet_value(column, text):
    """The example as someone would type it into Excel: numbers as numbers, 85% as a percentage."""
    if column in {"academic_year", "measure", "pupil_group", "year_group", "subject", "term", "source"} \
            or not text:
        return text
    if text.endswith("%"):
        return float(Decimal(text[:-1]) / 100)
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text  # a symbol such as c
    return int(number) if number == number.to_integral_value() else float(number)


def _style(sheet, header_font, widths):
    from openpyxl.utils import get_column_letter

    if header_font:
        for cell in sheet[1]:
            cell.font = header_font
        sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
