"""What every file format shares: facts, row errors, and reading a column by any of its names."""

from dataclasses import dataclass, field
from decimal import Decimal

from .cells import CellError, normalise_header


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet numbers it; None for the whole file
    column: str
    value: str
    reason: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self):
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column!r}" if self.column else ""
        value = f", value {self.value!r}" if self.value else ""
        return f"{where}{column}{value}: {self.reason}"


@dataclass(frozen=True)
class ResultFact:
    urn: str
    measure: str
    year: int  # the academic year's starting year
    value: Decimal | None
    state: str
    raw: str
    term: int = 0
    group: str = "all"
    year_group: str = ""
    subject: str = ""
    cohort: int | None = None
    source: str = "published"
    as_at: object = None
    row: int | None = None

    @property
    def key(self):
        return (self.urn, self.measure, self.year, self.term, self.group, self.year_group,
                self.subject, self.source)


@dataclass(frozen=True)
class ComparatorFact:
    area: str  # "national" or "la"
    area_code: str
    area_name: str
    measure: str
    year: int
    value: Decimal | None
    state: str
    raw: str
    term: int = 0
    group: str = "all"
    year_group: str = ""
    subject: str = ""
    row: int | None = None

    @property
    def key(self):
        return (self.area, self.area_code, self.measure, self.year, self.term, self.group,
                self.year_group, self.subject)


@dataclass
class Parsed:
    """What a format made of a file: facts to write, or errors that stop the import."""

    results: list = field(default_factory=list)
    comparators: list = field(default_factory=list)
    records: list = field(default_factory=list)  # format-specific facts (academies, inspections)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    skipped: int = 0  # rows about schools outside the trust

    def error(self, row, column, value, reason):
        self.errors.append(RowError(row, column, str(value or "")[:100], reason))


@dataclass
class Context:
    """What a format needs to know about the trust to read a file."""

    trust_urns: dict  # URN -> academy id
    la_codes: set  # the LA codes of the trust's academies (for LA comparators)
    year: int | None = None  # from --year, for files that do not carry one
    only_urn: str | None = None  # an academy data manager's own academy


class Columns:
    """Reads cells by logical name, through the header names the format knows for each."""

    def __init__(self, table, aliases):
        self.table = table
        self.found = {}
        for name, names in aliases.items():
            for candidate in (names if isinstance(names, list | tuple) else [names]):
                key = normalise_header(candidate)
                if key in table.frame.columns:
                    self.found[name] = key
                    break

    def has(self, name):
        return name in self.found

    def header(self, name):
        key = self.found.get(name)
        return self.table.columns.get(key, name) if key else name

    def missing(self, names):
        return [n for n in names if n not in self.found]

    def get(self, row, name, default=""):
        key = self.found.get(name)
        return row[key] if key is not None else default


class Format:
    """One kind of file. Subclasses set the class attributes and write `parse`."""

    kind = ""
    label = ""
    description = ""
    key_columns = ("urn",)
    aliases: dict = {}
    required: tuple = ()  # logical names that must be present
    signature: tuple = ()  # logical names whose presence identifies the format
    national = False  # rows about other schools are skipped, not errors
    needs_year = False

    def recognises(self, table):
        columns = Columns(table, self.aliases)
        return not columns.missing(self.signature or self.required)

    def carries_year(self, table):
        """Whether the file says which academic year each row is for."""
        return not self.needs_year

    def parse(self, table, context):  # pragma: no cover - every format overrides
        raise NotImplementedError

    def columns(self, table, parsed):
        """The columns of this format in `table`, with an error for each required one missing."""
        columns = Columns(table, self.aliases)
        for name in columns.missing(self.required):
            aliases = self.aliases.get(name, name)
            first = aliases[0] if isinstance(aliases, list | tuple) else aliases
            parsed.error(None, first, "", f"the column {first!r} is missing")
        known = set(columns.found.values())
        unknown = [table.columns[c] for c in table.frame.columns if c not in known and c in table.columns]
        if unknown and len(unknown) <= 20:
            parsed.notes.append("Columns not used: " + ", ".join(unknown))
        elif unknown:
            parsed.notes.append(f"{len(unknown)} columns not used")
        return columns

    def write(self, parsed, batch, writer):
        """Write the parsed facts; formats with records of their own extend this."""
        writer.write_results(parsed.results)
        writer.write_comparators(parsed.comparators)

    @staticmethod
    def cell_error(parsed, row_number, header, raw, error):
        parsed.error(row_number, header, raw, str(error))


def read_cell(parsed, row_number, header, raw, parse, **kwargs):
    """Parse one cell, recording an error (and returning None, "") when it cannot be read."""
    try:
        return parse(raw, **kwargs)
    except CellError as error:
        parsed.error(row_number, header, raw, str(error))
        return None, ""
