"""What the tiers app does when the evidence under it changes: recalculate the recommendations
of the academies touched, after commit; log a published health check as support given."""

from django.dispatch import receiver

from academies.signals import data_changed
from healthchecks.signals import health_check_published, risk_changed
from trust.queue import enqueue_on_commit


def _recalculate(academy_ids):
    from .tasks import recalculate_tiers

    enqueue_on_commit(recalculate_tiers, sorted(set(academy_ids)))


@receiver(data_changed)
def after_import(sender, academy_ids, **kwargs):
    _recalculate(academy_ids)


@receiver(health_check_published)
def after_health_check(sender, health_check, **kwargs):
    from .services import log_health_check

    log_health_check(health_check)
    _recalculate([health_check.academy_id])


@receiver(risk_changed)
def after_risk(sender, risk, **kwargs):
    if risk.academy_id is not None:
        _recalculate([risk.academy_id])
