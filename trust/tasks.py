import os
import socket

from celery import shared_task

from .health import service_report


@shared_task(acks_late=True)
def report_services():
    """Check the services from inside a worker: proof that the worker reaches what the web does."""
    _healthy, report = service_report()
    return {**report, "worker": {"host": socket.gethostname(), "pid": os.getpid()}}
