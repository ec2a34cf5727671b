"""Five years of the demo trust's results, its inspections in all three Ofsted frameworks, its
self-evaluation, and the history of imports that brought the figures in.

Figures are made, deterministically, from a profile of each academy (how strong it is and
which way it is heading) around realistic national figures, then written the way a trust's
data manager would bring them in: as files run through the real import pipeline, one per
year, so the demo has a history of imports. Running it again changes nothing: a file already
imported (same checksum) is not imported twice.
"""

import csv
import datetime
import io
import random
from decimal import Decimal

from django.utils import timezone

from trust.models import AcademicYear, Role, User

from .imports.pipeline import import_file
from .imports.reading import checksum
from .models import Academy, ImportBatch, Inspection, InspectionJudgement, SEFJudgement
from .models.ofsted import FRAMEWORK_AREAS, Framework

# How strong each academy is (-2 weak .. +2 strong) and its trend per year. The rest are 0.
PROFILES = {
    "999101": (1.0, 0.1), "999102": (-1.2, 0.3), "999103": (0.8, 0.0), "999105": (-0.6, 0.4),
    "999106": (1.6, 0.0), "999107": (0.4, 0.0), "999108": (0.2, 0.1), "999109": (-1.0, 0.5),
    "999110": (0.6, 0.0), "999111": (1.2, -0.2), "999112": (0.3, 0.1), "999113": (-0.4, 0.2),
    "999114": (-1.6, 0.4), "999115": (-0.8, 0.3), "999116": (0.9, 0.0), "999117": (-1.8, 0.5),
    "999118": (-0.2, 0.3), "999119": (0.5, 0.1), "999120": (1.1, 0.0), "999121": (0.0, 0.2),
}

# National figures for the first year of the five, and their change per year.
NATIONAL = {
    # measure, group, subject: (first year, change a year)
    ("eyfs_gld", "all", ""): (65.2, 0.8),
    ("phonics_y1", "all", ""): (75.5, 1.2),
    ("phonics_y2", "all", ""): (87.0, 0.6),
    ("ks2_expected", "all", "rwm"): (59.0, 1.0),
    ("ks2_expected", "disadvantaged", "rwm"): (43.0, 1.2),
    ("ks2_expected", "not_disadvantaged", "rwm"): (66.0, 0.8),
    ("ks2_expected", "all", "reading"): (74.0, 0.3),
    ("ks2_expected", "all", "writing"): (69.0, 0.9),
    ("ks2_expected", "all", "maths"): (71.0, 0.9),
    ("ks2_higher", "all", "rwm"): (7.0, 0.4),
    ("ks2_scaled_score", "all", "reading"): (105.0, 0.2),
    ("ks2_scaled_score", "all", "maths"): (104.0, 0.2),
    ("ks4_attainment8", "all", ""): (48.8, -0.7),
    ("ks4_english_maths_4", "all", ""): (69.0, -1.0),
    ("ks4_english_maths_4", "disadvantaged", ""): (48.0, -0.5),
    ("ks4_english_maths_4", "not_disadvantaged", ""): (77.0, -0.8),
    ("ks4_english_maths_5", "all", ""): (50.0, -1.0),
    ("ks4_ebacc_entry", "all", ""): (39.0, 0.5),
    ("suspension_rate", "all", ""): (6.9, 0.6),
    ("permanent_exclusion_rate", "all", ""): (0.08, 0.005),
    ("sen_progress", "all", ""): (70.0, 0.5),
    # The groups the trust's tier rules read as well.
    ("ks2_expected", "sen", "rwm"): (20.0, 0.5),
    ("ks4_attainment8", "disadvantaged", ""): (37.5, -0.8),
    ("attendance", "disadvantaged", ""): (88.8, 0.4),
}
# How many points one step of strength moves an academy's figure, and which way is better.
SPREAD = {"ks2_scaled_score": 1.2, "ks4_attainment8": 3.0, "suspension_rate": -1.5,
          "permanent_exclusion_rate": -0.04, "attendance": 0.8}
PRIMARY_PHASES = {"primary", "all_through", "middle"}
SECONDARY_PHASES = {"secondary", "all_through"}

ABSENCE_NATIONAL = {  # phase kind: (overall absence, persistent, severe) in the first year
    "primary": (6.3, 17.7, 1.0), "secondary": (9.0, 27.7, 3.0), "special": (12.0, 37.0, 5.0),
}
CONTEXT_BASE = {"pupil_premium": 24.0, "eal": 20.0, "sen_support": 13.0, "ehcp": 2.5}


def _rng(*parts):
    return random.Random("-".join(str(p) for p in parts))


def _clip(value, low=0.0, high=100.0):
    return max(low, min(high, value))


def _fmt(value, places=1):
    return f"{Decimal(str(value)):.{places}f}"


def published_years(today):
    current = AcademicYear.start_year_for(today)
    return list(range(current - 5, current))


def _kind(academy):
    if academy.phase in {"special", "ap"}:
        return "special"
    return "secondary" if academy.phase in SECONDARY_PHASES - {"all_through"} else "primary"


def _figure(academy, measure, group, subject, year_index, year):
    """The academy's figure: national, moved by its strength and trend, with a little noise."""
    base, change = NATIONAL[(measure, group, subject)]
    national = base + change * year_index
    strength, trend = PROFILES.get(academy.urn, (0.0, 0.0))
    spread = SPREAD.get(measure, 4.0)
    gap = -abs(spread) if group == "disadvantaged" else 0.0  # a step below the group nationally
    noise = _rng(academy.urn, measure, group, subject, year).uniform(-2.0, 2.0)
    value = national + spread * (strength + trend * year_index) + gap + noise * abs(spread) / 4
    if measure.endswith("_rate"):
        return _clip(value, 0.0, 100.0), national
    return _clip(value), national


def results_file(academies, year, year_index):
    """The trust-template file a data manager would upload for one year's published results,
    context and enforcement figures."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["urn", "academic_year", "term", "measure", "pupil_group", "year_group", "subject",
                     "value", "cohort", "national", "source"])
    label = f"{year}/{str(year + 1)[-2:]}"
    for academy in academies:
        rng = _rng(academy.urn, "context", year)
        on_roll = {"primary": 320, "secondary": 1100, "special": 140}[_kind(academy)]
        on_roll = int(on_roll * rng.uniform(0.6, 1.3)) if academy.urn != "999103" else 61
        strength = PROFILES.get(academy.urn, (0, 0))[0]
        rows = [("on_roll", "all", "", "", on_roll, None, None)]
        for measure, base in CONTEXT_BASE.items():
            value = _clip(base * (1 - 0.2 * strength) * rng.uniform(0.8, 1.2))
            rows.append((measure, "all", "", "", _fmt(value), None, None))
        measures = []
        if academy.phase in PRIMARY_PHASES:
            measures += [("eyfs_gld", "all", "R", ""), ("phonics_y1", "all", "Y1", ""),
                         ("phonics_y2", "all", "Y2", "")]
            measures += [("ks2_expected", g, "KS2", "rwm")
                         for g in ("all", "disadvantaged", "not_disadvantaged", "sen")]
            measures += [("ks2_expected", "all", "KS2", s) for s in ("reading", "writing", "maths")]
            measures += [("ks2_higher", "all", "KS2", "rwm"), ("ks2_scaled_score", "all", "KS2", "reading"),
                         ("ks2_scaled_score", "all", "KS2", "maths")]
        if academy.phase in SECONDARY_PHASES:
            measures += [("ks4_attainment8", g, "KS4", "") for g in ("all", "disadvantaged")]
            measures += [("ks4_english_maths_5", "all", "KS4", ""),
                         ("ks4_ebacc_entry", "all", "KS4", "")]
            measures += [("ks4_english_maths_4", g, "KS4", "")
                         for g in ("all", "disadvantaged", "not_disadvantaged")]
        if academy.phase in {"special", "ap"}:
            measures += [("sen_progress", "all", "", "")]
        measures += [("suspension_rate", "all", "", ""), ("permanent_exclusion_rate", "all", "", ""),
                     ("attendance", "disadvantaged", "", "")]
        cohort = max(6, on_roll // 7) if academy.phase != "secondary" else on_roll // 5
        for measure, group, year_group, subject in measures:
            value, national = _figure(academy, measure, group, subject, year_index, year)
            places = 2 if measure.endswith("_rate") else 1
            share = {"disadvantaged": 3, "sen": 2}.get(group, 7)  # tenths of the cohort
            group_cohort = cohort if group == "all" else max(1, cohort * share // 10)
            shown = _fmt(value, places)
            if measure == "permanent_exclusion_rate" and academy.phase in PRIMARY_PHASES and strength > -1:
                shown = "0.00"  # most primaries exclude no one permanently in a year
            if academy.urn == "999103" and group != "all":
                shown = "c"  # a small school: DfE suppresses its group figures
            rows.append((measure, group, year_group, subject, shown, group_cohort, _fmt(national, places)))
        # Progress scores were published to 2022/23 only; later years are "not applicable".
        if academy.phase in PRIMARY_PHASES:
            for subject in ("reading", "writing", "maths"):
                value = "z" if year >= 2023 else _fmt(_rng(academy.urn, subject, year).uniform(-1, 1) + strength, 2)
                rows.append(("ks2_progress", "all", "KS2", subject, value, cohort, "z" if year >= 2023 else "0.00"))
        if academy.phase in SECONDARY_PHASES:
            value = "z" if year >= 2024 else _fmt(0.4 * strength + rng.uniform(-0.2, 0.2), 2)
            rows.append(("ks4_progress8", "all", "KS4", "", value, on_roll // 5, "z" if year >= 2024 else "-0.03"))
        for measure in ("fixed_penalty_notices", "parenting_contracts", "education_supervision_orders",
                        "prosecutions", "parenting_orders", "ap_placements", "part_time_timetables"):
            rows.append((measure, "all", "", "", int(max(0, rng.gauss(2 - strength, 1.5))), None, None))
        for measure, group, year_group, subject, value, cohort_n, national in rows:
            writer.writerow([academy.urn, label, "", measure, group, year_group, subject, value,
                             "" if cohort_n is None else cohort_n, national or "", "published"])
    return out.getvalue().encode()


def absence_file(academies, years):
    """An EES school-level absence file over the five years, with national and LA rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                     "old_la_code", "la_name", "school_urn", "school_name", "education_phase", "enrolments",
                     "sess_overall_percent", "sess_unauthorised_percent", "enrolments_pa_10_exact_percent",
                     "enrolments_pa_50_exact_percent"])
    for index, year in enumerate(years):
        period = f"{year}{str(year + 1)[-2:]}"
        for kind, (overall, persistent, severe) in ABSENCE_NATIONAL.items():
            if kind != "primary":
                continue  # one national row: all state-funded schools
            writer.writerow([period, "Academic year", "National", "E92000001", "England", "", "", "", "", "Total",
                             "", _fmt(overall - 0.2 * index), _fmt(1.6), _fmt(persistent - 1.2 * index),
                             _fmt(severe + 0.1 * index)])
        for la_code, la_name in sorted({(a.la_code, a.local_authority) for a in academies}):
            rng = _rng(la_code, year)
            writer.writerow([period, "Academic year", "Local authority", "E92000001", "England", la_code, la_name,
                             "", "", "Total", "", _fmt(6.8 + rng.uniform(-0.5, 0.5) - 0.2 * index),
                             _fmt(1.8), _fmt(19.0 + rng.uniform(-2, 2) - 1.2 * index), _fmt(1.5)])
        for academy in academies:
            overall, persistent, severe = ABSENCE_NATIONAL[_kind(academy)]
            strength, trend = PROFILES.get(academy.urn, (0.0, 0.0))
            rng = _rng(academy.urn, "absence", year)
            move = strength + trend * index
            writer.writerow([
                period, "Academic year", "School", "E92000001", "England", academy.la_code,
                academy.local_authority, academy.urn, academy.name, "State-funded " + _kind(academy), "",
                _fmt(_clip(overall - 0.2 * index - 0.8 * move + rng.uniform(-0.4, 0.4))),
                _fmt(_clip(1.6 - 0.3 * move + rng.uniform(-0.2, 0.2), 0.1)),
                _fmt(_clip(persistent - 1.2 * index - 3.0 * move + rng.uniform(-1.5, 1.5))),
                _fmt(_clip(severe + 0.1 * index - 0.4 * move + rng.uniform(-0.3, 0.3), 0.1)),
            ])
    return out.getvalue().encode()


def in_year_file(academies, year, terms):
    """The academies' own assessments, Years 1 to 6, for the terms of one year so far."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["urn", "academic_year", "term", "measure", "pupil_group", "year_group", "subject",
                     "value", "cohort", "source"])
    label = f"{year}/{str(year + 1)[-2:]}"
    for academy in academies:
        if academy.phase not in PRIMARY_PHASES:
            continue
        strength = PROFILES.get(academy.urn, (0.0, 0.0))[0]
        for term in terms:
            for year_group in ("Y1", "Y2", "Y3", "Y4", "Y5", "Y6"):
                for subject in ("reading", "writing", "maths"):
                    for group, shift in (("all", 0), ("disadvantaged", -10), ("high_prior", 15)):
                        rng = _rng(academy.urn, year, term, year_group, subject, group)
                        expected = _clip(62 + 5 * strength + shift + 3 * (term - 1) + rng.uniform(-6, 6))
                        depth = _clip(expected / 4 + rng.uniform(-3, 3))
                        cohort = 40 if academy.urn != "999103" else 9
                        cohort = cohort if group == "all" else cohort // 3
                        for measure, value in (("attainment_expected", expected),
                                               ("attainment_greater_depth", depth)):
                            writer.writerow([academy.urn, label, ["autumn", "spring", "summer"][term - 1],
                                             measure, group, year_group, subject, _fmt(value, 0), cohort,
                                             "in_year"])
    return out.getvalue().encode()


def _import(data, file_name, user, when):
    """Import a demo file once; backdate the batch to when a data manager would have done it."""
    done = ImportBatch.objects.filter(checksum=checksum(data), status=ImportBatch.Status.SUCCEEDED).first()
    if done is not None:
        return done
    batch = import_file(data=data, file_name=file_name, user=user)
    if batch.status != ImportBatch.Status.SUCCEEDED:
        raise RuntimeError(f"The demo file {file_name} did not import: {batch.errors[:3]}")
    moment = timezone.make_aware(datetime.datetime.combine(when, datetime.time(9, 30)))
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=moment, finished_at=moment)
    return batch


def build_results(academies, today=None):
    """Five years of published figures, this year's and last year's in-year assessments."""
    today = today or datetime.date.today()
    user = User.objects.filter(memberships__role=Role.DATA_MANAGER).first()
    open_academies = [a for a in academies if a.status == Academy.Status.OPEN]
    years = published_years(today)
    batches = []
    for index, year in enumerate(years):
        batches.append(_import(results_file(open_academies, year, index),
                               f"northvale-published-results-{year}-{str(year + 1)[-2:]}.csv",
                               user, datetime.date(year + 1, 10, 20)))
    batches.append(_import(absence_file(open_academies, years), "ees_absence_school.csv", user,
                           datetime.date(years[-1] + 1, 10, 5)))
    current = AcademicYear.start_year_for(today)
    last = current - 1
    batches.append(_import(in_year_file(open_academies, last, [1, 2, 3]),
                           f"in-year-assessments-{last}-{str(last + 1)[-2:]}.csv", user,
                           datetime.date(current, 7, 15)))
    terms_so_far = [n for n, start in ((1, datetime.date(current, 11, 15)), (2, datetime.date(current + 1, 3, 20)),
                                       (3, datetime.date(current + 1, 7, 10))) if start <= today]
    if terms_so_far:
        batches.append(_import(in_year_file(open_academies, current, terms_so_far),
                               f"in-year-assessments-{current}-{str(current + 1)[-2:]}.csv", user,
                               min(today, datetime.date(current + 1, 7, 15))))
    return batches


# Inspection histories: (URN at inspection, start date, overall 1-4 or "", per-area grades,
# safeguarding, concern, type). Area grades are on the scale of the inspection's framework.
EIF = ["quality_of_education", "behaviour_and_attitudes", "personal_development", "leadership_and_management"]
CARD = ["inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour",
        "personal_development_and_wellbeing", "leadership_and_governance"]
FIVE = ["exceptional", "strong", "expected", "needs_attention", "urgent_improvement"]

IMPROVEMENTS = {
    "strong": "Make sure the most able disadvantaged pupils reach greater depth in writing.\n"
              "Share the academy's reading curriculum with other academies of the trust.",
    "middle": "Check that pupils with SEND are given work that builds their knowledge step by step.\n"
              "Reduce persistent absence, especially among disadvantaged pupils.",
    "weak": "Improve the consistency of teaching in mathematics across key stages.\n"
            "Raise attendance: too many pupils miss too much school.\n"
            "Make sure leaders and governors check the impact of the improvement plan.",
}


def _grades_for(strength):
    """A four-point grade and a five-point grade that fit an academy's strength."""
    if strength >= 1.0:
        return "2" if strength < 1.5 else "1", "strong" if strength < 1.5 else "exceptional"
    if strength >= -0.5:
        return "2", "expected"
    if strength >= -1.5:
        return "3", "needs_attention"
    return "4", "urgent_improvement"


def build_inspections(academies, today=None):
    """Each academy's inspections: an older graded one for all, then (by URN) an inspection
    between September 2024 and November 2025 with no overall grade, or a report card since."""
    today = today or datetime.date.today()
    made = 0
    for position, academy in enumerate(a for a in academies if a.status == Academy.Status.OPEN):
        strength, _trend = PROFILES.get(academy.urn, (0.0, 0.0))
        four, five = _grades_for(strength)
        rng = _rng(academy.urn, "ofsted")
        older = datetime.date(2021 + position % 3, 1 + position % 11, 5 + position % 20)
        urn_then = "999003" if academy.urn == "999103" else academy.urn
        areas = {area: str(min(4, max(1, int(four) + rng.choice([-1, 0, 0, 1])))) for area in EIF}
        concern = Inspection.Concern.SERIOUS_WEAKNESSES if four == "4" else ""
        made += _inspection(academy, urn_then, older, Framework.GRADED, four, areas, "effective", concern,
                            "Section 5 (graded)", "strong" if four <= "2" else "weak" if four == "4" else "middle")
        if position % 3 == 1:
            when = datetime.date(2024, 10, 1) + datetime.timedelta(days=17 * position)
            areas = {area: str(min(4, max(1, int(four) + rng.choice([-1, 0, 0])))) for area in EIF}
            made += _inspection(academy, academy.urn, when, Framework.NO_OVERALL, "", areas, "effective", "",
                                "Graded inspection", "middle")
        elif position % 3 == 2:
            when = min(today - datetime.timedelta(days=30), datetime.date(2025, 11, 24) + datetime.timedelta(days=23 * position))
            index = FIVE.index(five)
            areas = {area: FIVE[min(4, max(0, index + rng.choice([-1, 0, 0, 1])))] for area in CARD}
            made += _inspection(academy, academy.urn, when, Framework.REPORT_CARD, "", areas,
                                "not_met" if five == "urgent_improvement" else "met", "", "Report card inspection",
                                "weak" if index >= 3 else "middle" if index == 2 else "strong")
    return made


def _inspection(academy, urn, when, framework, overall, areas, safeguarding, concern, kind, tone):
    inspection, created = Inspection.objects.update_or_create(
        academy=academy, urn_at_inspection=urn, start_date=when,
        defaults={
            "framework": framework, "overall_effectiveness": overall, "safeguarding": safeguarding,
            "category_of_concern": concern, "inspection_type": kind,
            "inspection_number": f"{urn[-3:]}{when:%y%m%d}", "publication_date": when + datetime.timedelta(days=35),
            "areas_for_improvement": IMPROVEMENTS[tone],
            "report_url": f"https://reports.ofsted.gov.uk/provider/21/{urn}",
        },
    )
    for area, grade in areas.items():
        InspectionJudgement.objects.update_or_create(
            inspection=inspection, area=area,
            defaults={"grade": grade, "grade_date": when if framework == Framework.REPORT_CARD else None},
        )
    return int(created)


def build_sef(academies, today=None):
    """Each open academy's self-evaluation against the report-card areas, this autumn and last,
    by its headteacher (or the trust's executive where the demo has no headteacher): last
    year's health checks are read beside the self-evaluation that stood at their visit."""
    today = today or datetime.date.today()
    this_year = AcademicYear.start_year_for(today)
    author = User.objects.filter(memberships__role=Role.EXECUTIVE).first()
    made = 0
    for academy in academies:
        if academy.status != Academy.Status.OPEN:
            continue
        strength, trend = PROFILES.get(academy.urn, (0.0, 0.0))
        for start_year, then in ((this_year - 1, trend / 2), (this_year, 0.0)):
            # Leaders of improving academies tend to judge themselves a step more kindly.
            _four, five = _grades_for(strength - then + (0.6 if trend >= 0.3 else 0.0))
            index = FIVE.index(five)
            judged_on = datetime.date(start_year, 10, 1)
            for area in FRAMEWORK_AREAS["five_point"][:6]:
                seed = _rng(academy.urn, area) if start_year == this_year else _rng(academy.urn, area, start_year)
                grade = FIVE[min(4, max(0, index + seed.choice([-1, 0, 0, 0, 1])))]
                _sef, created = SEFJudgement.objects.update_or_create(
                    academy=academy, area=area, judged_on=judged_on,
                    defaults={"scale": "five_point", "grade": grade, "entered_by": author,
                              "rationale": "From the academy's self-evaluation, agreed with the hub lead."},
                )
                made += int(created)
    return made
