"""Celery tasks of the health-checks app: thin, idempotent wrappers over the services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def run_risk_rules(academy_ids=None):
    """Run the trust's risk rules over these academies (or all). Idempotent: a rule never raises
    the same risk twice. Returns how many risks were raised."""
    from .rules import run

    return len(run(academy_ids))


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def daily_sweep():
    """Daily: risks past their review date and health-check actions past their due date, each
    told once to the people who must act."""
    from .risks import notify_overdue_reviews
    from .services import notify_overdue_actions

    return {"risk_reviews_overdue": notify_overdue_reviews(), "actions_overdue": notify_overdue_actions()}
