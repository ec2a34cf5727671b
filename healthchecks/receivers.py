"""What the health-checks app does when the data under it changes."""

from django.dispatch import receiver

from academies.signals import data_changed
from trust.queue import enqueue_on_commit


@receiver(data_changed)
def run_rules_after_import(sender, academy_ids, **kwargs):
    from .tasks import run_risk_rules

    enqueue_on_commit(run_risk_rules, list(academy_ids))
