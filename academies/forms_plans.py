"""Forms of the development plan pages. They validate; the services in academies/plans.py save.

Every choice of another row is limited to what the plan may use: a priority links only targets
of its own academy and year, so a forged target id fails validation.
"""

from django import forms
from django.utils import timezone

from trust.models import AcademicYear

from .models import PerformanceStandard, PlanAction, Priority, ProgressReview, StrategicAim
from .plans import parse_year, plannable_years, target_label, targets_for_plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def year_label(start_year):
    return AcademicYear(start_year=start_year).label


class PlanYearForm(forms.Form):
    """The year of the plan, chosen on the page and sent with a new priority. Only the current year,
    the next and the years the academy already has a plan for are offered (and accepted)."""

    # Free text checked in clean_year, so that a year not offered is told why.
    year = forms.CharField(label="Academic year", required=False, widget=forms.Select)

    def __init__(self, *args, academy, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = plannable_years(academy)
        self.fields["year"].widget.choices = [(year_label(y), year_label(y)) for y in self.years]

    def clean_year(self):
        start_year, error = parse_year(self.cleaned_data["year"])
        if error:
            raise forms.ValidationError(error)
        if start_year not in self.years:
            raise forms.ValidationError(f"There is no plan to show or write for {year_label(start_year)}.")
        return start_year

    @property
    def start_year(self):
        """The year asked for, or the current year when none (or a wrong one) was asked for."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return parse_year("")[0]


class TargetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, target):
        figure = target.measure.format(target.value)
        return f"{target_label(target)}: {figure} ({target.get_status_display()})"


class PriorityForm(forms.ModelForm):
    targets = TargetChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Targets this priority works towards",
        help_text="The academy's targets for the year. Once agreed by the Trust Board they are the "
                  "priority's success criteria.",
    )
    standards = forms.ModelMultipleChoiceField(
        queryset=PerformanceStandard.objects.order_by("order", "title"), required=False,
        widget=forms.CheckboxSelectMultiple, label="Performance standards",
    )
    aims = forms.ModelMultipleChoiceField(
        queryset=StrategicAim.objects.order_by("number"), required=False,
        widget=forms.CheckboxSelectMultiple, label="Strategic aims",
    )
    order = forms.IntegerField(
        label="Place in the plan", min_value=1, max_value=99, required=False,
        help_text="Leave empty to put a new priority last.",
    )

    class Meta:
        model = Priority
        fields = ["title", "theme", "description", "order", "targets", "standards", "aims"]
        labels = {"title": "Priority", "theme": "Theme"}
        help_texts = {
            "title": "One of the plan's few big moves, e.g. \"Every pupil reads fluently by Year 2\".",
            "theme": "Academies with the same theme can find each other on the common priorities page.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, academy, start_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = targets_for_plan(academy, start_year)


class ActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["title", "owner", "starts_on", "due_on", "milestones", "status"]
        labels = {"title": "Action", "starts_on": "Starts", "due_on": "Due"}
        widgets = {"starts_on": DATE, "due_on": DATE, "milestones": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", "The due date cannot be before the start date.")
        return data


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ProgressReview
        fields = ["reviewed_on", "rag", "commentary", "next_review"]
        labels = {"reviewed_on": "Date of the review", "rag": "Rating", "commentary": "What the review found",
                  "next_review": "Next review"}
        widgets = {"reviewed_on": DATE, "next_review": DATE, "rag": forms.RadioSelect,
                   "commentary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate
        self.fields["rag"].choices = [c for c in self.fields["rag"].choices if c[0]]

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A review cannot be dated in the future.")
        return day

    def clean(self):
        data = super().clean()
        day, following = data.get("reviewed_on"), data.get("next_review")
        if day and following and following <= day:
            self.add_error("next_review", "The next review must come after this one.")
        return data
