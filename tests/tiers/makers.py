"""Deterministic makers of the evidence the tier engine reads (inspections in each framework,
results with their national figures, engine rules), of years with realistic terms, and of
agreed tiers. They write rows directly so a test can set up any state; health checks and risks
come from tests.healthchecks.makers.
"""

import datetime
from decimal import Decimal

from academies.models import Comparator, Inspection, Measure, Result
from academies.models.ofsted import Framework
from tests.healthchecks.makers import make_health_check, make_risk, siel
from tiers.models import RuleKind, TierAssignment, TierRule
from trust.models import AcademicYear, Term

__all__ = [
    "make_health_check",
    "make_inspection",
    "make_result",
    "make_risk",
    "make_tier",
    "only_rules",
    "siel",
    "tier_rule",
    "year_with_terms",
]

D = Decimal
TERMS_2025 = [
    (datetime.date(2025, 9, 3), datetime.date(2025, 12, 19)),  # a Wednesday to a Friday
    (datetime.date(2026, 1, 5), datetime.date(2026, 3, 27)),
    (datetime.date(2026, 4, 13), datetime.date(2026, 7, 22)),  # ends on a Wednesday
]


def year_with_terms(start_year=2025, terms=None):
    """The academic year with the trust's own term dates (holidays between the terms)."""
    if terms is None:
        offset = start_year - 2025
        terms = [(s.replace(year=s.year + offset), e.replace(year=e.year + offset)) for s, e in TERMS_2025]
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    names = [Term.Name.AUTUMN, Term.Name.SPRING, Term.Name.SUMMER]
    for number, ((starts, ends), name) in enumerate(zip(terms, names, strict=True), start=1):
        Term.objects.update_or_create(
            academic_year=year, number=number, defaults={"name": name, "starts_on": starts, "ends_on": ends}
        )
    return year


def make_inspection(
    academy,
    *,
    start_date,
    framework=None,
    overall="",
    judgements=(),
    safeguarding="",
    concern="",
    graded=True,
    outcome_text="",
    number="",
):
    """An inspection in the framework of its date unless told; `judgements`: [(area, grade)]."""
    inspection = Inspection.objects.create(
        academy=academy,
        urn_at_inspection=academy.urn,
        inspection_number=number or f"{start_date:%y%m%d}{academy.urn[-2:]}",
        framework=framework or Framework.for_date(start_date),
        start_date=start_date,
        overall_effectiveness=overall,
        safeguarding=safeguarding,
        category_of_concern=concern,
        graded=graded,
        outcome_text=outcome_text,
    )
    for area, grade in judgements:
        inspection.judgements.create(area=area, grade=grade)
    return inspection


def _year(start_year):
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    return year


def make_result(
    academy,
    code,
    start_year,
    value,
    *,
    national=None,
    state="",
    pupil_group="all",
    year_group="",
    subject="",
):
    """A published whole-year figure; `national` adds England's figure for the same year unless
    one is stored. `value=None` needs a `state` (e.g. suppressed)."""
    measure = Measure.objects.get(code=code)
    year = _year(start_year)
    dims = {
        "measure": measure,
        "academic_year": year,
        "pupil_group": pupil_group,
        "year_group": year_group,
        "subject": subject,
    }
    result = Result.objects.create(
        academy=academy,
        value=None if value is None else D(str(value)),
        state=state,
        raw=state or str(value),
        **dims,
    )
    if national is not None:
        Comparator.objects.get_or_create(
            area=Comparator.Area.NATIONAL, area_code="", defaults={"value": D(str(national))}, **dims
        )
    return result


def tier_rule(kind=RuleKind.INSPECTION, **fields):
    """One engine rule; a measure rule takes `measure="attendance"` (its code)."""
    code = fields.pop("measure", None)
    if code:
        fields["measure"] = Measure.objects.get(code=code)
    fields.setdefault("name", f"Rule: {kind}")
    fields.setdefault("pupil_group", "all")
    for name in ("weight", "lead_from", "grow_from", "reinvent_from", "trend_margin"):
        if name in fields and fields[name] is not None:
            fields[name] = D(str(fields[name]))
    rule = TierRule(kind=kind, **fields)
    rule.full_clean()
    rule.save()
    return rule


def only_rules(*rules):
    """Leave these rules as the engine's whole set (the seeded defaults are removed)."""
    TierRule.objects.exclude(pk__in=[r.pk for r in rules]).delete()
    return list(rules)


def make_tier(academy, year, tier, *, by=None, effective_from=None, board_meeting=None):
    """An agreed tier, as if the board had decided it (no schedule is generated)."""
    return TierAssignment.objects.create(
        academy=academy,
        academic_year=year,
        tier=tier,
        status=TierAssignment.Status.AGREED,
        rationale="Agreed at the annual review of tiers.",
        proposed_by=by,
        decided_by=by,
        board_meeting=board_meeting or year.starts_on,
        effective_from=effective_from or year.starts_on,
    )
