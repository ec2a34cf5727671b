"""Academies: the schools of the trust, addressed everywhere by their URN."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from trust.access import ScopedQuerySet
from trust.models import Hub, Trust

urn_validator = RegexValidator(
    r"^[0-9]{6}\Z", "A URN is the six-digit number DfE gives a school, for example 140123."
)


class AcademyQuerySet(ScopedQuerySet):
    academy_path = ""

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(urn__startswith=text) | Q(local_authority__icontains=text)
        )


class Academy(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SIXTEEN_PLUS = "16_plus", "16 plus"
        SPECIAL = "special", "Special"
        ALTERNATIVE_PROVISION = "ap", "Alternative provision"

    class Type(models.TextChoices):
        CONVERTER = "converter", "Academy converter"
        SPONSOR_LED = "sponsor_led", "Academy sponsor led"
        FREE_SCHOOL = "free_school", "Free school"
        SPECIAL_CONVERTER = "special_converter", "Academy special converter"
        SPECIAL_SPONSOR_LED = "special_sponsor_led", "Academy special sponsor led"
        SPECIAL_FREE_SCHOOL = "special_free_school", "Free school special"
        AP_CONVERTER = "ap_converter", "Academy alternative provision converter"
        AP_SPONSOR_LED = "ap_sponsor_led", "Academy alternative provision sponsor led"
        AP_FREE_SCHOOL = "ap_free_school", "Free school alternative provision"
        STUDIO_UTC = "studio_utc", "Studio school or UTC"
        SIXTEEN_NINETEEN = "16_19", "Academy 16 to 19"

    class Status(models.TextChoices):
        JOINING = "joining", "Joining"
        OPEN = "open", "Open"
        LEFT = "left", "Left the trust"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="academies")
    urn = models.CharField(
        "URN", max_length=6, unique=True, validators=[urn_validator],
        help_text="Unique reference number: six digits, as in Get Information About Schools.",
    )
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    academy_type = models.CharField("type", max_length=30, choices=Type.choices)
    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.PROTECT, related_name="academies",
        help_text="Leave empty while an academy is joining and not yet placed in a hub.",
    )
    local_authority = models.CharField(max_length=100)
    la_code = models.CharField(
        "LA code", max_length=3, blank=True,
        validators=[RegexValidator(r"^[0-9]{3}\Z", "An LA code is three digits, for example 335.")],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    date_joined = models.DateField(
        null=True, blank=True,
        help_text="The day the academy joined the trust (or is due to, while joining).",
    )
    date_left = models.DateField(null=True, blank=True)
    predecessor_urns = models.JSONField(
        default=list, blank=True,
        help_text="URNs of the schools this academy replaced (GIAS links), nearest first: "
                  "their inspections and results carry over to it.",
    )
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AcademyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "academies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(urn__regex=r"^[0-9]{6}$"), name="academy_urn_six_digits"),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(date_left__isnull=False),
                name="academy_left_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(date_joined__isnull=False),
                name="academy_open_has_join_date",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    def get_absolute_url(self):
        return reverse("academies:detail", kwargs={"urn": self.urn})

    @property
    def access_academy(self):
        return self

    def clean(self):
        errors = {}
        if self.status == self.Status.OPEN and not self.date_joined:
            errors["date_joined"] = "An open academy needs the date it joined the trust."
        if self.status == self.Status.LEFT and not self.date_left:
            errors["date_left"] = "Give the date the academy left the trust."
        if self.status != self.Status.LEFT and self.date_left:
            errors["date_left"] = "Only an academy that has left the trust has a leaving date."
        if self.date_joined and self.date_left and self.date_left < self.date_joined:
            errors["date_left"] = "The leaving date is before the joining date."
        if (
            self.statutory_low_age is not None
            and self.statutory_high_age is not None
            and self.statutory_low_age > self.statutory_high_age
        ):
            errors["statutory_high_age"] = "The upper age is below the lower age."
        if self.hub_id and self.trust_id and self.hub.trust_id != self.trust_id:
            errors["hub"] = "That hub belongs to another trust."
        if errors:
            raise ValidationError(errors)
