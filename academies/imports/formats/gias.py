"""Get Information About Schools (GIAS) files: establishments, establishment links and
academy-to-trust group links. They keep the trust's register of academies in step with DfE's.

GIAS files are national (every school in England), Windows-1252, with dates as dd-mm-yyyy. Only
the trust's rows are kept; the head teacher and proprietor columns are personal data and are
never read.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from academies.models import Academy
from trust.models import AcademicYear, Trust

from ..base import Format, Parsed, ResultFact, read_cell
from ..cells import CellError, parse_count, parse_date, parse_number

Phase, Type, Status = Academy.Phase, Academy.Type, Academy.Status

# TypeOfEstablishment (name), normalised by `_key`: GIAS writes both "16-19" and "16 to 19".
ACADEMY_TYPES = {
    "academy converter": Type.CONVERTER,
    "academy sponsor led": Type.SPONSOR_LED,
    "free schools": Type.FREE_SCHOOL,
    "free school": Type.FREE_SCHOOL,
    "academy special converter": Type.SPECIAL_CONVERTER,
    "academy special sponsor led": Type.SPECIAL_SPONSOR_LED,
    "free schools special": Type.SPECIAL_FREE_SCHOOL,
    "academy alternative provision converter": Type.AP_CONVERTER,
    "academy alternative provision sponsor led": Type.AP_SPONSOR_LED,
    "free schools alternative provision": Type.AP_FREE_SCHOOL,
    "studio schools": Type.STUDIO_UTC,
    "studio school": Type.STUDIO_UTC,
    "university technical college": Type.STUDIO_UTC,
    "academy 16 to 19 converter": Type.SIXTEEN_NINETEEN,
    "academy 16 to 19 sponsor led": Type.SIXTEEN_NINETEEN,
    "academy secure 16 to 19": Type.SIXTEEN_NINETEEN,
    "free schools 16 to 19": Type.SIXTEEN_NINETEEN,
}

# PhaseOfEducation (name), normalised. "Not applicable" is decided by the type (see `_phase`).
PHASES = {
    "nursery": Phase.NURSERY,
    "primary": Phase.PRIMARY,
    "middle deemed primary": Phase.MIDDLE,
    "middle deemed secondary": Phase.MIDDLE,
    "secondary": Phase.SECONDARY,
    "all through": Phase.ALL_THROUGH,
    "16 plus": Phase.SIXTEEN_PLUS,
}

CLOSED = "closed"
# EstablishmentStatus (name), normalised. A closed school (one that converted and took a new
# URN, say) is history, never a current academy.
STATUSES = {
    "open": Status.OPEN,
    "open, but proposed to close": Status.OPEN,
    "proposed to open": Status.JOINING,
    "closed": CLOSED,
}

_SPACES = re.compile(r"\s+")
_SIXTEEN_NINETEEN = re.compile(r"\b16 (to )?19\b")


def _key(text):
    text = _SPACES.sub(" ", str(text).replace("-", " ").replace("\u2013", " ")).strip().casefold()
    return _SIXTEEN_NINETEEN.sub("16 to 19", text)


def _listed(items, limit=10):
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass
class AcademyChange:
    """One academy as the file leaves it: new (unsaved), changed or as it was."""

    row: int
    academy: Academy
    created: bool = False
    changed: bool = False
    fields: list = field(default_factory=list)


class GIASFormat(Format):
    """What the three GIAS files share: national rows, the trust's identity, and validation of
    every academy the file would change before anything is written."""

    national = True
    # Model field -> logical column, so that a validation error names the cell to fix.
    field_columns: dict = {}

    def parse(self, table, context):
        parsed = Parsed()
        if context.only_urn is not None:
            # These files change the trust's register of academies: a trust-wide job.
            parsed.error(None, "", "", f"{self.label} files change the trust's register of academies: "
                         "ask a trust data manager to import them.")
            return parsed
        columns = self.columns(table, parsed)
        if parsed.errors:
            return parsed
        self.rows(parsed, table, columns, context, Trust.current())
        return parsed

    def rows(self, parsed, table, columns, context, trust):  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def cell(parsed, number, columns, row, name, parse, **kwargs):
        return read_cell(parsed, number, columns.header(name), columns.get(row, name), parse, **kwargs)

    def date(self, parsed, number, columns, row, name):
        """(date or None, whether the cell was readable)."""
        raw = columns.get(row, name)
        try:
            return parse_date(raw), True
        except CellError as error:
            parsed.error(number, columns.header(name), raw, f"{error}; GIAS writes dates as 31-12-2025")
            return None, False

    def validated(self, parsed, number, academy, columns, row):
        """Whether the academy passes the model's checks; each failure a row error on its cell."""
        try:
            academy.full_clean()
        except ValidationError as invalid:
            for model_field, messages in invalid.message_dict.items():
                name = self.field_columns.get(model_field)
                header = columns.header(name) if name else ("" if model_field == NON_FIELD_ERRORS
                                                            else model_field)
                raw = columns.get(row, name) if name else ""
                for message in messages:
                    parsed.error(number, header, raw, message)
            return False
        return True

    def write(self, parsed, batch, writer):
        created = {}
        for change in parsed.records:
            if change.created:
                change.academy.save()
                created[change.academy.urn] = change.academy.pk
                writer.count(created=1)
            elif change.changed:
                change.academy.save(update_fields=[*change.fields, "updated_at"])
                writer.count(updated=1)
            else:
                writer.count(unchanged=1)
            writer.touched.add(change.academy.pk)
        # Figures of a new academy are written against it in the same transaction.
        writer.academies.update(created)
        super().write(parsed, batch, writer)
        if batch.dry_run:
            # A dry run rolls the new academies back: the batch must not point at them.
            for urn, pk in created.items():
                writer.academies.pop(urn, None)
                writer.touched.discard(pk)


class GIASEstablishments(GIASFormat):
    kind = "gias_establishments"
    label = "GIAS establishments"
    description = ("Get Information About Schools establishment data (edubasealldata): creates and "
                   "updates the trust's academies by URN, with number on roll and % FSM.")
    # A file missing URN or EstablishmentName is still found (and recognised), so the refusal
    # can name the missing column.
    key_columns = ("urn", "establishmentname", "typeofestablishment (name)")
    aliases = {
        "urn": ["URN"],
        "name": ["EstablishmentName"],
        "type": ["TypeOfEstablishment (name)"],
        "phase": ["PhaseOfEducation (name)"],
        "status": ["EstablishmentStatus (name)"],
        "open_date": ["OpenDate"],
        "la_code": ["LA (code)"],
        "la_name": ["LA (name)"],
        "low_age": ["StatutoryLowAge"],
        "high_age": ["StatutoryHighAge"],
        "census_date": ["CensusDate"],
        "pupils": ["NumberOfPupils"],
        "fsm_percent": ["PercentageFSM"],
        "trust_code": ["Trusts (code)"],
    }
    required = ("urn", "name", "type", "phase", "status", "open_date", "la_name", "trust_code")
    signature = ("type", "phase", "status", "trust_code")
    field_columns = {
        "urn": "urn", "name": "name", "phase": "phase", "academy_type": "type",
        "local_authority": "la_name", "la_code": "la_code", "date_joined": "open_date",
        "statutory_low_age": "low_age", "statutory_high_age": "high_age",
    }

    def rows(self, parsed, table, columns, context, trust):
        frame = table.frame
        uid = trust.group_uid.strip() if trust else ""
        stored = {a.urn: a for a in Academy.objects.filter(trust=trust)} if trust else {}
        urns = frame[columns.found["urn"]]
        # The trust's rows: its GIAS group UID when set, else the URNs it already has. A national
        # file has ~50,000 rows, so they are picked out with pandas, not row by row.
        ours = frame[columns.found["trust_code"]] == uid if uid else urns.isin(stored)
        parsed.skipped = int((~ours).sum())
        elsewhere = sorted(set(urns[~ours]) & {u for u, a in stored.items() if a.status != Status.LEFT})
        if elsewhere:
            parsed.notes.append("GIAS does not list these academies under the trust; they were left as "
                                "they are: " + _listed(elsewhere))
        seen = {}
        for index, row in zip(frame.index[ours], frame[ours].to_dict("records"), strict=True):
            number = table.row_number(index)
            urn = columns.get(row, "urn")
            if urn in seen:
                first, first_row = seen[urn]
                if first_row != row:
                    parsed.error(number, columns.header("urn"), urn,
                                 f"this school is also on row {first} with different details")
                continue
            seen[urn] = (number, row)
            self.establishment(parsed, columns, row, number, urn, trust, stored.get(urn), bool(uid))
        missing = sorted(u for u, a in stored.items() if u not in seen and u not in elsewhere
                         and a.status != Status.LEFT)
        if uid and missing:
            parsed.notes.append("These academies are not in the file under the trust's GIAS group UID "
                                f"{uid}: " + _listed(missing))

    def establishment(self, parsed, columns, row, number, urn, trust, academy, by_uid):
        errors = len(parsed.errors)
        status_raw = columns.get(row, "status")
        status = STATUSES.get(_key(status_raw))
        if status is None:
            parsed.error(number, columns.header("status"), status_raw,
                         "not a GIAS establishment status (Open, Open, but proposed to close, "
                         "Proposed to open, Closed)")
            return
        if status == CLOSED:
            name = f"{urn} {columns.get(row, 'name')}".strip()
            parsed.notes.append(
                f"Row {number}: {name} is closed in GIAS; "
                + ("its entry here was left as it is (mark it as left if it has left the trust)."
                   if academy else "no academy was created for it (a school that converted has a "
                   "new URN; the links file carries its history to the academy).")
            )
            return
        type_raw = columns.get(row, "type")
        academy_type = ACADEMY_TYPES.get(_key(type_raw))
        if academy_type is None:
            parsed.error(number, columns.header("type"), type_raw,
                         "not an academy or free school type: only academies can be in the trust")
        phase = self._phase(parsed, number, columns, row, type_raw)
        open_date, _ = self.date(parsed, number, columns, row, "open_date")
        low, _ = self.cell(parsed, number, columns, row, "low_age", parse_count)
        high, _ = self.cell(parsed, number, columns, row, "high_age", parse_count)
        facts = self._census(parsed, number, columns, row, urn)
        if len(parsed.errors) > errors:
            return
        values = {
            "name": columns.get(row, "name"), "phase": phase, "academy_type": academy_type,
            "local_authority": columns.get(row, "la_name"), "la_code": columns.get(row, "la_code"),
            "statutory_low_age": low, "statutory_high_age": high,
        }
        if academy is None:
            academy = Academy(trust=trust, urn=urn, status=status, date_joined=open_date, **values)
            change = AcademyChange(number, academy, created=True, changed=True)
        else:
            change = AcademyChange(number, academy)
            for name, value in values.items():
                # A blank cell in GIAS never wipes what the trust already holds.
                if value not in (None, "") and getattr(academy, name) != value:
                    setattr(academy, name, value)
                    change.fields.append(name)
            if by_uid and academy.status == Status.JOINING and status == Status.OPEN:
                # Listed under the trust and open: the academy has joined.
                academy.status = Status.OPEN
                change.fields.append("status")
                if academy.date_joined is None:
                    academy.date_joined = open_date
                    change.fields.append("date_joined")
            change.changed = bool(change.fields)
        if self.validated(parsed, number, academy, columns, row):
            parsed.records.append(change)
            parsed.results.extend(facts)

    def _phase(self, parsed, number, columns, row, type_raw):
        kind = _key(type_raw)
        if "special" in kind:
            return Phase.SPECIAL
        if "alternative provision" in kind or "pupil referral unit" in kind:
            return Phase.ALTERNATIVE_PROVISION
        raw = columns.get(row, "phase")
        phase = PHASES.get(_key(raw))
        if phase is None and _key(raw) == "not applicable" and "16 to 19" in kind:
            phase = Phase.SIXTEEN_PLUS
        if phase is None:
            parsed.error(number, columns.header("phase"), raw,
                         "not a phase the product knows (Nursery, Primary, Middle deemed primary, Middle "
                         "deemed secondary, Secondary, All-through, 16 plus; Not applicable only for "
                         "special, alternative provision and 16 to 19 schools)")
        return phase

    def _census(self, parsed, number, columns, row, urn):
        """Number on roll and % FSM from the January census, for the academic year it fell in."""
        pupils_raw = columns.get(row, "pupils")
        fsm_raw = columns.get(row, "fsm_percent")
        pupils, pupils_state = self.cell(parsed, number, columns, row, "pupils", parse_count)
        fsm, fsm_state = self.cell(parsed, number, columns, row, "fsm_percent", parse_number, percent=True)
        if pupils is None and fsm is None and not (pupils_state or fsm_state):
            return []  # not open yet, or a type GIAS has no census for
        census, readable = self.date(parsed, number, columns, row, "census_date")
        if census is None:
            if readable:
                parsed.error(number, columns.header("census_date"), "",
                             "the census figures have no census date to say which year they are for")
            return []
        year = AcademicYear.start_year_for(census)
        facts = []
        if pupils is not None or pupils_state:
            facts.append(ResultFact(
                urn=urn, measure="on_roll", year=year, value=None if pupils is None else Decimal(pupils),
                state=pupils_state, raw=pupils_raw, as_at=census, row=number,
            ))
        if fsm is not None or fsm_state:
            facts.append(ResultFact(
                urn=urn, measure="fsm", year=year, value=fsm, state=fsm_state, raw=fsm_raw,
                as_at=census, cohort=pupils, row=number,
            ))
        return facts


class GIASLinks(GIASFormat):
    kind = "gias_links"
    label = "GIAS establishment links"
    description = ("Get Information About Schools links (links_edubasealldata): the predecessor "
                   "schools of the trust's academies, so that their inspections and results carry over.")
    aliases = {
        "urn": ["URN"],
        "link_urn": ["LinkURN"],
        "link_name": ["LinkName"],
        "link_type": ["LinkType"],
        "link_date": ["LinkEstablishedDate"],
    }
    required = ("urn", "link_urn", "link_type")
    signature = ("urn", "link_urn", "link_type")
    field_columns = {"predecessor_urns": "link_urn"}

    def rows(self, parsed, table, columns, context, trust):
        # Every predecessor link in the file, so that a chain (a school that converted, then moved
        # trust with a new URN again) is followed back to its first school.
        earlier, urn_of_row = {}, {}
        for index, row in enumerate(table.frame.to_dict("records")):
            number, urn = table.row_number(index), columns.get(row, "urn")
            urn_of_row[number] = urn
            if _key(columns.get(row, "link_type")).startswith("predecessor"):
                earlier.setdefault(urn, []).append((number, row))
        academies = Academy.objects.filter(trust=trust, urn__in=earlier).order_by("urn") if trust else []
        used = set()
        for academy in academies:
            found = self._chain(parsed, columns, academy.urn, earlier, used)
            if found is None:
                continue
            number, row = earlier[academy.urn][0]
            change = AcademyChange(number, academy)
            # Predecessors already recorded stay: a file that no longer lists one loses nothing.
            stored = list(academy.predecessor_urns)
            merged = stored + [u for u in found if u not in stored]
            if merged != stored:
                academy.predecessor_urns = merged
                change.fields, change.changed = ["predecessor_urns"], True
            if self.validated(parsed, number, academy, columns, row):
                parsed.records.append(change)
        parsed.skipped = sum(1 for number, urn in urn_of_row.items()
                             if number not in used and urn not in context.trust_urns)

    def _chain(self, parsed, columns, urn, earlier, used):
        """The predecessors of `urn`, nearest first; None when a link cannot be read."""
        found, queue, errors = [], [urn], len(parsed.errors)
        while queue:
            for number, row in earlier.get(queue.pop(0), []):
                used.add(number)
                link = columns.get(row, "link_urn")
                if not re.fullmatch(r"[0-9]{6}", link):
                    parsed.error(number, columns.header("link_urn"), link,
                                 "a URN is the six-digit number GIAS gives a school")
                elif link != urn and link not in found:
                    found.append(link)
                    queue.append(link)
        return None if len(parsed.errors) > errors else found


class GIASGroupLinks(GIASFormat):
    kind = "gias_group_links"
    label = "GIAS group links"
    description = ("Get Information About Schools academy and trust links "
                   "(grouplinks_edubaseallacademiesandfree): the day each academy joined the trust.")
    aliases = {
        "urn": ["URN"],
        "group_uid": ["Group UID", "GroupUID"],
        "group_id": ["Group ID", "GroupID"],
        "group_name": ["Group Name"],
        "joined": ["Joined date", "Date Joined Group", "JoinedDate"],
        "name": ["EstablishmentName"],
    }
    required = ("urn", "group_uid", "joined")
    signature = ("urn", "group_uid", "joined")
    field_columns = {"date_joined": "joined"}

    def rows(self, parsed, table, columns, context, trust):
        uid = trust.group_uid.strip() if trust else ""
        if not uid:
            parsed.error(None, columns.header("group_uid"), "",
                         "the trust's GIAS group UID is not set, so its rows cannot be told apart from "
                         "other trusts': set it (admin, Trusts) and import the file again")
            return
        frame = table.frame
        ours = frame[columns.found["group_uid"]] == uid
        parsed.skipped = int((~ours).sum())
        joined = {}  # urn -> [(row number, date, school name)]
        for index, row in zip(frame.index[ours], frame[ours].to_dict("records"), strict=True):
            number = table.row_number(index)
            day, readable = self.date(parsed, number, columns, row, "joined")
            if readable:
                joined.setdefault(columns.get(row, "urn"), []).append((number, day, row))
        stored = {a.urn: a for a in Academy.objects.filter(trust=trust)}
        not_here = []
        for urn, entries in joined.items():
            academy = stored.get(urn)
            if academy is None:
                name = columns.get(entries[0][2], "name")
                not_here.append(f"{urn} {name}".strip())
                continue
            self._joined(parsed, columns, academy, entries)
        if not_here:
            parsed.notes.append("Academies of the trust in the file but not here, not created (import the "
                                "GIAS establishments file to add them): " + _listed(not_here))
        missing = sorted(u for u, a in stored.items() if u not in joined and a.status != Status.LEFT)
        if missing:
            parsed.notes.append(f"Academies here that the file does not list under the trust ({uid}): "
                                + _listed(missing))

    def _joined(self, parsed, columns, academy, entries):
        dated = sorted((day, number, row) for number, day, row in entries if day)
        if dated:
            day, number, row = dated[-1]
        else:
            (number, day, row) = entries[0]
        if len({d for d, _, _ in dated}) > 1:
            # GIAS keeps a row per spell in the trust; the latest is the current one.
            parsed.notes.append(f"{academy.urn} has more than one joined date in the file; the latest, "
                                f"{day:%d-%m-%Y} (row {number}), was used.")
        change = AcademyChange(number, academy)
        if day and academy.date_joined != day:
            academy.date_joined = day
            change.fields, change.changed = ["date_joined"], True
        if self.validated(parsed, number, academy, columns, row):
            parsed.records.append(change)
