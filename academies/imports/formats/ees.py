"""Explore Education Statistics school-level files: one row per school and year (absence),
with the standard EES geography columns. National and LA rows, where a file has them, become
comparators."""

from ..base import ComparatorFact, Format, Parsed, ResultFact, read_cell
from ..cells import parse_academic_year, parse_count, parse_number

GEOGRAPHY = {
    "time_period": ["time_period"],
    "level": ["geographic_level"],
    "urn": ["school_urn", "urn"],
    "la_code": ["old_la_code", "la_code"],
    "la_name": ["la_name"],
}


class EESSchoolFormat(Format):
    """Shared reading of EES rows: year, level, school; subclasses list their figures."""

    key_columns = ("school_urn", "time_period")
    national = True
    # logical column -> (measure code, how to read it)
    figures: dict = {}
    # The logical column holding the pupils the row's figures are about (enrolments, headcount).
    cohort_column = ""

    def parse(self, table, context):
        parsed = Parsed()
        columns = self.columns(table, parsed)
        if parsed.errors:
            return parsed
        frame = table.frame
        if columns.has("level"):
            # A national file holds every school in England: leave out other schools' rows
            # before reading any row one by one.
            level = frame[columns.found["level"]].str.casefold()
            keep = (level != "school") | frame[columns.found["urn"]].isin(context.trust_urns)
            parsed.skipped += int((~keep).sum())
            frame = frame[keep]
        for index, row in zip(frame.index, frame.to_dict("records"), strict=True):
            number = table.row_number(index)
            year_raw = columns.get(row, "time_period")
            try:
                year = parse_academic_year(year_raw)
            except ValueError as error:
                parsed.error(number, columns.header("time_period"), year_raw, str(error))
                continue
            level = columns.get(row, "level", "School").casefold()
            urn = columns.get(row, "urn")
            if level == "school":
                if urn not in context.trust_urns:
                    parsed.skipped += 1
                    continue
                self.school_row(parsed, columns, row, number, urn, year)
            elif level in {"national", "local authority"}:
                la = columns.get(row, "la_code") if level == "local authority" else ""
                if level == "local authority" and la not in context.la_codes:
                    parsed.skipped += 1
                    continue
                self.area_row(parsed, columns, row, number, year, level, la)
            else:
                parsed.skipped += 1
        return parsed

    def figures_of(self, parsed, columns, row, number):
        for name, (measure, kind) in self.figures.items():
            if not columns.has(name):
                continue
            raw = columns.get(row, name)
            parse = parse_count if kind == "count" else parse_number
            value, state = read_cell(parsed, number, columns.header(name), raw, parse)
            if value is None and not state:
                continue  # a blank cell is no figure at all
            yield measure, value, state, raw

    def school_row(self, parsed, columns, row, number, urn, year):
        # The cohort is read once per row; text in it is a row error like any other cell.
        cohort = None
        if self.cohort_column and columns.has(self.cohort_column):
            cohort, _ = read_cell(parsed, number, columns.header(self.cohort_column),
                                  columns.get(row, self.cohort_column), parse_count)
        for measure, value, state, raw in self.figures_of(parsed, columns, row, number):
            parsed.results.append(ResultFact(
                urn=urn, measure=measure, year=year, value=value, state=state, raw=raw, row=number,
                cohort=cohort,
            ))

    def area_row(self, parsed, columns, row, number, year, level, la):
        area = "national" if level == "national" else "la"
        name = columns.get(row, "la_name") if area == "la" else "England"
        for measure, value, state, raw in self.figures_of(parsed, columns, row, number):
            parsed.comparators.append(ComparatorFact(
                area=area, area_code=la, area_name=name, measure=measure, year=year,
                value=value, state=state, raw=raw, row=number,
            ))


class EESAbsence(EESSchoolFormat):
    kind = "ees_absence"
    label = "EES pupil absence (school level)"
    description = "Pupil absence in schools in England, school-level file from Explore Education Statistics."
    aliases = {
        **GEOGRAPHY,
        "enrolments": ["enrolments"],
        "overall": ["sess_overall_percent"],
        "unauthorised": ["sess_unauthorised_percent"],
        "persistent": ["enrolments_pa_10_exact_percent"],
        "severe": ["enrolments_pa_50_exact_percent"],
    }
    required = ("time_period", "urn", "overall")
    signature = ("time_period", "urn", "overall", "persistent")
    cohort_column = "enrolments"
    figures = {
        "overall": ("absence_overall", "percent"),
        "unauthorised": ("absence_unauthorised", "percent"),
        "persistent": ("persistent_absence", "percent"),
        "severe": ("severe_absence", "percent"),
    }

    def school_row(self, parsed, columns, row, number, urn, year):
        super().school_row(parsed, columns, row, number, urn, year)
        # Attendance is the complement of overall absence: the card shows it as a first-class figure.
        overall = next((f for f in parsed.results[::-1]
                        if f.row == number and f.measure == "absence_overall"), None)
        if overall is not None:
            value = None if overall.value is None else 100 - overall.value
            parsed.results.append(ResultFact(
                urn=urn, measure="attendance", year=year, value=value, state=overall.state,
                raw="", row=number, cohort=overall.cohort,  # derived: no cell of its own
            ))

    def area_row(self, parsed, columns, row, number, year, level, la):
        super().area_row(parsed, columns, row, number, year, level, la)
        # National and LA attendance likewise, so a school's attendance has its comparators.
        overall = next((f for f in parsed.comparators[::-1]
                        if f.row == number and f.measure == "absence_overall"), None)
        if overall is not None:
            value = None if overall.value is None else 100 - overall.value
            parsed.comparators.append(ComparatorFact(
                area=overall.area, area_code=overall.area_code, area_name=overall.area_name,
                measure="attendance", year=year, value=value, state=overall.state, raw="", row=number,
            ))
