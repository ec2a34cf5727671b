"""Key stage 2 results from the two generations of DfE file: the legacy wide performance-tables
file (`england_ks2final.csv`, one row per school, a column per figure and pupil group) and the
Explore Education Statistics long file (one row per school, subject and breakdown).

History is in the legacy files and new years are in EES, so both land on the same measures,
subjects and pupil groups.
"""

import dataclasses
import re

import pandas as pd

from academies.models.results import PupilGroup, Subject, Symbol, YearGroup

from ..base import Columns, ComparatorFact, Format, Parsed, ResultFact, read_cell
from ..cells import parse_count, parse_number
from .ees import GEOGRAPHY, EESSchoolFormat


def _year_label(start):
    return f"{start}/{(start + 1) % 100:02d}"


def _school_urns(context):
    """The schools to keep from a national file: an academy's own data manager gets their
    academy's rows, and the rest of the trust's are left out like any other school's."""
    if context.only_urn is None:
        return context.trust_urns
    return {urn: pk for urn, pk in context.trust_urns.items() if urn == context.only_urn}


def _no_rows(table, parsed):
    if table.frame.empty:
        parsed.error(None, "", "", "the file has a header but no rows of figures under it")
        return True
    return False


@dataclasses.dataclass(frozen=True)
class Place:
    """Whom a row's figures are about: one of the trust's schools, or a comparator area."""

    urn: str = ""
    area: str = ""  # "la" or "national" for a comparator
    area_code: str = ""
    area_name: str = ""

    def add(self, parsed, *, measure, year, value, state, raw, row, group, subject, cohort=None,
            year_group=""):
        if self.urn:
            parsed.results.append(ResultFact(
                urn=self.urn, measure=measure, year=year, value=value, state=state, raw=raw, row=row,
                group=group, subject=subject, year_group=year_group, cohort=cohort,
            ))
        else:
            parsed.comparators.append(ComparatorFact(
                area=self.area, area_code=self.area_code, area_name=self.area_name, measure=measure,
                year=year, value=value, state=state, raw=raw, row=row, group=group, subject=subject,
                year_group=year_group,
            ))


# ---------------------------------------------------------------------------------------------
# The legacy wide file

# Column stem -> (measure, subject, written as a percentage).
LEGACY_FIGURES = {
    "PTRWM_EXP": ("ks2_expected", Subject.RWM, True),
    "PTRWM_HIGH": ("ks2_higher", Subject.RWM, True),
    "PTREAD_EXP": ("ks2_expected", Subject.READING, True),
    "PTREAD_HIGH": ("ks2_higher", Subject.READING, True),
    "PTWRITTA_EXP": ("ks2_expected", Subject.WRITING, True),
    "PTWRITTA_HIGH": ("ks2_higher", Subject.WRITING, True),  # greater depth, teacher assessed
    "PTMAT_EXP": ("ks2_expected", Subject.MATHS, True),
    "PTMAT_HIGH": ("ks2_higher", Subject.MATHS, True),
    "PTGPS_EXP": ("ks2_expected", Subject.GPS, True),
    "PTGPS_HIGH": ("ks2_higher", Subject.GPS, True),
    "PTSCITA_EXP": ("ks2_expected", Subject.SCIENCE, True),
    "READ_AVERAGE": ("ks2_scaled_score", Subject.READING, False),
    "MAT_AVERAGE": ("ks2_scaled_score", Subject.MATHS, False),
    "GPS_AVERAGE": ("ks2_scaled_score", Subject.GPS, False),
    "READPROG": ("ks2_progress", Subject.READING, False),
    "WRITPROG": ("ks2_progress", Subject.WRITING, False),
    "MATPROG": ("ks2_progress", Subject.MATHS, False),
}

# Pupil group -> the column suffixes that name it, first the 2022/23 spelling, then the ones other
# years use (headers are matched without case, so NotFSM6CLA1A is also NOTFSM6CLA1A).
LEGACY_GROUPS = {
    PupilGroup.ALL: [""],
    PupilGroup.BOYS: ["_B", "_BOY"],
    PupilGroup.GIRLS: ["_G", "_GIRL"],
    PupilGroup.LOW_PRIOR: ["_L"],
    PupilGroup.MIDDLE_PRIOR: ["_M"],
    PupilGroup.HIGH_PRIOR: ["_H"],
    PupilGroup.DISADVANTAGED: ["_FSM6CLA1A"],
    PupilGroup.NOT_DISADVANTAGED: ["_NotFSM6CLA1A", "_NFSM6CLA1A"],
    PupilGroup.EAL: ["_EAL"],
    PupilGroup.NON_MOBILE: ["_MOBN"],
}

# Pupil group -> the columns counting its pupils, so that small groups can be hidden from governors.
LEGACY_COHORTS = {
    PupilGroup.ALL: ["TELIG"],
    PupilGroup.BOYS: ["BELIG"],
    PupilGroup.GIRLS: ["GELIG"],
    PupilGroup.LOW_PRIOR: ["TKS1GROUP_L"],
    PupilGroup.MIDDLE_PRIOR: ["TKS1GROUP_M"],
    PupilGroup.HIGH_PRIOR: ["TKS1GROUP_H"],
    PupilGroup.DISADVANTAGED: ["TFSM6CLA1A"],
    PupilGroup.NOT_DISADVANTAGED: ["TNOTFSM6CLA1A", "TNFSM6CLA1A"],
    PupilGroup.EAL: ["TEALGRP2"],
    PupilGroup.NON_MOBILE: ["TMOBN"],
}

SCHOOL_RECORDS = {"1", "2"}  # mainstream and special schools
LA_RECORD = "3"
NATIONAL_ALL, NATIONAL_STATE_FUNDED = "4", "5"
KNOWN_RECORDS = [*SCHOOL_RECORDS, LA_RECORD, NATIONAL_ALL, NATIONAL_STATE_FUNDED]
# A column for an earlier year carried in the same file: PTRWM_EXP_22 is 2021/22's PTRWM_EXP.
_EARLIER_YEAR = re.compile(r"^(.+)_(\d{2})$")


def _legacy_aliases():
    aliases = {
        "rectype": ["RECTYPE"],
        "urn": ["URN"],
        "lea": ["LEA"],
        "name": ["SCHNAME"],
        # The share of the KS2 cohort that is disadvantaged, not of the whole school.
        "pupil_premium": ["PTFSM6CLA1A"],
    }
    for group, names in LEGACY_COHORTS.items():
        aliases[f"cohort:{group}"] = names
    for stem in LEGACY_FIGURES:
        for group, suffixes in LEGACY_GROUPS.items():
            aliases[f"{stem}:{group}"] = [stem + suffix for suffix in suffixes]
    return aliases


class KS2Legacy(Format):
    kind = "ks2_legacy"
    label = "KS2 performance tables (legacy england_ks2final.csv)"
    description = (
        "The key stage 2 file from Compare school performance, one row per school (2016 to 2023). "
        "It does not say its year: give it."
    )
    # RECTYPE finds the header even when URN is missing, so the report can say URN is missing.
    key_columns = ("urn", "rectype")
    aliases = _legacy_aliases()
    required = ("rectype", "urn", "lea")
    signature = ("rectype", "lea", "cohort:all", "PTRWM_EXP:all")
    national = True
    needs_year = True

    def parse(self, table, context):
        parsed = Parsed()
        columns = self.columns(table, parsed)
        if parsed.errors or _no_rows(table, parsed):
            return parsed
        if context.year is None:  # the pipeline asks for it first; this guards any other caller
            parsed.error(None, "", "", "give the academic year the file is for (for example 2022/23)")
            return parsed
        self.check_earlier_years(table, context.year, parsed)
        if parsed.errors:
            return parsed
        urns = list(_school_urns(context))
        frame = table.frame
        rectypes = frame[columns.found["rectype"]]
        in_trust = frame[columns.found["urn"]].isin(urns)
        # DfE compares schools with state-funded schools; the all-schools row is used only when
        # a file has no state-funded one.
        national = NATIONAL_STATE_FUNDED if rectypes.eq(NATIONAL_STATE_FUNDED).any() else NATIONAL_ALL
        known = rectypes.isin(KNOWN_RECORDS)
        wanted = (
            (rectypes.isin(SCHOOL_RECORDS) & in_trust)
            | (rectypes.eq(LA_RECORD) & frame[columns.found["lea"]].isin(list(context.la_codes)))
            | rectypes.eq(national)
        )
        parsed.skipped = int((known & ~wanted).sum())
        for index in frame.index[~known & in_trust]:
            parsed.error(table.row_number(index), columns.header("rectype"), rectypes[index],
                         "a row about one of the trust's schools must have record type 1 or 2")
        for rectype, count in sorted(rectypes[~known & ~in_trust].value_counts().items()):
            parsed.notes.append(f"{count} row(s) of record type {rectype!r} left out: only schools (1, 2), "
                                "local authorities (3) and England (4, 5) are read.")
        if national == NATIONAL_STATE_FUNDED and rectypes.eq(NATIONAL_ALL).any():
            parsed.notes.append("National figures are those for state-funded schools (record type 5); "
                                "the all-schools row (record type 4) was left out.")
        for index, row in zip(frame.index[wanted], frame[wanted].to_dict("records"), strict=True):
            self.row_figures(parsed, columns, row, table.row_number(index), context.year,
                             self.place(columns, row))
        return parsed

    @staticmethod
    def place(columns, row):
        rectype = columns.get(row, "rectype")
        if rectype in SCHOOL_RECORDS:
            return Place(urn=columns.get(row, "urn"))
        if rectype == LA_RECORD:
            la = columns.get(row, "lea")
            return Place(area="la", area_code=la, area_name=columns.get(row, "name") or f"LA {la}")
        return Place(area="national", area_name="England")

    def row_figures(self, parsed, columns, row, number, year, place):
        cohorts = {}
        if place.urn:
            for group in LEGACY_COHORTS:
                name = f"cohort:{group}"
                if columns.has(name):
                    cohorts[group], _ = read_cell(parsed, number, columns.header(name),
                                                  columns.get(row, name), parse_count)
        if columns.has("pupil_premium"):
            self.add(parsed, columns, row, number, "pupil_premium", place, measure="pupil_premium",
                     year=year, percent=True, group=PupilGroup.ALL, subject=Subject.NONE,
                     cohort=cohorts.get(PupilGroup.ALL), year_group=YearGroup.KS2)
        for stem, (measure, subject, percent) in LEGACY_FIGURES.items():
            for group in LEGACY_GROUPS:
                name = f"{stem}:{group}"
                if columns.has(name):
                    self.add(parsed, columns, row, number, name, place, measure=measure, year=year,
                             percent=percent, group=group, subject=subject, cohort=cohorts.get(group))

    @staticmethod
    def add(parsed, columns, row, number, name, place, *, percent, **dimensions):
        raw = columns.get(row, name)
        value, state = read_cell(parsed, number, columns.header(name), raw, parse_number, percent=percent)
        if value is not None or state:  # a blank cell is no figure at all
            place.add(parsed, value=value, state=state, raw=raw, row=number, **dimensions)

    @staticmethod
    def check_earlier_years(table, year, parsed):
        """The file carries figures for earlier years under suffixed columns. They are never read
        as this year's; and a year given that is not later than them is a mistake."""
        names = list(table.frame.columns)
        present = set(names)
        earlier = {}
        for name in names:
            match = _EARLIER_YEAR.match(name)
            if match and match.group(1) in present:
                earlier.setdefault(2000 + int(match.group(2)) - 1, table.columns.get(name, name))
        if not earlier:
            return
        latest = max(earlier)
        if latest >= year:
            parsed.error(None, earlier[latest], "", (
                f"the file also has figures for {_year_label(latest)} (columns such as "
                f"{earlier[latest]}), so it is for a later year than the {_year_label(year)} given: "
                "check the year"))
            return
        years = ", ".join(_year_label(y) for y in sorted(earlier))
        parsed.notes.append(f"Figures the file repeats for earlier years ({years}) were not imported: "
                            "import each year's own file for those years.")


# ---------------------------------------------------------------------------------------------
# The Explore Education Statistics long file

EES_SUBJECTS = {
    "reading": Subject.READING,
    "writing": Subject.WRITING,
    "maths": Subject.MATHS,
    "mathematics": Subject.MATHS,
    "grammar, punctuation and spelling": Subject.GPS,
    "science": Subject.SCIENCE,
    "reading, writing and maths": Subject.RWM,
    "reading, writing and mathematics": Subject.RWM,
}

# breakdown (matched without case) -> pupil group
EES_BREAKDOWNS = {
    "total": PupilGroup.ALL,
    "all pupils": PupilGroup.ALL,
    "disadvantaged": PupilGroup.DISADVANTAGED,
    "disadvantaged all other": PupilGroup.NOT_DISADVANTAGED,
    "not disadvantaged": PupilGroup.NOT_DISADVANTAGED,
    "boys": PupilGroup.BOYS,
    "girls": PupilGroup.GIRLS,
    "male": PupilGroup.BOYS,
    "female": PupilGroup.GIRLS,
    "eal": PupilGroup.EAL,
    "english as an additional language": PupilGroup.EAL,
    "other than english": PupilGroup.EAL,
    "non mobile": PupilGroup.NON_MOBILE,
    "non-mobile": PupilGroup.NON_MOBILE,
}

# DfE publishes no such figure (writing and science are teacher assessed, science has no higher
# standard, the combined measure has no score), so their `z` cells are layout, not results.
NEVER_PUBLISHED = {
    ("ks2_scaled_score", Subject.WRITING), ("ks2_scaled_score", Subject.SCIENCE),
    ("ks2_scaled_score", Subject.RWM), ("ks2_progress", Subject.GPS),
    ("ks2_progress", Subject.SCIENCE), ("ks2_progress", Subject.RWM), ("ks2_higher", Subject.SCIENCE),
}


def _is_average(topic, breakdown):
    """The 3-year average rows ("Average (2023 to 2025)" / "3 year average"); `note_left_out`
    finds them the same way, for the whole file at once."""
    return topic.casefold().startswith("average") or "year average" in breakdown.casefold()


class EESKS2(EESSchoolFormat):
    kind = "ees_ks2"
    label = "EES KS2 school attainment"
    description = (
        "Key stage 2 attainment by school from Explore Education Statistics (2023/24 onwards): "
        "one row per school, subject and pupil group."
    )
    aliases = {
        **GEOGRAPHY,
        "subject": ["subject"],
        "topic": ["breakdown_topic"],
        "breakdown": ["breakdown"],
        "expected": ["expected_standard_pupil_percent"],
        "higher": ["higher_standard_pupil_percent"],
        "scaled": ["average_scaled_score"],
        "progress": ["progress_measure_score"],
        "cohort": ["eligible_pupil_count"],
    }
    required = ("time_period", "urn", "subject", "breakdown", "expected")
    # Without URN, so that a file missing it is reported as such rather than not recognised.
    signature = ("time_period", "subject", "breakdown", "expected")
    figures = {
        "expected": ("ks2_expected", "percent"),
        "higher": ("ks2_higher", "percent"),
        "scaled": ("ks2_scaled_score", "score"),
        "progress": ("ks2_progress", "score"),
    }

    def parse(self, table, context):
        parsed = Parsed()
        if _no_rows(table, parsed):
            return parsed
        parsed = super().parse(table, dataclasses.replace(context, trust_urns=_school_urns(context)))
        if not parsed.errors:
            self.note_left_out(table, parsed)
        return parsed

    def dimensions(self, columns, row):
        """(subject, pupil group) of a row, or None for rows that are not single-year figures
        for a group the product keeps."""
        if _is_average(columns.get(row, "topic"), columns.get(row, "breakdown")):
            return None
        subject = EES_SUBJECTS.get(columns.get(row, "subject").casefold())
        group = EES_BREAKDOWNS.get(columns.get(row, "breakdown").casefold())
        if subject is None or group is None:
            return None
        return subject, group

    def school_row(self, parsed, columns, row, number, urn, year):
        self.place_row(parsed, columns, row, number, year, Place(urn=urn))

    def area_row(self, parsed, columns, row, number, year, level, la):
        if level == "national":
            place = Place(area="national", area_name="England")
        else:
            place = Place(area="la", area_code=la, area_name=columns.get(row, "la_name"))
        self.place_row(parsed, columns, row, number, year, place)

    def place_row(self, parsed, columns, row, number, year, place):
        dimensions = self.dimensions(columns, row)
        if dimensions is None:
            return
        subject, group = dimensions
        cohort = None
        if place.urn and columns.has("cohort"):
            cohort, _ = read_cell(parsed, number, columns.header("cohort"), columns.get(row, "cohort"),
                                  parse_count)
        for measure, value, state, raw in self.figures_of(parsed, columns, row, number):
            if state == Symbol.NOT_APPLICABLE and (measure, subject) in NEVER_PUBLISHED:
                continue
            place.add(parsed, measure=measure, year=year, value=value, state=state, raw=raw,
                      row=number, group=group, subject=subject, cohort=cohort)

    def note_left_out(self, table, parsed):
        """Say which rows were not imported, once for the file rather than once a row."""
        columns = Columns(table, self.aliases)
        frame = table.frame
        blank = pd.Series("", index=frame.index)
        topic = frame[columns.found["topic"]] if columns.has("topic") else blank
        breakdown = frame[columns.found["breakdown"]]
        subject = frame[columns.found["subject"]]
        average = topic.str.casefold().str.startswith("average") | breakdown.str.casefold().str.contains(
            "year average", regex=False)
        if average.any():
            parsed.notes.append(f"{int(average.sum())} row(s) of 3-year averages left out: the product "
                                "keeps each year's own figures.")
        subjects = subject[~average & ~subject.str.casefold().isin(EES_SUBJECTS)]
        if len(subjects):
            parsed.notes.append("Subjects not imported: " + "; ".join(sorted(set(subjects))))
        other = ~average & ~breakdown.str.casefold().isin(EES_BREAKDOWNS)
        groups = {f"{t}: {b}" if t else b for t, b in zip(topic[other], breakdown[other], strict=True)}
        if groups:
            parsed.notes.append("Pupil groups not imported: " + "; ".join(sorted(groups)))
