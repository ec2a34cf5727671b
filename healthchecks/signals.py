"""Signals the apps that build on health checks (tiers) listen to.

`health_check_published(health_check)` and `risk_changed(risk)` are sent inside the transaction
of the change; receivers enqueue their work on commit.
"""

from django.dispatch import Signal

health_check_published = Signal()
risk_changed = Signal()
