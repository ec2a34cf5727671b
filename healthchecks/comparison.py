"""The third column of the self-evaluation comparison: the latest health check the reader may
see, its judgements on the report-card scale, with over- and under-grading flagged."""

from academies.selectors import Column, Judged

from .models import HealthCheck

HEALTH_CHECK_COLUMN = Column("health_check", "Latest health check", "the health check")


def latest_health_check(academy, user):
    """The newest health check with judgements that `user` may read (a governor: the newest
    published one; the trust: the newest, even a draft). Two queries."""
    # Without a reader there is nothing to show: never fall back to the trust's drafts.
    checks = HealthCheck.objects.filter(academy=academy, judgements__isnull=False).distinct().visible_to(user)
    check = checks.order_by("-visit_start", "-created_at").first()
    if check is not None:
        check.judged = list(check.judgements.all())
    return check


def health_check_column(academy, user):
    check = latest_health_check(academy, user)
    if check is None:
        return HEALTH_CHECK_COLUMN, {}
    column = Column(
        HEALTH_CHECK_COLUMN.key,
        f"Latest health check ({check.visit_start:%-d %b %Y}"
        + ("" if check.is_published else f", {check.get_status_display().lower()}") + ")",
        HEALTH_CHECK_COLUMN.compare_name,
    )
    return column, {j.area: Judged(j.scale, j.grade, check.visit_start) for j in check.judged}
