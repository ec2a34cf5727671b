"""The form a link governor records a visit with. It validates; healthchecks.services saves.

The priority is chosen only from the academy's own development-plan priorities, so a forged
priority of another academy fails validation here (and the service refuses it again).
"""

from django import forms
from django.utils import timezone

from academies.models import Priority

from .models import GovernorVisit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def priorities_for(academy):
    """The academy's development-plan priorities, the latest year's first."""
    return (
        Priority.objects.filter(plan__academy=academy)
        .select_related("plan__academic_year")
        .order_by("-plan__academic_year__start_year", "order", "pk")
    )


class PriorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, priority):
        return f"{priority.plan.academic_year}: {priority.title}"


class VisitForm(forms.ModelForm):
    priority = PriorityChoiceField(
        queryset=Priority.objects.none(),
        required=False,
        empty_label="None: the visit followed up no priority",
        label="Development-plan priority",
        help_text="The priority of the academy's plan the visit followed up, if any.",
        error_messages={"invalid_choice": "Choose one of this academy's development-plan priorities."},
    )

    class Meta:
        model = GovernorVisit
        fields = ["visited_on", "focus", "priority", "notes"]
        labels = {
            "visited_on": "Date of the visit",
            "focus": "Focus of the visit",
            "notes": "What you saw and asked",
        }
        help_texts = {
            "focus": "What the visit looked at, e.g. \u201cPhonics in Year 1\u201d.",
            "notes": "What you saw, who you spoke to, the questions you asked and what to follow up. "
            "Do not name pupils.",
        }
        widgets = {"visited_on": DATE, "notes": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "visited_on": {"required": "Give the date of the visit."},
            "focus": {"required": "Say what the visit looked at."},
            "notes": {"required": "Write what you saw and asked."},
        }

    def __init__(self, *args, academy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities_for(academy)
        if not self.instance.pk:
            self.fields["visited_on"].initial = timezone.localdate

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A visit cannot be dated in the future.")
        return day


def show_refusal(form, error):
    """Show the service's refusal (a ValidationError) on the form, by field where it can."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
    return form
