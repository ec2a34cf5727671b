"""Ofsted's monthly management information, "State-funded schools inspections and outcomes".

One school's row can describe several inspections: the current layout (sheet D2, from
10 November 2025) has the latest report-card inspection, the previous graded inspection under
the old framework ("latest OEIF") and the latest ungraded inspection; the legacy layouts have
the latest graded inspection, sometimes the previous one, and the latest ungraded one; the
2015-19 consolidated file has one inspection a row. Each becomes an Inspection of its own,
its framework decided by its start date, its grades kept on the scale Ofsted wrote them in:
a grade on the wrong scale for its date is an error, never converted.

A file describes an inspection only as far as its layout goes (the consolidated file has no
report link, the current layout no sub-judgements of a 2015-19 inspection), so a blank cell
leaves what an earlier file stored in place: importing an older layout never erases a fact.
"""

import datetime
import re
from dataclasses import dataclass, field

from academies.models import FIVE_POINT, FOUR_POINT, Inspection, InspectionJudgement
from academies.models.ofsted import FRAMEWORK_SCALE, NO_OVERALL_FROM, Area, Framework

from ..base import Format, Parsed
from ..cells import CellError, parse_date

# Cells that mean "no grade": Ofsted's 9 (no judgement), DfE's 0 (insufficient evidence) and
# 8 (does not apply), "Not judged" for the overall grade from September 2024, and empty cells.
NO_GRADE = {"", "null", "9", "0", "8", "not judged", "not applicable", "does not apply", "n/a", "na",
            "not recorded", "-"}
FOUR_POINT_CELL = re.compile(r"^([1-4])(\.0+)?$")  # a spreadsheet may write 2 as 2.0
FOUR_POINT_WORDS = {label.casefold(): grade for grade, label in FOUR_POINT.items()}
FIVE_POINT_WORDS = {label.casefold(): grade for grade, label in FIVE_POINT.items()}
SAFEGUARDING = {
    "yes": Inspection.Safeguarding.EFFECTIVE, "no": Inspection.Safeguarding.NOT_EFFECTIVE,
    "met": Inspection.Safeguarding.MET, "not met": Inspection.Safeguarding.NOT_MET,
}
CONCERN = {
    "sm": Inspection.Concern.SPECIAL_MEASURES, "special measures": Inspection.Concern.SPECIAL_MEASURES,
    "swk": Inspection.Concern.SERIOUS_WEAKNESSES,
    "serious weaknesses": Inspection.Concern.SERIOUS_WEAKNESSES,
    "nti": Inspection.Concern.NOTICE_TO_IMPROVE, "notice to improve": Inspection.Concern.NOTICE_TO_IMPROVE,
    "rsi": Inspection.Concern.SIGNIFICANT_IMPROVEMENT,
    "requires significant improvement": Inspection.Concern.SIGNIFICANT_IMPROVEMENT,
}
NO_CONCERN = {"", "null", "none", "no", "9", "not applicable", "n/a", "-"}
NULL_TEXT = {"", "null", "n/a", "-"}
URN = re.compile(r"^\d{6}$")

FIELD_NAMES = {
    "inspection_number": "inspection number", "inspection_type": "inspection type",
    "publication_date": "publication date", "overall_effectiveness": "overall effectiveness",
    "category_of_concern": "category of concern", "safeguarding": "safeguarding",
    "outcome_text": "outcome", "report_url": "report link",
}
LIMITS = {"inspection_number": 20, "inspection_type": 100, "outcome_text": 100, "report_url": 200}


@dataclass(frozen=True)
class Block:
    """The columns of one inspection in a school's row, each a list of the names it goes by."""

    name: str  # which inspection, as a person would say it in a note
    # number, type, start, publication, relates, urn_at, concern, overall, safeguarding, outcome
    columns: dict
    areas: dict = field(default_factory=dict)  # Area -> names
    grade_dates: dict = field(default_factory=dict)  # Area -> names of its "date of grade" column
    scale: str = "four_point"  # the scale of the grades in these columns
    graded: bool = True

    def aliases(self):
        out = {f"{self.name}.{key}": names for key, names in self.columns.items()}
        out.update({f"{self.name}.{area}": names for area, names in self.areas.items()})
        out.update({f"{self.name}.{area}.date": names for area, names in self.grade_dates.items()})
        return out


def eif_areas(prefix):
    """The EIF sub-judgement columns, each with and without its "(where applicable)"."""
    names = {
        Area.QUALITY_OF_EDUCATION: "quality of education",
        Area.BEHAVIOUR_AND_ATTITUDES: "behaviour and attitudes",
        Area.PERSONAL_DEVELOPMENT: "personal development",
        Area.LEADERSHIP_AND_MANAGEMENT: "effectiveness of leadership and management",
        Area.EARLY_YEARS: "early years provision (where applicable)",
        Area.SIXTH_FORM: "sixth form provision (where applicable)",
    }
    return {area: _with_and_without_applicable(prefix + name) for area, name in names.items()}


def _with_and_without_applicable(name):
    short = name.replace(" (where applicable)", "")
    return [name, short] if short != name else [name]


REPORT_CARD_AREAS = {
    Area.INCLUSION: "Inclusion",
    Area.CURRICULUM_AND_TEACHING: "Curriculum and teaching",
    Area.ACHIEVEMENT: "Achievement",
    Area.ATTENDANCE_AND_BEHAVIOUR: "Attendance and behaviour",
    Area.PERSONAL_DEVELOPMENT_AND_WELLBEING: "Personal development and wellbeing",
    Area.EARLY_YEARS: "Early years (where applicable)",
    Area.POST_16: "Post-16 provision (where applicable)",
    Area.LEADERSHIP_AND_GOVERNANCE: "Leadership and governance",
}

REPORT_CARD = Block(
    name="report card",
    scale="five_point",
    columns={
        # The D1 sheet (in-year inspections) calls it plain "Inspection number".
        "number": ["Inspection number of latest full inspection", "Inspection number"],
        "type": ["Inspection type"],
        "start": ["Inspection start date"],
        "publication": ["Publication date"],
        "relates": ["Does the latest full inspection relate to the URN of the current school?"],
        "urn_at": ["URN at time of latest full inspection"],
        "concern": ["Category of concern"],
        "safeguarding": ["Safeguarding standards"],
    },
    areas={
        **{area: _with_and_without_applicable(name) for area, name in REPORT_CARD_AREAS.items()},
        Area.PERSONAL_DEVELOPMENT_AND_WELLBEING: [
            "Personal development and wellbeing", "Personal development and well-being",
        ],
    },
    grade_dates={
        area: [f"{short} - date of grade", f"{short} date of grade"]
        for area, name in REPORT_CARD_AREAS.items()
        for short in [name.replace(" (where applicable)", "")]
    },
)

LATEST_OEIF = Block(
    name="previous graded",
    columns={
        "number": ["Inspection number of latest OEIF graded inspection"],
        "type": ["Inspection type of latest OEIF graded inspection"],
        "start": ["Inspection start date of latest OEIF graded inspection"],
        "publication": ["Publication date of latest OEIF graded inspection"],
        "relates": ["Does the latest OEIF graded inspection relate to the URN of the current school?"],
        "urn_at": ["URN at time of latest OEIF graded inspection"],
        "concern": ["Latest OEIF category of concern"],
        "overall": ["Latest OEIF overall effectiveness"],
        "safeguarding": ["Latest OEIF safeguarding is effective?"],
    },
    areas=eif_areas("latest OEIF "),
)

UNGRADED = Block(
    name="ungraded",
    graded=False,
    columns={
        "number": ["Latest ungraded inspection number",
                   "Latest ungraded inspection number since last graded inspection"],
        "start": ["Date of latest ungraded inspection"],
        "publication": ["Ungraded inspection publication date"],
        "relates": ["Does the ungraded inspection relate to the URN of the current school?"],
        "urn_at": ["URN at time of the ungraded inspection"],
        "outcome": ["Ungraded inspection overall outcome"],
    },
)

EIF_LATEST = Block(
    name="graded",
    columns={
        "number": ["Inspection number of latest graded inspection",
                   "Inspection number of latest full inspection", "Inspection number"],
        "type": ["Inspection type"],
        "start": ["Inspection start date"],
        "publication": ["Publication date"],
        "relates": ["Does the latest graded inspection relate to the URN of the current school?",
                    "Does the latest full inspection relate to the URN of the current school?",
                    "Does the inspection relate to the URN of the current school?"],
        "urn_at": ["URN at time of latest graded inspection", "URN at time of latest full inspection",
                   "URN at time of inspection"],
        "concern": ["Category of concern"],
        "overall": ["Overall effectiveness"],
        "safeguarding": ["Safeguarding is effective?", "Is safeguarding effective?"],
    },
    areas=eif_areas(""),
)

EIF_PREVIOUS = Block(
    name="previous graded",
    columns={
        "number": ["Previous graded inspection number", "Previous full inspection number",
                   "Previous inspection number"],
        "start": ["Previous inspection start date"],
        "publication": ["Previous publication date"],
        "relates": ["Does the previous inspection relate to the school in its current form?"],
        "urn_at": ["URN at time of previous graded inspection", "URN at time of previous full inspection",
                   "URN at time of previous inspection"],
        "concern": ["Previous category of concern"],
        "overall": ["Previous graded inspection overall effectiveness",
                    "Previous full inspection overall effectiveness", "Previous overall effectiveness"],
        "safeguarding": ["Previous safeguarding is effective?"],
    },
    areas=eif_areas("previous "),
)

CIF = Block(
    name="graded",
    columns={
        **EIF_LATEST.columns,
        "number": ["Inspection number"],
    },
    # The 2015-19 framework's other judgements (teaching, learning and assessment; personal
    # development, behaviour and welfare; outcomes for pupils) have no area in the product.
    areas={
        Area.LEADERSHIP_AND_MANAGEMENT: ["Effectiveness of leadership and management"],
        Area.EARLY_YEARS: _with_and_without_applicable("Early years provision (where applicable)"),
        Area.SIXTH_FORM: [*_with_and_without_applicable("16 to 19 study programmes (where applicable)"),
                          "16-19 study programmes"],
    },
)

SCHOOL = {
    "urn": ["URN"],
    "link": ["Web link", "Web link (opens in new window)"],
}


@dataclass
class InspectionRecord:
    """One inspection as a file describes it: only the facts the file gives are in `values`."""

    urn: str  # the academy's URN now
    row: int
    urn_at_inspection: str
    start_date: datetime.date
    graded: bool
    values: dict
    judgements: dict  # Area -> (grade, date of grade)

    @property
    def key(self):
        return (self.urn, self.urn_at_inspection, self.start_date)

    @property
    def framework(self):
        return Framework.for_date(self.start_date)

    def merge(self, other):
        """Take in what `other` says about the same inspection; the names of facts they disagree on."""
        conflicts = []
        for name, value in other.values.items():
            if self.values.setdefault(name, value) != value:
                conflicts.append(FIELD_NAMES[name])
        for area, judgement in other.judgements.items():
            if self.judgements.setdefault(area, judgement) != judgement:
                conflicts.append(Area(area).label.lower())
        self.graded = self.graded or other.graded
        return conflicts


class OfstedFormat(Format):
    """What every layout shares: rows of the trust's academies, each holding one or more inspections."""

    # The start date finds the header too, so that a file which lost its URN column is still
    # recognised, and refused for the want of it rather than as a file of no known kind.
    key_columns = ("urn", "inspection start date")
    national = True
    blocks: tuple = ()  # the inspections a row can hold, most recent first
    extra_aliases: dict = {}  # columns that identify the layout without being read
    notes: tuple = ()  # said on every import of the layout

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.aliases = {**SCHOOL, **cls.extra_aliases}
        for block in cls.blocks:
            for name, names in block.aliases().items():
                cls.aliases.setdefault(name, names)

    def parse(self, table, context):
        parsed = Parsed()
        columns = self.columns(table, parsed)
        if parsed.errors:
            return parsed
        parsed.notes.extend(self.notes)
        blocks = [b for b in self.blocks if columns.has(f"{b.name}.start")]
        seen = {}
        for index, row in enumerate(table.frame.to_dict("records")):
            number = table.row_number(index)
            urn = columns.get(row, "urn")
            if urn not in context.trust_urns:
                parsed.skipped += 1
                continue
            if context.only_urn and urn != context.only_urn:
                parsed.error(number, columns.header("urn"), urn,
                             f"you may import inspections only of your own academy ({context.only_urn})")
                continue
            link = self.link(parsed, columns, row, number)
            for block in blocks:
                record = self.inspection(parsed, columns, row, number, urn, block)
                if record is None:
                    continue
                if link:
                    record.values["report_url"] = link
                self.add(parsed, seen, record)
        parsed.records = list(seen.values())
        return parsed

    @staticmethod
    def add(parsed, seen, record):
        """One record per inspection: the same inspection twice (two rows, or two column sets of
        one row) is merged, and an error when the two disagree."""
        first = seen.setdefault(record.key, record)
        if first is record:
            return
        conflicts = first.merge(record)
        if conflicts:
            where = f"row {first.row}" if first.row != record.row else "another column set of this row"
            parsed.error(record.row, "", f"{record.start_date:%d/%m/%Y}",
                         f"this row describes the inspection of URN {record.urn_at_inspection} on "
                         f"{record.start_date:%d/%m/%Y} as {where} does, but gives a different "
                         + ", ".join(conflicts))

    def link(self, parsed, columns, row, number):
        raw = columns.get(row, "link")
        if not raw.casefold().startswith(("http://", "https://")):
            return ""  # NULL, or not a link a person could follow
        return self.limited(parsed, columns, number, "link", raw, LIMITS["report_url"])

    @staticmethod
    def limited(parsed, columns, number, name, text, limit):
        if len(text) > limit:
            parsed.error(number, columns.header(name), text, f"longer than the {limit} characters kept")
        return text[:limit]

    def inspection(self, parsed, columns, row, number, urn, block):
        """The record of one block of a row, None when the row has no such inspection (or an error)."""
        errors_before = len(parsed.errors)

        def cell(key):
            return columns.get(row, f"{block.name}.{key}")

        def header(key):
            return columns.header(f"{block.name}.{key}")

        def read(key, reader):
            raw = cell(key)
            try:
                return reader(raw)
            except CellError as error:
                parsed.error(number, header(key), raw, str(error))
                return None

        start = read("start", parse_date)
        values = {}
        judgements = {}
        for area in block.areas:
            grade = read(area, lambda raw: read_grade(raw, block.scale))
            if grade:
                judgements[area] = (grade, read(f"{area}.date", parse_date))
        if block.graded and columns.has(f"{block.name}.overall"):
            overall = read("overall", lambda raw: read_grade(raw, "four_point"))
            if overall:
                values["overall_effectiveness"] = overall
        for key, name, reader in (
            ("safeguarding", "safeguarding", read_safeguarding),
            ("concern", "category_of_concern", read_concern),
            ("publication", "publication_date", parse_date),
        ):
            value = read(key, reader)
            if value:
                values[name] = value
        for key, name in (("number", "inspection_number"), ("type", "inspection_type"),
                          ("outcome", "outcome_text")):
            text = cell(key)
            if text.casefold() not in NULL_TEXT:
                values[name] = self.limited(parsed, columns, number, f"{block.name}.{key}", text,
                                            LIMITS[name])
        urn_at = read("urn_at", read_urn)
        if len(parsed.errors) > errors_before:
            return None

        says_something = judgements or set(values) - {"inspection_number", "inspection_type"}
        if start is None:
            if says_something:
                parsed.error(number, header("start"), cell("start"),
                             f"the {block.name} inspection has grades or an outcome but no start date")
            return None
        if urn_at is None:
            if cell("relates").casefold() == "no":
                parsed.notes.append(
                    f"Row {number}: the {block.name} inspection of {start:%d/%m/%Y} was of another "
                    "school, whose URN the file does not give; it was left out."
                )
                return None
            urn_at = urn
        if not self.fits_framework(parsed, number, header("start"), start, block, judgements, values):
            return None
        return InspectionRecord(
            urn=urn, row=number, urn_at_inspection=urn_at, start_date=start, graded=block.graded,
            values=values, judgements=judgements,
        )

    @staticmethod
    def fits_framework(parsed, number, header, start, block, judgements, values):
        """Grades on the scale of the framework in force on the inspection's date, or an error:
        Ofsted says the scales cannot be compared, so none is converted."""
        framework = Framework.for_date(start)
        day = f"{start:%d/%m/%Y}"
        if judgements and FRAMEWORK_SCALE[framework] != block.scale:
            written = "report-card grades" if block.scale == "five_point" else "grades of 1 to 4"
            parsed.error(number, header, day,
                         f"an inspection on {day} falls under '{framework.label}', but its columns "
                         f"hold {written}; grades on one scale are never converted to the other")
            return False
        if "overall_effectiveness" in values and start >= NO_OVERALL_FROM:
            parsed.error(number, header, day,
                         f"the inspection on {day} has an overall effectiveness grade, which Ofsted "
                         "stopped giving from 1 September 2024: check the date")
            return False
        return True

    def write(self, parsed, batch, writer):
        """Upsert each inspection by academy, URN at inspection and start date. Only the facts the
        file gives are written; the trust's own next-due override is never touched."""
        records = parsed.records
        if not records:
            return
        existing = {
            (i.academy_id, i.urn_at_inspection, i.start_date): i
            for i in Inspection.objects.filter(
                academy_id__in={writer.academies[r.urn] for r in records}
            ).prefetch_related("judgements")
        }
        new, new_judgements, changed_judgements = [], [], []
        updated = unchanged = 0
        for record in records:
            academy_id = writer.academies[record.urn]
            writer.touched.add(academy_id)
            wanted = {"framework": record.framework, "graded": record.graded, **record.values}
            inspection = existing.get((academy_id, record.urn_at_inspection, record.start_date))
            if inspection is None:
                inspection = Inspection(
                    academy_id=academy_id, urn_at_inspection=record.urn_at_inspection,
                    start_date=record.start_date, batch=batch, **wanted,
                )
                new.append(inspection)
                stored = {}
            else:
                stored = {j.area: j for j in inspection.judgements.all()}
            fields = [name for name, value in wanted.items() if getattr(inspection, name) != value]
            for name in fields:
                setattr(inspection, name, wanted[name])
            judgements_changed = False
            for area, (grade, grade_date) in record.judgements.items():
                judgement = stored.get(area)
                if judgement is not None and grade_date is None and judgement.grade == grade:
                    grade_date = judgement.grade_date  # a blank date of grade erases nothing
                if judgement is None:
                    new_judgements.append(InspectionJudgement(
                        inspection=inspection, area=area, grade=grade, grade_date=grade_date,
                    ))
                    judgements_changed = True
                elif (judgement.grade, judgement.grade_date) != (grade, grade_date):
                    judgement.grade, judgement.grade_date = grade, grade_date
                    changed_judgements.append(judgement)
                    judgements_changed = True
            if inspection.pk is None:
                continue
            if fields or judgements_changed:
                inspection.batch = batch
                inspection.save(update_fields=[*fields, "batch", "updated_at"])
                updated += 1
            else:
                unchanged += 1
        Inspection.objects.bulk_create(new)
        InspectionJudgement.objects.bulk_create(new_judgements)
        InspectionJudgement.objects.bulk_update(changed_judgements, ["grade", "grade_date"])
        writer.count(created=len(new), updated=updated, unchanged=unchanged)


def read_grade(raw, scale):
    """A grade key on `scale` ("1".."4", or a FIVE_POINT key); None for no grade."""
    text = " ".join(str(raw).split())
    folded = text.casefold()
    if folded in NO_GRADE:
        return None
    if scale == "four_point":
        match = FOUR_POINT_CELL.match(folded)
        if match:
            return match.group(1)
        if folded in FOUR_POINT_WORDS:
            return FOUR_POINT_WORDS[folded]
        raise CellError(f"{text!r} is not an Ofsted grade: expected 1 to 4 (9 or Not judged for none)")
    if folded in FIVE_POINT_WORDS:
        return FIVE_POINT_WORDS[folded]
    raise CellError(
        f"{text!r} is not a report-card grade: expected " + ", ".join(FIVE_POINT.values())
        + " (Not applicable for none)"
    )


def read_safeguarding(raw):
    folded = " ".join(str(raw).split()).casefold()
    if folded in NO_GRADE:
        return ""
    if folded in SAFEGUARDING:
        return SAFEGUARDING[folded]
    raise CellError(f"{str(raw).strip()!r} is not a safeguarding judgement: expected Yes, No, Met or Not met")


def read_concern(raw):
    folded = " ".join(str(raw).split()).casefold()
    if folded in NO_CONCERN:
        return ""
    if folded in CONCERN:
        return CONCERN[folded]
    raise CellError(
        f"{str(raw).strip()!r} is not a category of concern the product records: expected SM "
        "(special measures), SWK (serious weaknesses) or none"
    )


def read_urn(raw):
    text = str(raw).strip()
    if text.casefold() in NULL_TEXT:
        return None
    if not URN.match(text):
        raise CellError(f"{text!r} is not a URN (six digits)")
    return text


class OfstedReportCards(OfstedFormat):
    kind = "ofsted_mi"
    label = "Ofsted management information (report cards, from November 2025)"
    description = (
        "Ofsted's monthly 'State-funded schools inspections and outcomes' file in its current "
        "layout (sheet D2, latest inspections; D1 too): report-card grades with their dates, the "
        "previous graded inspection's 1 to 4 grades, and the latest ungraded inspection."
    )
    blocks = (REPORT_CARD, LATEST_OEIF, UNGRADED)
    required = ("urn", "report card.start")
    signature = ("report card.start", f"report card.{Area.INCLUSION}",
                 f"report card.{Area.CURRICULUM_AND_TEACHING}")
    notes = ("The date of the safeguarding standards grade is not kept: the inspection's date stands "
             "for it.",)


class OfstedGraded(OfstedFormat):
    kind = "ofsted_mi_eif"
    label = "Ofsted management information (graded inspections, 2019 to August 2025)"
    description = (
        "Ofsted's monthly file in its layouts before report cards: overall effectiveness (Not "
        "judged from September 2024), the 1 to 4 sub-judgements, safeguarding, the previous graded "
        "inspection where the file has it, and the latest ungraded inspection."
    )
    blocks = (EIF_LATEST, EIF_PREVIOUS, UNGRADED)
    required = ("urn", "graded.start")
    signature = ("graded.start", "graded.overall", f"graded.{Area.QUALITY_OF_EDUCATION}")


class OfstedCommonFramework(OfstedFormat):
    kind = "ofsted_mi_cif"
    label = "Ofsted inspections 2015 to 2019 (common inspection framework)"
    description = (
        "Ofsted's consolidated file of inspections from September 2015 to August 2019, one "
        "inspection a row: overall effectiveness, leadership and management, early years, 16 to 19 "
        "study programmes and safeguarding."
    )
    blocks = (CIF,)
    extra_aliases = {"teaching": ["Quality of teaching, learning and assessment"]}
    required = ("urn", "graded.start")
    signature = ("graded.start", "graded.overall", "teaching")
    notes = ("Teaching, learning and assessment; personal development, behaviour and welfare; and "
             "outcomes for pupils are 2015-19 judgements the product does not keep.",)
