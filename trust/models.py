"""Trust-wide things: the trust, its hubs, academic years and terms, people and their roles."""

import datetime
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Trust(models.Model):
    """The trust this installation serves. There is one; hubs and academies belong to it."""

    name = models.CharField(max_length=200)
    companies_house_number = models.CharField(max_length=8, blank=True)
    group_uid = models.CharField(
        "GIAS group UID", max_length=10, blank=True,
        help_text="The trust's Group UID in Get Information About Schools.",
    )
    small_cohort_threshold = models.PositiveSmallIntegerField(
        default=5,
        help_text="Results for groups of this many pupils or fewer are shown as suppressed to governors.",
    )

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first()


class Hub(models.Model):
    """A cluster of academies led together, usually around a lead academy."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="hubs")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="hub_name_unique_in_trust"),
        ]

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    """An English academic year, 1 September to 31 August, named by the year it starts in."""

    start_year = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["-start_year"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def starts_on(self):
        return datetime.date(self.start_year, 9, 1)

    @property
    def ends_on(self):
        return datetime.date(self.start_year + 1, 8, 31)

    @staticmethod
    def start_year_for(date):
        return date.year if date.month >= 9 else date.year - 1

    @classmethod
    def for_date(cls, date):
        """The year containing `date`, with its three terms, created on first use."""
        year, created = cls.objects.get_or_create(start_year=cls.start_year_for(date))
        if created:
            year.create_default_terms()
        return year

    @classmethod
    def current(cls):
        return cls.for_date(timezone.localdate())

    def create_default_terms(self):
        """Autumn to 31 December, spring to 31 March, summer to 31 August; editable after."""
        y = self.start_year
        defaults = [
            (Term.Name.AUTUMN, datetime.date(y, 9, 1), datetime.date(y, 12, 31)),
            (Term.Name.SPRING, datetime.date(y + 1, 1, 1), datetime.date(y + 1, 3, 31)),
            (Term.Name.SUMMER, datetime.date(y + 1, 4, 1), datetime.date(y + 1, 8, 31)),
        ]
        for number, (name, starts, ends) in enumerate(defaults, start=1):
            Term.objects.get_or_create(
                academic_year=self, number=number,
                defaults={"name": name, "starts_on": starts, "ends_on": ends},
            )


class Term(models.Model):
    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField(choices=[(1, "1"), (2, "2"), (3, "3")])
    name = models.CharField(max_length=10, choices=Name.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["academic_year__start_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="term_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_name_display()} {self.academic_year.label}"

    def clean(self):
        year = self.academic_year
        if self.starts_on and self.ends_on and year and not (
            year.starts_on <= self.starts_on < self.ends_on <= year.ends_on
        ):
            raise ValidationError(
                f"A term of {year.label} must fall between {year.starts_on:%d %B %Y} "
                f"and {year.ends_on:%d %B %Y}, and end after it starts."
            )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "admin access", default=False,
        help_text="May sign in to the admin for reference data.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    EXECUTIVE = "executive", "Trust executive"
    SIEL = "siel", "School Improvement Executive Lead"
    TRUSTEE = "trustee", "Trustee"
    DATA_MANAGER = "data_manager", "Trust data manager"
    ADMINISTRATOR = "administrator", "Administrator"
    HUB_LEAD = "hub_lead", "Hub lead"
    HEADTEACHER = "headteacher", "Headteacher"
    GOVERNOR = "governor", "LGB governor"
    ACADEMY_DATA_MANAGER = "academy_data_manager", "Academy data manager"


TRUST_ROLES = frozenset(
    {Role.EXECUTIVE, Role.SIEL, Role.TRUSTEE, Role.DATA_MANAGER, Role.ADMINISTRATOR}
)
HUB_ROLES = frozenset({Role.HUB_LEAD})
ACADEMY_ROLES = frozenset({Role.HEADTEACHER, Role.GOVERNOR, Role.ACADEMY_DATA_MANAGER})


class Membership(models.Model):
    """One role held by one person: trust-wide, for a hub, or for an academy.

    A person may hold several (a governor of two academies, a trustee who is also a governor).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    academy = models.ForeignKey(
        "academies.Academy", null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )
    lgb_chair = models.BooleanField(
        "chair of the LGB", default=False,
        help_text="This governor chairs the academy's local governing board and hears of its shared risks.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(hub=None, academy=None),
                name="membership_trust_role_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "hub"], condition=Q(hub__isnull=False),
                name="membership_hub_role_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "academy"], condition=Q(academy__isnull=False),
                name="membership_academy_role_once",
            ),
            models.CheckConstraint(
                name="membership_chair_is_a_governor",
                condition=Q(lgb_chair=False) | Q(role="governor"),
            ),
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(TRUST_ROLES), hub=None, academy=None)
                    | Q(role__in=sorted(HUB_ROLES), hub__isnull=False, academy=None)
                    | Q(role__in=sorted(ACADEMY_ROLES), hub=None, academy__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        where = self.academy or self.hub
        return f"{self.user} – {self.get_role_display()}" + (f", {where}" if where else "")

    def clean(self):
        if self.role in TRUST_ROLES and (self.hub_id or self.academy_id):
            raise ValidationError(f"{self.get_role_display()} is trust-wide: leave hub and academy empty.")
        if self.role in HUB_ROLES and (not self.hub_id or self.academy_id):
            raise ValidationError("A hub lead needs a hub, and no academy.")
        if self.role in ACADEMY_ROLES and (not self.academy_id or self.hub_id):
            raise ValidationError(f"{self.get_role_display()} needs an academy, and no hub.")
        if self.lgb_chair and self.role != Role.GOVERNOR:
            raise ValidationError("Only a governor can chair the local governing board.")


class HistoryEntry(models.Model):
    """One step in an object's history, as every workflow keeps it: who, when, from which state
    to which, why (where a reason is asked for), and what changed ({field: [before, after]})."""

    by = models.ForeignKey("trust.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_unsent(self):
        return self.filter(email=True, emailed_at__isnull=True)

    def digest_unsent(self):
        return self.filter(digest=True, digested_at__isnull=True)


class Notification(models.Model):
    """Something one person should know or act on, shown in the app and, usually, emailed.

    Notifications are written in the same transaction as the change that caused them, so
    none is lost if the broker is down at that moment; the email goes out later, once.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(
        max_length=50, help_text='What happened, as a short code, e.g. "target.off_track".'
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Plain text.")
    url = models.CharField(max_length=500, blank=True, help_text="A path inside the app.")
    academy = models.ForeignKey(
        "academies.Academy", null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.BooleanField(default=True, help_text="Send by email as well as in the app.")
    # A sender takes a notification by setting this; a claim older than any task may run was
    # lost with its worker, so the email is tried again.
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField(
        default=False, help_text="Emailed in the person's daily digest rather than on its own."
    )
    digest_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    digested_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(
        max_length=200, blank=True,
        help_text="The same event notifies a person once, e.g. target:<uuid>:off_track:2026-11-22.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                name="notification_once_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(fields=["user"], condition=Q(read_at=None), name="notification_unread"),
            models.Index(
                fields=["created_at"], condition=Q(email=True, emailed_at=None),
                name="notification_email_unsent",
            ),
            models.Index(
                fields=["user", "created_at"], condition=Q(digest=True, digested_at=None),
                name="notification_digest_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.title} (to {self.user})"

    @property
    def is_read(self):
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants to hear about one kind of notification. Without a row, the kind's
    default applies (trust.notifications.KINDS): usually an email straight away."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Email straight away"
        DIGEST = "digest", "In my daily digest email"
        APP = "app", "In the app only"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=50)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.get_delivery_display().lower()}"
