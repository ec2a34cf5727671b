"""The support each academy is owed by its agreed tier, and the log of support given.

The schedule is generated from the agreed tier's entitlements (see tiers.schedule): one item
per due date. Support given is logged (a CEO one-to-one held, a committee met, a board review
done; a health check is logged when it is published) and each entry settles the earliest item
of its kind still owed. The trust's capacity to support is what its stronger academies and
central team can offer, matched to the priorities of the academies that need it.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from academies.models.plans import Theme
from trust.access import ScopedQuerySet
from trust.models import AcademicYear

from .definitions import SupportKind


class SupportItemQuerySet(ScopedQuerySet):
    academy_path = "academy"

    def owed(self):
        return self.filter(status=SupportItem.Status.OWED)

    def overdue(self, today):
        return self.owed().filter(due_on__lt=today)


class SupportItem(models.Model):
    class Status(models.TextChoices):
        OWED = "owed", "Owed"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "No longer owed (tier changed)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="support_items")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        "tiers.TierAssignment", on_delete=models.CASCADE, related_name="support_items"
    )
    kind = models.CharField(max_length=25, choices=SupportKind.choices)
    window_start = models.DateField(help_text="From when support given counts towards this item.")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OWED)
    delivered_by_entry = models.OneToOneField(
        "tiers.SupportLogEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="item"
    )

    objects = SupportItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "due_on"], name="support_item_once"),
            models.CheckConstraint(
                condition=Q(window_start__lte=models.F("due_on")), name="support_window_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["academy", "academic_year"]),
        ]

    def __str__(self):
        return f"{self.academy.name}: {self.get_kind_display()} due {self.due_on:%d %b %Y}"

    @property
    def access_academy(self):
        return self.academy

    def is_overdue(self, today):
        return self.status == self.Status.OWED and self.due_on < today

    @property
    def delivered_late(self):
        entry = self.delivered_by_entry
        return entry is not None and entry.held_on > self.due_on


class SupportLogQuerySet(ScopedQuerySet):
    academy_path = "academy"


class SupportLogEntry(models.Model):
    class Source(models.TextChoices):
        RECORDED = "recorded", "Recorded by hand"
        HEALTH_CHECK = "health_check", "A published health check"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academy = models.ForeignKey("academies.Academy", on_delete=models.CASCADE, related_name="support_log")
    kind = models.CharField(max_length=25, choices=SupportKind.choices)
    held_on = models.DateField()
    notes = models.TextField(blank=True, help_text="What was covered and agreed.")
    led_by = models.CharField(
        max_length=150, blank=True, help_text="Who gave the support (a name or a role)."
    )
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.RECORDED)
    health_check = models.OneToOneField(
        "healthchecks.HealthCheck",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_entry",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = SupportLogQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "support log entry"
        verbose_name_plural = "support log"

    def __str__(self):
        return f"{self.academy.name}: {self.get_kind_display()} on {self.held_on:%d %b %Y}"

    @property
    def access_academy(self):
        return self.academy


class CapacityOffer(models.Model):
    """Support the trust can give: an academy (normally tier 1 or 2) or the central team offers
    expertise in an area, with the days it has in the year."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "academies.Academy",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="capacity_offers",
        help_text="Empty for the trust's central team.",
    )
    theme = models.CharField(max_length=20, choices=Theme.choices, help_text="The area of expertise.")
    expertise = models.CharField(
        max_length=200, help_text="What exactly is offered, e.g. 'KS2 writing moderation'."
    )
    contact = models.CharField(max_length=150, blank=True)
    days_available = models.DecimalField(max_digits=5, decimal_places=1)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theme", "provider__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(days_available__gte=0), name="capacity_days_not_negative"),
        ]

    def __str__(self):
        return f"{self.provider_name}: {self.expertise}"

    @property
    def provider_name(self):
        return self.provider.name if self.provider_id else "Trust central team"


def _new_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private address for their due support in a calendar app, which cannot sign in.
    The address carries a random token; resetting it stops the old address working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Support calendar of {self.user}"

    def reset(self):
        self.token = _new_token()
        self.save(update_fields=["token"])
