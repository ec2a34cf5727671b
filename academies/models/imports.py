import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from trust.access import ScopedQuerySet, scope_for

from .academy import Academy


class ImportBatchQuerySet(ScopedQuerySet):
    """An import is visible to trust-wide roles (all of them, including files that touched no
    academy), to the person who uploaded it, and to people who see an academy it touched or was
    confined to (an academy data manager's upload, even one refused before it touched anything).

    Academies are matched through subqueries rather than a join, so that a batch touching many
    academies is one row, without DISTINCT (which would stop pages ordering by date cheaply).
    """

    def visible_to(self, user):
        return self._within(user, action=None)

    def permitting(self, user, action):
        """Batches about the academies where the person may take `action` (their own uploads
        only as far as those academies go)."""
        return self._within(user, action=action)

    def _within(self, user, *, action):
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        if scope.can(action) if action else scope.trust_wide:
            return self.all()
        academies = Academy.objects.filter(scope.academy_q(action))
        touched = ImportBatch.academies.through.objects.filter(academy__in=academies)
        rule = Q(pk__in=touched.values("importbatch_id")) | Q(scope_academy__in=academies)
        if action is None:
            rule |= Q(uploaded_by=user)
        return self.filter(rule)


class ImportBatch(models.Model):
    """One file brought in: who, when, what it was, and what it changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        PREVIEWED = "previewed", "Previewed (dry run, nothing written)"
        FAILED = "failed", "Refused"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, blank=True)
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    size = models.PositiveBigIntegerField(default=0)
    stored_file = models.FileField(upload_to="imports/", blank=True)
    dry_run = models.BooleanField(default=False)
    academic_year = models.ForeignKey(
        "trust.AcademicYear", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For files that do not carry their academic year.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope_academy = models.ForeignKey(
        "academies.Academy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Set when an academy's own data manager imports: rows of other academies are refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker claimed a background import.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(
        default=0, help_text="Rows about schools outside the trust, left out of a national file."
    )
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="Unknown or missing columns, etc.")
    academies = models.ManyToManyField("academies.Academy", blank=True, related_name="import_batches")

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["checksum"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%d %b %Y})"

    @property
    def finished(self):
        return self.status in {self.Status.SUCCEEDED, self.Status.PREVIEWED, self.Status.FAILED}

    @property
    def progress_percent(self):
        if self.finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
