"""The tier benchmark, run small: it counts the same queries at both sizes and writes a
recommendation for every academy."""

from io import StringIO

from academycards.bench import tiers as bench
from tiers.models import TierRecommendation
from tiers.seed import seed_rules


def test_the_tier_benchmark_counts_equal_queries_at_two_sizes_and_recommends(db):
    seed_rules()
    result = bench.measure([5, 8], repeat=1)
    small, large = result.counts[5], result.counts[8]
    assert small.steady_queries == large.steady_queries
    assert small.first_reads == large.first_reads
    assert not result.grows
    assert result.recommended > 0
    assert TierRecommendation.objects.current().count() == result.academies
    out = StringIO()
    bench.report(result, [5, 8], 1, out=out)
    assert f"{small.steady_queries} queries at 5 and 8" in out.getvalue()
