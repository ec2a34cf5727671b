"""Enqueueing work after commit without ever failing the request that caused it.

The work a task does is always recoverable from the database (a periodic task sweeps what is
still owed), so when the broker cannot take a task at that moment the change stands, the
failure is logged, and the sweep does the work later.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Send `task` with these arguments once the current transaction commits (at once outside
    one). A broker outage is logged, not raised."""

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            log.exception("could not enqueue %s%r now; its periodic sweep will do the work", task.name, args)

    transaction.on_commit(send)
