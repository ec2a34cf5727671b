"""Live progress of targets: each compared with the latest result for the same figure in its
year, on track, at risk or off track by the trust's margin. Recomputed after every import and
nightly; targets going off track tell the people who must act."""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trust.models import Role

from .models import Result, Target, TargetPolicy

P = Target.Progress


def judge(target, result, margin):
    """The progress of one target given its latest result (or None)."""
    if result is None:
        return P.NO_DATA, None
    if result.value is None:
        return P.NOT_JUDGED, None
    value, aim = Decimal(result.value), Decimal(target.value)
    short = aim - value if target.measure.higher_is_better is not False else value - aim
    if short <= 0:
        return P.ON_TRACK, value
    return (P.AT_RISK if short <= margin else P.OFF_TRACK), value


def _latest(results):
    """The figure that best says where a target stands: the published one for the year when
    there is one, otherwise the latest term's in-year assessment."""
    return max(results, key=lambda r: (r.source == "published", r.term, r.updated_at))


@transaction.atomic
def recompute(*, academy_ids=None, years=None):
    """Recompute progress for the targets of `academy_ids` (all when None) in `years` (start
    years; all when None). Returns the targets that changed. A constant number of queries."""
    targets = Target.objects.select_related("measure", "academy__trust", "academic_year")
    if academy_ids is not None:
        targets = targets.filter(academy_id__in=list(academy_ids))
    if years is not None:
        targets = targets.filter(academic_year__start_year__in=list(years))
    targets = list(targets)
    if not targets:
        return []
    results = {}
    for result in Result.objects.filter(
        academy_id__in={t.academy_id for t in targets},
        measure_id__in={t.measure_id for t in targets},
        academic_year_id__in={t.academic_year_id for t in targets},
    ).only("id", "academy_id", "measure_id", "academic_year_id", "pupil_group", "year_group", "subject",
           "value", "state", "source", "term", "updated_at"):
        key = (result.academy_id, result.measure_id, result.academic_year_id, result.pupil_group,
               result.year_group, result.subject)
        results.setdefault(key, []).append(result)
    margins = {}
    now = timezone.now()
    changed, newly_off = [], []
    for target in targets:
        trust_id = target.academy.trust_id
        if trust_id not in margins:
            margins[trust_id] = TargetPolicy.for_trust(target.academy.trust).at_risk_margin
        found = results.get((target.academy_id, target.measure_id, target.academic_year_id,
                             target.pupil_group, target.year_group, target.subject))
        result = _latest(found) if found else None
        progress, value = judge(target, result, margins[trust_id])
        result_id = result.pk if result else None
        before = (target.progress, target.progress_value, target.progress_result_id)
        if (progress, value, result_id) != before:
            if progress == P.OFF_TRACK and target.progress != P.OFF_TRACK:
                newly_off.append(target)
            target.progress, target.progress_value, target.progress_result_id = progress, value, result_id
            target.progress_at = now
            changed.append(target)
    Target.objects.bulk_update(changed, ["progress", "progress_value", "progress_result", "progress_at"],
                               batch_size=1000)
    if newly_off:
        _tell_off_track(newly_off)  # stored with the new progress; emails go after commit
    return changed


def _tell_off_track(targets):
    from trust.notifications import notify, people_with_roles

    today = timezone.localdate()
    for target in targets:
        notify(
            users=people_with_roles(
                [Role.HEADTEACHER, Role.EXECUTIVE, Role.HUB_LEAD], academy=target.academy
            ),
            kind="target.off_track",
            title=f"Off track: {target.measure} at {target.academy.name}",
            body=(f"The latest result, {target.measure.format(target.progress_value)}, is short of the "
                  f"target of {target.measure.format(target.value)} for {target.academic_year}."),
            url=reverse("academies:targets", kwargs={"urn": target.academy.urn}), academy=target.academy,
            dedupe_key=f"target:{target.uuid}:off_track:{today:%Y-%m-%d}",
        )
