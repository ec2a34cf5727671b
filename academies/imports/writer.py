"""Writing facts: upsert by each fact's identity, counting created, updated and unchanged."""

from django.db import transaction
from django.utils import timezone

from academies.models import Comparator, Measure, Result
from trust.models import AcademicYear

BULK = 1000
RESULT_FIELDS = ("value", "state", "raw", "cohort", "as_at")
COMPARATOR_FIELDS = ("value", "state", "raw", "area_name")


class Writer:
    """Holds the counts of one import; every write goes through here, inside its transaction."""

    def __init__(self, batch, academies_by_urn):
        self.batch = batch
        self.academies = academies_by_urn
        self.created = self.updated = self.unchanged = 0
        self.touched = set()
        self._measures = None
        self._years = {}

    def measures(self):
        if self._measures is None:
            self._measures = dict(Measure.objects.values_list("code", "id"))
        return self._measures

    def year_id(self, start_year):
        if start_year not in self._years:
            import datetime

            self._years[start_year] = AcademicYear.for_date(datetime.date(start_year, 9, 1)).pk
        return self._years[start_year]

    def count(self, created=0, updated=0, unchanged=0):
        self.created += created
        self.updated += updated
        self.unchanged += unchanged

    @transaction.atomic
    def write_results(self, facts):
        if not facts:
            return
        measures = self.measures()
        academy_ids = {self.academies[f.urn] for f in facts}
        year_ids = {self.year_id(f.year) for f in facts}
        existing = {
            (r.academy_id, r.measure_id, r.academic_year_id, r.term, r.pupil_group, r.year_group,
             r.subject, r.source): r
            for r in Result.objects.filter(
                academy_id__in=academy_ids, measure_id__in={measures[f.measure] for f in facts},
                academic_year_id__in=year_ids,
            )
        }
        self._upsert(Result, existing, self._result_items(facts), RESULT_FIELDS)

    def _result_items(self, facts):
        measures = self.measures()
        for fact in facts:
            academy_id = self.academies[fact.urn]
            self.touched.add(academy_id)
            identity = {"academy_id": academy_id, "measure_id": measures[fact.measure],
                        "academic_year_id": self.year_id(fact.year), "term": fact.term,
                        "pupil_group": fact.group, "year_group": fact.year_group,
                        "subject": fact.subject, "source": fact.source}
            values = {"value": fact.value, "state": fact.state, "raw": fact.raw[:50],
                      "cohort": fact.cohort, "as_at": fact.as_at}
            yield tuple(identity.values()), identity, values

    @transaction.atomic
    def write_comparators(self, facts):
        if not facts:
            return
        measures = self.measures()
        existing = {
            (c.area, c.area_code, c.measure_id, c.academic_year_id, c.term, c.pupil_group,
             c.year_group, c.subject): c
            for c in Comparator.objects.filter(
                measure_id__in={measures[f.measure] for f in facts},
                academic_year_id__in={self.year_id(f.year) for f in facts},
                area_code__in={f.area_code for f in facts},
            )
        }
        self._upsert(Comparator, existing, self._comparator_items(facts), COMPARATOR_FIELDS)

    def _comparator_items(self, facts):
        measures = self.measures()
        for fact in facts:
            identity = {"area": fact.area, "area_code": fact.area_code, "measure_id": measures[fact.measure],
                        "academic_year_id": self.year_id(fact.year), "term": fact.term,
                        "pupil_group": fact.group, "year_group": fact.year_group, "subject": fact.subject}
            values = {"value": fact.value, "state": fact.state, "raw": fact.raw[:50],
                      "area_name": fact.area_name[:100]}
            yield tuple(identity.values()), identity, values

    def _upsert(self, model, existing, items, fields):
        """Create what is new, update what differs, count what is the same. `items` yields
        (key, the fields that identify a row, the fields that hold its figure)."""
        new, changed, now = [], [], timezone.now()
        for key, identity, values in items:
            row = existing.get(key)
            if row is None:
                new.append(model(batch=self.batch, **identity, **values))
            elif any(_differs(getattr(row, k), v) for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.batch, row.updated_at = self.batch, now  # bulk_update skips auto_now
                changed.append(row)
            else:
                self.unchanged += 1
        model.objects.bulk_create(new, batch_size=BULK)
        model.objects.bulk_update(changed, [*fields, "batch", "updated_at"], batch_size=BULK)
        self.count(created=len(new), updated=len(changed))


def _differs(stored, incoming):
    if stored is None or incoming is None:
        return stored is not incoming and not (stored is None and incoming is None)
    try:
        return stored.compare(incoming) != 0  # Decimals: 64.0000 equals 64
    except AttributeError:
        return stored != incoming
