"""Forms of the targets pages: choosing a year, adding and editing a target, and each step of
the workflow (propose, the LGB's review, return to draft, the board's decision, an amendment).

Every choice of a related row is restricted: measures to those a target can be set on for the
academy's phase, the board's targets to those the person may agree.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from trust.access import scope_for
from trust.models import AcademicYear, Hub

from .forms_data import DATE, ResultFilterForm
from .models import Academy, Measure, PerformanceStandard, PupilGroup, Target
from .models.results import Subject, YearGroup

S = Target.Status


def year_of(start_year):
    """The AcademicYear starting in `start_year`, with its terms, made on first use."""
    return AcademicYear.for_date(datetime.date(start_year, 9, 1))


def settable_years(today=None):
    """Targets are set for this academic year or, from the summer, for the next."""
    start = AcademicYear.start_year_for(today or timezone.localdate())
    return [start, start + 1]


def year_label(start_year):
    return f"{start_year}/{str(start_year + 1)[-2:]}"


def measures_for(academy, keep=None):
    """The measures a target can be set on at `academy`: those that apply to its phase and
    have a better direction (a context figure such as the share of pupils with EAL is not a
    target). `keep` is a measure to offer anyway: the one an existing target already has."""
    ids = [measure.pk for measure in Measure.objects.all()
           if measure.applies_to(academy.phase) and measure.higher_is_better is not None]
    if keep is not None:
        ids.append(keep.pk)
    return Measure.objects.filter(pk__in=ids).order_by("category", "order", "label")


@dataclass(frozen=True)
class Steps:
    """What one person may do to one academy's targets, and so which buttons to show. The
    services decide; this mirrors them so that nobody is offered a step they would be refused."""

    edit: bool
    review: bool
    agree: bool
    amend: bool

    @classmethod
    def of(cls, user, academy):
        scope = scope_for(user)
        return cls(*(scope.can(f"target.{step}", academy) for step in ("edit", "review", "agree", "amend")))

    @property
    def may_return(self):
        return self.edit or self.review or self.agree

    def for_target(self, target):
        status = target.status
        return {
            "edit": self.edit and status == S.DRAFT,
            "propose": self.edit and status == S.DRAFT,
            "review": self.review and status == S.PROPOSED,
            "return": ((status == S.PROPOSED and (self.review or self.edit))
                       or (status == S.REVIEWED and self.agree)),
            "agree": self.agree and status == S.REVIEWED,
            "amend": self.amend and status == S.AGREED,
        }


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.get_category_display()}: {measure.label}"


class YearForm(forms.Form):
    """?year=2025/26 on the targets page; the current year when absent or unreadable."""

    year = forms.CharField(label="Year", required=False, widget=forms.Select(choices=[]))

    def offer_years(self, years):
        self.fields["year"].widget.choices = [(year_label(y), year_label(y)) for y in years]

    clean_year = ResultFilterForm.clean_year  # "2025/26" -> 2025, or the reason it is not a year

    def start_year(self, default):
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return default


class TargetForm(forms.Form):
    """A new target, or a change to a draft (without the year, which a target keeps)."""

    academic_year = forms.TypedChoiceField(label="Academic year", coerce=int, choices=[])
    measure = MeasureChoiceField(queryset=Measure.objects.none(), empty_label="Choose a measure")
    pupil_group = forms.ChoiceField(label="Pupil group", choices=PupilGroup.choices, initial=PupilGroup.ALL)
    year_group = forms.ChoiceField(label="Year group or key stage", choices=YearGroup.choices, required=False)
    subject = forms.ChoiceField(choices=Subject.choices, required=False)
    value = forms.DecimalField(label="Target", max_digits=10, decimal_places=2)
    standard = forms.ModelChoiceField(
        label="Performance standard it serves", queryset=PerformanceStandard.objects.all(), required=False,
        empty_label="None",
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text="Why this value: challenging but achievable.")

    DIMENSIONS = ("measure", "pupil_group", "year_group", "subject")

    def __init__(self, *args, academy, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy, self.target = academy, target
        self.fields["measure"].queryset = measures_for(academy, keep=target.measure if target else None)
        if target is not None:
            del self.fields["academic_year"]
        else:
            self.fields["academic_year"].choices = [(y, year_label(y)) for y in settable_years()]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year = self.target.academic_year if self.target else year_of(data["academic_year"])
        same = Target.objects.filter(academy=self.academy, academic_year=year,
                                     **{name: data[name] for name in self.DIMENSIONS})
        if self.target is not None:
            same = same.exclude(pk=self.target.pk)
        if same.exists():
            raise forms.ValidationError(
                f"{self.academy.name} already has a target for this measure, pupil group, year group "
                f"and subject in {year}: change that one instead."
            )
        if self.target is None:
            data["academic_year"] = year
        return data

    def dimensions(self):
        """The measure, group, year group and subject as far as they are given and valid, for
        the suggestions (read without validating the rest of the form)."""
        found = {}
        for name in ("academic_year", *self.DIMENSIONS):
            field = self.fields.get(name)
            if field is None:
                continue
            try:
                found[name] = field.clean(field.widget.value_from_datadict(self.data, self.files,
                                                                          self.add_prefix(name)))
            except forms.ValidationError:
                found[name] = None
        return found

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("academic_year", None)
        return data


class ReviewForm(forms.Form):
    comments = forms.CharField(
        label="The LGB's comments", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the local governing board discussed and concluded, for the Trust Board.",
        error_messages={"required": "Record the LGB's comments on the target."},
    )


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label="Why it goes back to draft", widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the target goes back to draft."},
    )


class AgreeForm(forms.Form):
    meeting = forms.DateField(label="Date of the Trust Board meeting", widget=DATE,
                              error_messages={"required": "Give the date of the board meeting."})
    minute = forms.CharField(label="Minute reference", max_length=50, required=False,
                             help_text="As in the board's minutes, for example TB 24/10 item 6.")


class AmendForm(forms.Form):
    value = forms.DecimalField(label="Target", max_digits=10, decimal_places=2)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(
        label="Reason for the change", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the target's history with who made the change and when.",
        error_messages={"required": "A change to an agreed target needs a reason."},
    )


class BoardFilterForm(forms.Form):
    hub = forms.ModelChoiceField(queryset=Hub.objects.none(), required=False, empty_label="All hubs",
                                 to_field_name="slug")
    academy = forms.ModelChoiceField(queryset=Academy.objects.none(), required=False,
                                     empty_label="All academies", to_field_name="urn")
    year = forms.CharField(label="Year", required=False, widget=forms.Select(choices=[]))

    def __init__(self, *args, academies, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies.order_by("name")
        self.fields["hub"].queryset = Hub.objects.filter(pk__in=academies.values("hub_id")).order_by("name")
        self.fields["year"].widget.choices = [("", "All years"),
                                              *((year_label(y), year_label(y)) for y in years)]

    clean_year = ResultFilterForm.clean_year

    def apply(self, targets):
        if not self.is_valid():
            return targets
        data = self.cleaned_data
        if data["hub"]:
            targets = targets.filter(academy__hub=data["hub"])
        if data["academy"]:
            targets = targets.filter(academy=data["academy"])
        if data["year"]:
            targets = targets.filter(academic_year__start_year=data["year"])
        return targets


class BoardAgreeForm(AgreeForm):
    """The board's decision on many targets at once. The choices are every target the person
    may agree, whatever its state now: one agreed by someone else since the page was read is
    reported as refused, with the reason, rather than failing the whole decision."""

    targets = forms.ModelMultipleChoiceField(
        queryset=Target.objects.none(), to_field_name="uuid", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the targets the board agreed."},
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = targets


def add_errors(form, error):
    """Show a refused step (a WorkflowError, or the model's own validation) on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
    return form

