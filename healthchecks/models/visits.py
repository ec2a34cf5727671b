"""Link-governor visits: what a governor looked at, linked to a development-plan priority."""

import uuid

from django.conf import settings
from django.db import models

from trust.access import ScopedQuerySet


class VisitQuerySet(ScopedQuerySet):
    academy_path = "academy"


class GovernorVisit(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="governor_visits")
    governor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField()
    focus = models.CharField(max_length=200, help_text="What the visit looked at, e.g. 'Phonics in Year 1'.")
    priority = models.ForeignKey(
        "academies.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="governor_visits",
        help_text="The development-plan priority the visit followed up, if any.",
    )
    notes = models.TextField(help_text="What the governor saw and asked; no pupils' names.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-created_at"]

    def __str__(self):
        return f"Link-governor visit, {self.academy.name}, {self.visited_on:%d %B %Y}"

    @property
    def access_academy(self):
        return self.academy
