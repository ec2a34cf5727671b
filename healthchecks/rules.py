"""Rules over data that raise risks, each finding linked to its evidence.

A rule looks at stored figures, inspections and published health checks, never guesses: a
missing figure or comparator means the rule is not met. Each finding has a key naming the
evidence (e.g. the latest period it saw), so a rule never raises the same risk twice; and while
a risk the rule raised about an academy is open, it raises no other.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from academies.models import Academy, Comparator, Inspection, Result
from academies.models.ofsted import FIVE_POINT, FOUR_POINT
from academies.selectors import hides_small_cohorts
from trust.models import Trust

from .models import HealthCheck, Risk, RiskRule
from .risks import raise_from_rule

TERMS = {0: "", 1: "Autumn", 2: "Spring", 3: "Summer"}
LOWEST = {"4", "urgent_improvement"}


@dataclass
class Finding:
    academy: Academy
    key: str
    title: str
    description: str
    evidence: list


def period_label(start_year, term):
    year = f"{start_year}/{str(start_year + 1)[-2:]}"
    return f"{TERMS[term]} {year}" if term else year


def _previous(period, termly):
    year, term = period
    if not termly:
        return (year - 1, 0)
    return (year, term - 1) if term > 1 else (year - 1, 3)


def _fmt(value):
    return f"{Decimal(value).normalize():f}"


def measure_findings(rule, academies):
    """The measure is worse than national by more than the margin in each of the latest
    `periods` periods running (terms, or years), for the rule's pupil group."""
    measure, termly = rule.measure, rule.termly
    by_id = {a.pk: a for a in academies}
    results = Result.objects.filter(
        academy_id__in=by_id,
        measure=measure,
        pupil_group=rule.pupil_group or "all",
        year_group="",
        subject="",
        value__isnull=False,
    )
    results = results.filter(term__gt=0) if termly else results.filter(term=0)
    results = results.select_related("academic_year", "batch").order_by("-source")  # published first
    figures = defaultdict(dict)  # academy -> {(year, term): result}, published figures first
    years = set()
    for result in results:
        period = (result.academic_year.start_year, result.term)
        figures[result.academy_id].setdefault(period, result)
        years.add(result.academic_year_id)
    national = {
        (c.academic_year.start_year, c.term): c
        for c in Comparator.objects.filter(
            area=Comparator.Area.NATIONAL,
            measure=measure,
            pupil_group=rule.pupil_group or "all",
            year_group="",
            subject="",
            academic_year_id__in=years,
            value__isnull=False,
        ).select_related("academic_year")
        if bool(c.term) == termly
    }
    worse_sign = 1 if measure.higher_is_better is False else -1
    threshold = small_cohort_threshold()
    for academy_id, periods in figures.items():
        latest = max(periods)
        run, period = [], latest
        for _ in range(rule.periods):
            result, comparator = periods.get(period), national.get(period)
            if result is None or comparator is None:
                break
            gap = (result.value - comparator.value) * worse_sign
            if gap <= rule.margin:
                break
            run.append((period, result, comparator, gap))
            period = _previous(period, termly)
        if len(run) < rule.periods:
            continue
        academy = by_id[academy_id]
        group = dict(Result._meta.get_field("pupil_group").choices).get(rule.pupil_group or "all", "")
        evidence = [
            {
                "period": period_label(*p),
                "measure": measure.label,
                "pupil_group": group,
                "value": _fmt(r.value),
                "national": _fmt(c.value),
                "worse_by": _fmt(g),
                "cohort": r.cohort,
                "source": r.batch.file_name if r.batch_id else "entered by hand",
                "as_at": r.updated_at.date().isoformat(),
            }
            for p, r, c, g in reversed(run)
        ]
        # A small group's figure is not written into the description governors read.
        small = any(r.cohort is not None and r.cohort <= threshold for _, r, _, _ in run)
        word = "above" if worse_sign == 1 else "below"
        unit = " percentage points" if measure.unit == "percent" else ""
        yield Finding(
            academy=academy,
            key=f"{measure.code}:{rule.pupil_group}:{latest[0]}-{latest[1]}",
            title=f"{measure.label} ({group.lower()}) {word} national for {rule.periods} "
            f"{'terms' if termly else 'years'} running",
            description=(
                f"{measure.label} ({group.lower()}) at {academy.name} has been {word} national "
                f"by more than {_fmt(rule.margin)}{unit} in each of the last {rule.periods} "
                f"{'terms' if termly else 'years'}, most recently {period_label(*latest)}"
                + ("." if small else f" ({evidence[-1]['value']} against {evidence[-1]['national']}).")
            ),
            evidence=evidence,
        )


def small_cohort_threshold():
    trust = Trust.current()
    return trust.small_cohort_threshold if trust else 5


def visible_evidence(risk, user):
    """The evidence of a risk as `user` may read it: a governor sees a small group's figures as
    suppressed, as everywhere else in the product."""
    evidence = [dict(entry) for entry in risk.evidence or [] if isinstance(entry, dict)]
    if risk.academy_id is None or not hides_small_cohorts(user, risk.academy):
        return evidence
    threshold = small_cohort_threshold()
    for entry in evidence:
        cohort = entry.get("cohort")
        if cohort is not None and cohort <= threshold:
            for name in ("value", "worse_by"):
                if name in entry:
                    entry[name] = SUPPRESSED
    return evidence


SUPPRESSED = "suppressed (small group)"


def _latest(rows):
    """{academy id: the first of `rows` about it}: the latest, with `rows` newest first."""
    latest = {}
    for row in rows:
        latest.setdefault(row.academy_id, row)
    return latest


def _latest_inspections(academies):
    return _latest(
        Inspection.objects.filter(academy__in=academies)
        .prefetch_related("judgements")
        .order_by("academy_id", "-start_date")
    )


def _inspection_evidence(inspection, judgement):
    """One judgement of an inspection, as a rule keeps it with the risk it raises."""
    return {
        "source": "Ofsted inspection",
        "date": inspection.start_date.isoformat(),
        "judgement": judgement,
        "inspection_number": inspection.inspection_number,
    }


def safeguarding_findings(rule, academies):
    """The latest inspection, or the latest published health check, found safeguarding ineffective."""
    by_id = {a.pk: a for a in academies}
    for academy_id, inspection in _latest_inspections(academies).items():
        if inspection.safeguarding in (
            Inspection.Safeguarding.NOT_EFFECTIVE,
            Inspection.Safeguarding.NOT_MET,
        ):
            yield Finding(
                academy=by_id[academy_id],
                key=f"inspection:{inspection.uuid}",
                title="Safeguarding judged ineffective at the latest inspection",
                description=(
                    f"Ofsted's inspection of {inspection.start_date:%-d %B %Y} judged safeguarding "
                    f"{inspection.get_safeguarding_display().lower()}."
                ),
                evidence=[
                    _inspection_evidence(inspection, f"Safeguarding: {inspection.get_safeguarding_display()}")
                ],
            )
    checks = _latest(
        HealthCheck.objects.published()
        .filter(academy__in=academies)
        .order_by("academy_id", "-visit_start", "-published_at")
    )
    for academy_id, check in checks.items():
        if check.safeguarding == HealthCheck.Safeguarding.NOT_MET:
            yield Finding(
                academy=by_id[academy_id],
                key=f"healthcheck:{check.uuid}",
                title="Safeguarding not met at the latest health check",
                description=f"The health check of {check.visit_text} found safeguarding not met.",
                evidence=[
                    {
                        "source": "Health check",
                        "date": check.visit_start.isoformat(),
                        "judgement": "Safeguarding: Not met",
                        "health_check": str(check.uuid),
                    }
                ],
            )


def concern_findings(rule, academies):
    """The latest inspection placed the academy in a category of concern, or gave an area the
    lowest grade of its scale."""
    by_id = {a.pk: a for a in academies}
    for academy_id, inspection in _latest_inspections(academies).items():
        lowest = [j for j in inspection.judgements.all() if j.grade in LOWEST]
        overall_lowest = inspection.overall_effectiveness == "4"
        if not (inspection.category_of_concern or lowest or overall_lowest):
            continue
        what = []
        if inspection.category_of_concern:
            what.append(inspection.get_category_of_concern_display())
        if overall_lowest:
            what.append("Overall effectiveness: Inadequate")
        for judgement in lowest:
            what.append(
                f"{judgement.get_area_display()}: "
                f"{FOUR_POINT.get(judgement.grade) or FIVE_POINT.get(judgement.grade)}"
            )
        yield Finding(
            academy=by_id[academy_id],
            key=f"inspection:{inspection.uuid}",
            title="The latest inspection is a cause for concern",
            description=f"Ofsted's inspection of {inspection.start_date:%-d %B %Y}: {'; '.join(what)}.",
            evidence=[_inspection_evidence(inspection, item) for item in what],
        )


EVALUATORS = {
    RiskRule.Kind.MEASURE_VS_NATIONAL: measure_findings,
    RiskRule.Kind.SAFEGUARDING: safeguarding_findings,
    RiskRule.Kind.OFSTED_CONCERN: concern_findings,
}


def findings(rule, academies):
    return list(EVALUATORS[rule.kind](rule, academies))


def run(academy_ids=None):
    """Run every active rule over these academies (or all open ones). Returns the risks raised."""
    academies = Academy.objects.exclude(status=Academy.Status.LEFT)
    if academy_ids is not None:
        academies = academies.filter(pk__in=academy_ids)
    academies = list(academies.select_related("hub"))
    raised = []
    if not academies:
        return raised
    for rule in RiskRule.objects.filter(active=True).select_related("measure"):
        # What the rule has raised before, read once: a steady run costs the same queries however
        # many academies there are. raise_from_rule checks again (and the database refuses a
        # duplicate), for a run that races this one.
        raised_before = Risk.objects.filter(rule=rule, academy__in=academies)
        open_for = set(raised_before.filter(status=Risk.Status.OPEN).values_list("academy_id", flat=True))
        keys = set(raised_before.values_list("academy_id", "rule_key"))
        for finding in findings(rule, academies):
            if finding.academy.pk in open_for or (finding.academy.pk, finding.key) in keys:
                continue
            risk = raise_from_rule(
                rule=rule,
                academy=finding.academy,
                key=finding.key,
                title=finding.title[:200],
                description=finding.description,
                evidence=finding.evidence,
            )
            if risk is not None:
                raised.append(risk)
    return raised
