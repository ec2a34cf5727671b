"""Enqueueing work after commit without ever failing the request that caused it.

The work a task does is always recoverable from the database (a periodic task sweeps what is
still owed: emails every ten minutes, tier recommendations and risk rules nightly), so when the
broker cannot take a task at that moment the change stands, the failure is logged, and the
sweep does the work later.

A request can enqueue several tasks after one change (the emails of its alerts, a recalculation
of tiers). Once the broker has refused one, the others in the next BROKER_PAUSE seconds are not
tried: each try costs its connection timeouts, and a person saving a change must not wait for
them one after another.
"""

import logging
import time

from django.db import transaction

log = logging.getLogger(__name__)

BROKER_PAUSE = 30.0  # seconds without trying the broker after it refused a task
_paused_until = 0.0


def broker_paused():
    return time.monotonic() < _paused_until


def _pause():
    global _paused_until
    _paused_until = time.monotonic() + BROKER_PAUSE


def resume():
    """Try the broker again at the next send (tests, or after it is known to be back)."""
    global _paused_until
    _paused_until = 0.0


def send_now(task, *args, **kwargs):
    """Send `task` now; True if the broker took it. A refusal is logged, never raised."""
    if broker_paused():
        log.warning("the broker refused a task moments ago: %s%r is left to its periodic sweep",
                    task.name, args)
        return False
    try:
        task.delay(*args, **kwargs)
    except Exception:
        _pause()
        log.exception("could not enqueue %s%r now; its periodic sweep will do the work", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs):
    """Send `task` with these arguments once the current transaction commits (at once outside
    one). A broker outage is logged, not raised."""
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))
