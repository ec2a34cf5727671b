"""What the tiers app does when the evidence under it changes: recalculate the recommendations
of the academies touched, after commit; log a published health check as support given."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from academies.signals import data_changed
from healthchecks.signals import health_check_published, risk_changed
from trust.models import Term
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


@receiver(post_save, sender=Term)
def after_term_dates_change(sender, instance, created, **kwargs):
    """New term dates move the support still to come in that year (what was due before today
    stays as it was)."""
    if created:
        return
    from .services import regenerate_agreed_schedules

    transaction.on_commit(lambda: regenerate_agreed_schedules(instance.academic_year_id))
