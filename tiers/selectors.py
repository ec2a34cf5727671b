"""Reads of the tiers app shared by pages (the board, an academy's tier page, the definitions)
and by the academy card: each reads one kind of thing in one query, whatever the number of
academies, so a page built from them costs the same for four academies as for four hundred.

Recommendations are trust-only evidence: these functions return them when asked, and the
caller decides whether the person may see them (tier.recommendation.view).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from academies.models import Academy
from trust.models import AcademicYear

from .engine import path_for
from .models import DescriptorArea, TierAssignment, TierDefinition, TierRecommendation
from .services import definitions_for

NO_TIER = 0  # the board's group of academies with no agreed tier


def year_or_current(start_year=None):
    """The AcademicYear starting in `start_year` (made on first use), or the current one."""
    if start_year is None:
        return AcademicYear.current()
    return AcademicYear.for_date(datetime.date(start_year, 9, 1))


@dataclass
class TierSummary:
    """An academy's tier for one year: the agreed assignment (None if none), the proposal
    waiting for the board (None if none) and, for trust staff only, the current recommendation."""

    agreed: TierAssignment | None
    pending: TierAssignment | None
    recommendation: TierRecommendation | None

    @property
    def tier(self):
        return self.agreed.tier if self.agreed else None

    @property
    def since(self):
        return self.agreed.effective_from if self.agreed else None

    @property
    def differs(self):
        rec = self.recommendation
        return bool(rec and rec.tier and self.agreed and rec.tier != self.agreed.tier)

    @property
    def url(self):
        return path_for("tiers:academy", urn=self.academy.urn)


def tier_summary(academy, year, *, with_recommendation=True):
    """The academy's agreed tier for `year`, since when, its open proposal and (if asked) the
    current recommendation. Three queries."""
    assignments = list(
        TierAssignment.objects.filter(
            academy=academy,
            academic_year=year,
            status__in=[TierAssignment.Status.AGREED, TierAssignment.Status.PROPOSED],
        ).select_related("proposed_by", "academic_year")
    )
    agreed = next((a for a in assignments if a.status == TierAssignment.Status.AGREED), None)
    pending = next((a for a in assignments if a.status == TierAssignment.Status.PROPOSED), None)
    recommendation = None
    if with_recommendation:
        recommendation = (
            TierRecommendation.objects.current().filter(academy=academy, academic_year=year).first()
        )
    return TierSummary(agreed=agreed, pending=pending, recommendation=recommendation)


def definitions(year):
    """The year's four tier definitions, each with `areas`: [(area label, [descriptors])] in the
    order of the areas, and its entitlements, prefetched. Created on first view."""
    definitions_for(year)
    found = list(
        TierDefinition.objects.filter(academic_year=year)
        .prefetch_related("descriptors", "entitlements")
        .order_by("number")
    )
    labels = dict(DescriptorArea.choices)
    order = list(labels)
    for definition in found:
        grouped = defaultdict(list)
        for descriptor in definition.descriptors.all():
            grouped[descriptor.area].append(descriptor)
        definition.areas = [
            (labels.get(area, area), grouped[area])
            for area in sorted(grouped, key=lambda a: order.index(a) if a in order else len(order))
        ]
    return found


def change_between(before, now):
    """How the agreed tier moved since last year, in words: tier 1 is the strongest, so a lower
    number is a move up."""
    if now is None:
        return ""
    if before is None:
        return "new"
    if now < before:
        return "up"
    if now > before:
        return "down"
    return "same"


@dataclass
class BoardRow:
    academy: Academy
    agreed: TierAssignment | None
    recommendation: TierRecommendation | None
    last_year: int | None
    pending: TierAssignment | None

    @property
    def tier(self):
        return self.agreed.tier if self.agreed else None

    @property
    def change(self):
        return change_between(self.last_year, self.tier)

    @property
    def differs(self):
        rec = self.recommendation
        return bool(rec and rec.tier and self.agreed and rec.tier != self.agreed.tier)

    @property
    def url(self):
        return path_for("tiers:academy", urn=self.academy.urn)


def board_rows(academies, year):
    """One row per academy of `academies` (a queryset) for `year`: five queries in all."""
    academies = list(academies.select_related("hub").order_by("name"))
    ids = [a.pk for a in academies]
    agreed, pending = {}, {}
    for assignment in (
        TierAssignment.objects.filter(
            academy_id__in=ids,
            academic_year=year,
            status__in=[TierAssignment.Status.AGREED, TierAssignment.Status.PROPOSED],
        )
        .select_related("proposed_by", "academic_year")
        .defer("evidence")  # links for the tier page; the board does not show them
        .order_by()
    ):
        target = agreed if assignment.status == TierAssignment.Status.AGREED else pending
        target[assignment.academy_id] = assignment
    last_year = dict(
        TierAssignment.objects.agreed()
        .filter(academy_id__in=ids, academic_year__start_year=year.start_year - 1)
        .order_by()
        .values_list("academy_id", "tier")
    )
    recommendations = {
        r.academy_id: r
        for r in TierRecommendation.objects.current()
        .filter(academy_id__in=ids, academic_year=year)
        .defer("trace", "missing")
        .order_by()
    }
    return [
        BoardRow(
            academy=academy,
            agreed=agreed.get(academy.pk),
            recommendation=recommendations.get(academy.pk),
            last_year=last_year.get(academy.pk),
            pending=pending.get(academy.pk),
        )
        for academy in academies
    ]


def group_by_tier(rows):
    """[(tier number or NO_TIER, [rows])] for tiers 1 to 4 and then academies with none."""
    groups = {number: [] for number in (1, 2, 3, 4, NO_TIER)}
    for row in rows:
        groups[row.tier or NO_TIER].append(row)
    return list(groups.items())
