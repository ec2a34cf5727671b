"""The tier and support pages of the page benchmark (`make bench`), on a small bench trust grown
once: the trust's tier data is in proportion, every page answers as its check expects (each check
counts what the person should see, and the governor must not see the recommendation), and each
makes the same number of queries at both sizes."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from academies.models import Academy
from academycards.bench.pages import PAGE_CASES, URLCONF, PageBench
from academycards.bench.world import GOVERNOR, BenchTrust
from tiers.models import CapacityOffer, SupportItem, TierAssignment, TierRecommendation
from trust.models import AcademicYear

TIER_PAGES = {
    "tier board", "academy tier page", "academy support page", "support overview", "capacity page",
    "API tier assignments", "API tier recommendations",
}
SIZES = (21, 30)


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = URLCONF


def _cases():
    return [case for case in PAGE_CASES if case.label in TIER_PAGES]


def test_the_tier_pages_are_measured_from_every_point_of_view_asked_for():
    assert {(case.label, case.who) for case in _cases()} == {
        ("tier board", "executive"), ("tier board", "hub lead"),
        ("academy tier page", "executive"), ("academy tier page", "governor"),
        ("academy support page", "executive"), ("academy support page", "governor"),
        ("support overview", "executive"), ("capacity page", "executive"),
        ("API tier assignments", "executive"), ("API tier recommendations", "executive"),
    }


def test_the_bench_trust_grows_its_tiers_support_and_recommendations_with_it(db):
    world = BenchTrust().grow_to(SIZES[0]).add_tiers().grow_to(SIZES[1])
    year = AcademicYear.for_date(world.today)
    open_ids = {a.pk for a in world.academies if a.status == Academy.Status.OPEN}
    staying = {a.pk for a in world.academies if a.status != Academy.Status.LEFT}
    agreed = TierAssignment.objects.agreed()
    assert set(agreed.filter(academic_year=year).values_list("academy_id", flat=True)) == open_ids
    assert set(agreed.filter(academic_year__start_year=year.start_year - 1)
               .values_list("academy_id", flat=True)) == open_ids
    assert set(agreed.filter(academic_year=year).values_list("tier", flat=True)) == {1, 2, 3, 4}
    assert TierAssignment.objects.pending().filter(kind=TierAssignment.Kind.JOINING).exists()
    assert TierAssignment.objects.pending().filter(kind=TierAssignment.Kind.RECLASSIFICATION).exists()
    current = TierRecommendation.objects.current().filter(academic_year=year)
    assert set(current.values_list("academy_id", flat=True)) == staying
    assert all(len(r.trace) > 1 for r in current)
    items = SupportItem.objects.filter(academic_year=year)
    assert set(items.values_list("academy_id", flat=True)) == open_ids
    assert items.filter(status=SupportItem.Status.DELIVERED).exists()
    assert items.overdue(world.today).exists()
    assert CapacityOffer.objects.filter(academic_year=year, provider__isnull=False).exists()


def test_the_tier_pages_answer_and_make_the_same_queries_at_two_sizes(db, bench_urls):
    world = BenchTrust().grow_to(SIZES[0])
    bench = PageBench(world, _cases())
    bench.count_queries()  # raises PageFailed when a page does not show what it should
    world.grow_to(SIZES[1])
    bench.count_queries()
    counts = {result.case.name: (result.count(SIZES[0]), result.count(SIZES[1])) for result in bench.results}
    assert len(counts) == len(TIER_PAGES) + 4  # the trivial view; board, tier and support pages twice
    assert {name: pair for name, pair in counts.items() if pair[0] != pair[1]} == {}


def test_the_governor_reads_the_focus_academys_tier_without_the_recommendation(db, bench_urls, client):
    world = BenchTrust().grow_to(SIZES[0]).add_tiers()
    client.force_login(world.people[GOVERNOR])
    page = client.get(reverse("tiers:academy", kwargs={"urn": world.focus.urn})).content.decode()
    assert 'data-testid="agreed-tier">Tier 3' in page
    trace = TierRecommendation.objects.current().get(academy=world.focus).trace
    assert not [line for line in trace if escape(line["explanation"]) in page]
