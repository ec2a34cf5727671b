"""Forms of the performance-data pages: result filters, the SEF, inspection dates, measures."""

from django import forms
from django.utils import timezone

from .models import Academy, Inspection, Measure, PupilGroup, SEFJudgement
from .models.ofsted import FIVE_POINT, FOUR_POINT, FRAMEWORK_AREAS, Area
from .models.results import Source
from .selectors import SCALE_LABELS, parse_year_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultFilterForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Measure.Category.choices], required=False
    )
    group = forms.ChoiceField(
        label="Pupil group", choices=[("", "All pupil groups"), *PupilGroup.choices], required=False
    )
    # The years offered are the academy's own, known only once its results are read: the view
    # fills in the choices; any year written as 2024/25 is accepted here.
    year = forms.CharField(label="Year", required=False, widget=forms.Select(choices=[]))
    source = forms.ChoiceField(choices=[("", "All sources"), *Source.choices], required=False)

    def clean_year(self):
        text = self.cleaned_data["year"]
        if not text:
            return None
        try:
            return parse_year_label(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def offer_years(self, years):
        self.fields["year"].widget.choices = [("", "Latest"), *((y.label, y.label) for y in years)]

    @property
    def filters(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"category": data["category"], "group": data["group"], "year": data["year"],
                "source": data["source"]}


GRADE_CHOICES = [
    ("", "Choose a grade"),
    ("Four-point (to November 2025)", [(k, f"{v} ({k})") for k, v in FOUR_POINT.items()]),
    ("Report card (from November 2025)", list(FIVE_POINT.items())),
]


def _area_choices():
    groups = [(f"{SCALE_LABELS[scale].capitalize()} areas", [(a.value, a.label) for a in areas])
              for scale, areas in FRAMEWORK_AREAS.items()]
    return [("", "Choose an area"), *groups]


class SEFForm(forms.ModelForm):
    """One self-evaluation judgement, on the scale of the framework it evaluates against. The
    model checks that the grade and the area belong to that scale."""

    grade = forms.ChoiceField(choices=GRADE_CHOICES)

    class Meta:
        model = SEFJudgement
        fields = ["area", "scale", "grade", "judged_on", "rationale"]
        labels = {"judged_on": "Date of the judgement"}
        widgets = {"judged_on": DATE, "rationale": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, academy, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy = academy
        self.instance.academy = academy
        self.fields["area"].choices = _area_choices()
        self.fields["area"].help_text = (
            "Early years is judged on both scales; the other areas belong to one framework."
        )

    def clean_judged_on(self):
        day = self.cleaned_data["judged_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A self-evaluation cannot be dated in the future.")
        return day

    def clean(self):
        data = super().clean()
        area, day = data.get("area"), data.get("judged_on")
        if area and day and SEFJudgement.objects.filter(
            academy=self.academy, area=area, judged_on=day
        ).exists():
            self.add_error(
                "judged_on",
                f"{Area(area).label} already has a self-evaluation dated {day:%-d %B %Y}: "
                "give this one its own date.",
            )
        return data


class NextDueForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["next_due_override"]
        labels = {"next_due_override": "Next inspection due"}
        help_texts = {"next_due_override": "Leave empty to use the computed date."}
        widgets = {"next_due_override": DATE}

    def clean_next_due_override(self):
        day = self.cleaned_data["next_due_override"]
        if day and day <= self.instance.start_date:
            raise forms.ValidationError(
                f"The next inspection is due after this one ({self.instance.start_date:%-d %B %Y})."
            )
        return day


HIGHER_CHOICES = [("true", "Higher is better"), ("false", "Lower is better"),
                  ("", "Neither (a context figure)")]


def _to_bool(value):
    return {"true": True, "false": False}.get(value)


class MeasureForm(forms.ModelForm):
    """A measure the trust adds for itself. Seeded measures are kept up to date by code and are
    not edited here."""

    higher_is_better = forms.TypedChoiceField(
        label="Direction", choices=HIGHER_CHOICES, coerce=_to_bool, empty_value=None, required=False,
        widget=forms.RadioSelect,
    )
    phases = forms.MultipleChoiceField(
        choices=Academy.Phase.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked when the measure applies to every phase.",
    )
    decimal_places = forms.IntegerField(min_value=0, max_value=4, initial=0)

    class Meta:
        model = Measure
        fields = ["code", "label", "category", "unit", "higher_is_better", "phases", "decimal_places",
                  "description"]
        help_texts = {"code": "Lower-case letters, digits and underscores, for example reading_age_gap. "
                              "Files and the API name the measure by it; it cannot change later."}
        error_messages = {"code": {"unique": "A measure with this code already exists: choose another."}}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower().replace("-", "_")

    def save(self, commit=True):
        self.instance.trust_defined = True
        self.instance.order = 1000  # after the seeded measures of its category
        return super().save(commit)
