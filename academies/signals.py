"""Signals other apps listen to, so that academies never imports from the apps that build on it.

`data_changed(academy_ids)`: new or changed figures or inspections for these academies have been
written in the current transaction (receivers enqueue their work on commit).
"""

from django.dispatch import Signal

data_changed = Signal()
