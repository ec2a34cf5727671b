"""Forms of the support pages. They validate; tiers.services saves (capacity offers, which have
no workflow, are saved by their form once the view has checked capacity.change).

Choices of another row are limited to what the person may use: an offer's provider is an
academy of the trust; the overview's hub filter offers only hubs within the person's scope.
"""

from django import forms
from django.core.validators import MinValueValidator

from academies.forms_data import DATE
from academies.models import Academy

from .models import BaselineAssessment, CapacityOffer, SupportKind

TIER_FILTER = [("", "Any tier"), ("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3"), ("4", "Tier 4"),
               ("none", "No agreed tier")]


class SupportLogForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of support", choices=[("", "Choose…"), *SupportKind.choices])
    held_on = forms.DateField(
        label="Date given", widget=DATE, help_text="The day the support took place (not in the future)."
    )
    led_by = forms.CharField(
        label="Led by", max_length=150, required=False, help_text="Who gave the support: a name or a role."
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was covered and agreed. No pupil names.",
    )


class OverviewFilterForm(forms.Form):
    """?hub=<slug>&tier=1..4|none. A value that cannot be used is an error and is ignored."""

    hub = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug", empty_label="Every hub")
    tier = forms.ChoiceField(choices=TIER_FILTER, required=False)

    def __init__(self, data, *, hubs):
        super().__init__(data)
        self.fields["hub"].queryset = hubs

    @property
    def filters(self):
        if not self.is_valid():
            return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return self.cleaned_data


class ProviderField(forms.ModelChoiceField):
    def label_from_instance(self, academy):
        return f"{academy.name} ({academy.urn})"


class CapacityOfferForm(forms.ModelForm):
    provider = ProviderField(
        queryset=Academy.objects.none(), required=False, empty_label="Trust central team",
        help_text="The academy that offers the support, or the trust's central team.",
    )
    days_available = forms.DecimalField(
        label="Days available this year", max_digits=5, decimal_places=1,
        validators=[MinValueValidator(0, "Days available cannot be negative: give 0 or more.")],
        help_text="Days of support the provider can give this year, in half days if need be (e.g. 4.5).",
    )

    class Meta:
        model = CapacityOffer
        fields = ["provider", "theme", "expertise", "days_available", "contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"theme": "Area of expertise", "expertise": "What is offered", "contact": "Contact"}
        help_texts = {"contact": "Who to ask, e.g. a name and email address."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        academies = Academy.objects.exclude(status=Academy.Status.LEFT)
        self.fields["provider"].queryset = academies.order_by("name")


class BaselineForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BaselineAssessment
        fields = [
            "assessed_on", "data_commentary", "improvement_plan_review", "sef_review", "curriculum",
            "curriculum_commentary", "capacity", "proposed_tier", "rationale",
        ]
        widgets = {
            "assessed_on": DATE,
            "proposed_tier": forms.Select(choices=[(n, f"Tier {n}") for n in (1, 2, 3, 4)]),
            **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                "data_commentary", "improvement_plan_review", "sef_review", "curriculum_commentary",
                "rationale",
            )},
        }
        labels = {
            "assessed_on": "Date of the baseline",
            "sef_review": "Self-evaluation review",
            "curriculum": "Curriculum",
            "capacity": "Capacity",
            "proposed_tier": "Proposed first tier",
            "rationale": "Why this tier",
        }

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
