"""Celery tasks of the tiers app: thin, idempotent wrappers over the services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def recalculate_tiers(academy_ids=None):
    """Recompute the tier recommendations of these academies (or all). Idempotent: an unchanged
    recommendation is not written again and a difference is told once. Returns {urn: tier}."""
    from .services import recalculate

    return {academy.urn: outcome.tier for academy, outcome in recalculate(academy_ids).items()}


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def support_sweep():
    """Daily: support owed and now overdue, each item told once."""
    from .services import notify_overdue_support

    return notify_overdue_support()
