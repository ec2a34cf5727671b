"""Results, Ofsted and the SEF, the measures catalogue, and their API.

The `make_*` helpers build the rows these cases and the data tests need, deterministically.
"""

import datetime
from decimal import Decimal

from academies.models import Comparator, Inspection, InspectionJudgement, Measure, Result, SEFJudgement
from academies.models.ofsted import Framework
from trust.models import AcademicYear

from .common import Case, R, holds, read, scoped, trust_level

SEF_ROLES = {R.ADMINISTRATOR, R.EXECUTIVE, R.HUB_LEAD, R.HEADTEACHER}
INSPECTION_ROLES = {R.ADMINISTRATOR, R.EXECUTIVE, R.HUB_LEAD, R.DATA_MANAGER}
MEASURE_ROLES = {R.ADMINISTRATOR, R.EXECUTIVE, R.DATA_MANAGER}


def year(start_year):
    return AcademicYear.for_date(datetime.date(start_year, 9, 1))


def make_result(academy, measure="ks2_expected", start_year=2024, value="64", **fields):
    fields.setdefault("subject", "rwm")
    if value is None:
        fields.setdefault("state", "suppressed")
        fields.setdefault("raw", "c")
    return Result.objects.create(
        academy=academy, measure=Measure.objects.get(code=measure), academic_year=year(start_year),
        value=None if value is None else Decimal(value), **fields,
    )


def make_comparator(measure="ks2_expected", start_year=2024, value="61", area="national", **fields):
    fields.setdefault("subject", "rwm")
    fields.setdefault("area_code", "" if area == "national" else "999")
    return Comparator.objects.create(
        area=area, measure=Measure.objects.get(code=measure), academic_year=year(start_year),
        value=Decimal(value), **fields,
    )


def make_inspection(academy, start=datetime.date(2023, 2, 6), judgements=None, **fields):
    fields.setdefault("urn_at_inspection", academy.urn)
    fields.setdefault("framework", Framework.for_date(start))
    inspection = Inspection.objects.create(academy=academy, start_date=start, **fields)
    for area, grade, *rest in judgements or []:
        InspectionJudgement.objects.create(
            inspection=inspection, area=area, grade=grade, grade_date=rest[0] if rest else None
        )
    return inspection


def make_sef(academy, area="quality_of_education", scale="four_point", grade="2",
             judged_on=datetime.date(2025, 1, 10), **fields):
    return SEFJudgement.objects.create(
        academy=academy, area=area, scale=scale, grade=grade, judged_on=judged_on, **fields
    )


def sef_form(world, academy):
    return {"area": "quality_of_education", "scale": "four_point", "grade": "2",
            "judged_on": "2025-01-10", "rationale": "Curriculum well sequenced."}


def inspection_kwargs(world, academy):
    return {"urn": academy.urn, "uuid": make_inspection(academy).uuid}


def result_kwargs(world, academy):
    return {"uuid": make_result(academy).uuid}


def api_inspection_kwargs(world, academy):
    return {"uuid": make_inspection(academy).uuid}


def sef_kwargs(world, academy):
    return {"uuid": make_sef(academy).uuid}


def new_measure(world, academy):
    return {"code": "reading_age", "label": "Reading age gap", "category": "in_year", "unit": "score",
            "higher_is_better": "true", "decimal_places": "1"}


CASES = [
    Case("academies:data", "get", read, per_academy=True),
    Case("academies:data", "post", 405, per_academy=True),
    Case("academies:ofsted", "get", read, per_academy=True),
    Case("academies:ofsted", "post", 405, per_academy=True),
    Case("academies:sef", "post", scoped(holds(SEF_ROLES), ok=302), per_academy=True, data=sef_form),
    Case("academies:sef", "get", 405, per_academy=True),
    Case("academies:inspection-next-due", "post", scoped(holds(INSPECTION_ROLES), ok=302),
         object_kwargs=inspection_kwargs, data=lambda w, a: {"next_due_override": "2027-03-01"}),
    Case("academies:inspection-next-due", "get", 405, object_kwargs=inspection_kwargs),
    Case("academies:measures", "get", 200),
    Case("academies:measures", "post", trust_level(MEASURE_ROLES, ok=302), data=new_measure),
    Case("api:measure-list", "get", 200, anon=401),
    Case("api:measure-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:measure-detail", "get", 200, anon=401, kwargs={"code": "attendance"}),
    Case("api:result-list", "get", 200, anon=401),
    Case("api:result-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:result-detail", "get", read, anon=401, object_kwargs=result_kwargs),
    Case("api:result-detail", "delete", 405, anon=401, object_kwargs=result_kwargs),
    Case("api:inspection-list", "get", 200, anon=401),
    Case("api:inspection-detail", "get", read, anon=401, object_kwargs=api_inspection_kwargs),
    Case("api:inspection-detail", "patch", 405, anon=401, object_kwargs=api_inspection_kwargs,
         data=lambda w, a: {"next_due_override": "2027-03-01"}),
    Case("api:sef-list", "get", 200, anon=401),
    Case("api:sef-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:sef-detail", "get", read, anon=401, object_kwargs=sef_kwargs),
]
