"""Forms of the tier decision pages. They validate what a person typed; the services in
tiers/services.py decide whether the step may be taken and save it.

Every choice of another row is limited to what the person may use: the board's proposals to
those in academies where the person records the board's decisions, the hubs to those of the
academies the person sees, so a forged identifier fails validation.
"""

from django import forms
from django.utils import timezone

from academies.forms_data import DATE
from academies.models import Academy, Measure
from trust.models import AcademicYear, Hub

from .models import Cadence, DescriptorArea, LedBy, SupportKind, TierAssignment, TierRule

FIRST_YEAR = 2000
TEXT = forms.Textarea(attrs={"rows": 3})
SHORT = forms.Textarea(attrs={"rows": 2})


def year_choices(extra=()):
    """Academic years to choose from: those the trust has, the current one and the next."""
    current = AcademicYear.start_year_for(timezone.localdate())
    years = set(AcademicYear.objects.values_list("start_year", flat=True)) | {current, current + 1}
    years |= set(extra)
    return [(y, f"{y}/{str(y + 1)[-2:]}") for y in sorted(years, reverse=True)]


def tier_choices(definitions):
    """(number, "Tier 2 Grow") for each tier, in the year's own wording."""
    named = {d.number: d.label for d in definitions}
    return [(n, named.get(n, f"Tier {n}")) for n in (1, 2, 3, 4)]


class YearField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Academic year")
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose one of the academic years offered."})
        super().__init__(choices=[], **kwargs)


class BoardFilterForm(forms.Form):
    """?year=&hub=&phase= on the board. A value that is not offered is an error on its field and
    is ignored; the others still apply."""

    year = YearField(required=False)
    hub = forms.ModelChoiceField(
        queryset=Hub.objects.none(), required=False, empty_label="Every hub", to_field_name="slug"
    )
    phase = forms.ChoiceField(required=False, choices=[("", "Every phase"), *Academy.Phase.choices])

    def __init__(self, data, *, academies):
        super().__init__(data)
        self.fields["year"].choices = year_choices()
        self.fields["hub"].queryset = Hub.objects.filter(pk__in=academies.values("hub_id")).order_by("name")

    @property
    def filters(self):
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, academies):
        filters = self.filters
        if "hub" in filters:
            academies = academies.filter(hub=filters["hub"])
        if "phase" in filters:
            academies = academies.filter(phase=filters["phase"])
        return academies


class MeetingFields(forms.Form):
    board_meeting = forms.DateField(
        label="Date of the Trust Board meeting",
        widget=DATE,
        error_messages={"required": "Give the date of the Trust Board meeting that decided."},
    )
    board_minute = forms.CharField(
        label="Minute reference",
        max_length=50,
        required=False,
        help_text="As in the board's minutes, for example TB/26/117.",
    )


class AgreeManyForm(MeetingFields):
    """The board agreeing several proposals at one meeting: all of them, or none."""

    assignments = forms.ModelMultipleChoiceField(
        queryset=TierAssignment.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick the proposals the board agreed.",
            "invalid_choice": "One of the ticked proposals is no longer waiting for the board: "
            "reload the page.",
        },
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignments"].queryset = assignments


class ProposalFields(forms.Form):
    tier = forms.TypedChoiceField(coerce=int, choices=[], label="Proposed tier")
    rationale = forms.CharField(
        widget=TEXT,
        help_text="Why this tier: what the evidence shows. The board reads it beside the evidence.",
        error_messages={"required": "Say why this tier: what the evidence shows."},
    )
    exceptional_reason = forms.CharField(
        label="Exceptional circumstances",
        widget=SHORT,
        required=False,
        help_text="The year already has an agreed tier, so this is a mid-year reclassification: "
        "record the exceptional circumstances that justify it.",
    )

    def __init__(self, *args, definitions, agreed_tier=None, **kwargs):
        """`agreed_tier`: the tier already agreed for the year, when this is a reclassification,
        which can only be to another tier."""
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [c for c in tier_choices(definitions) if c[0] != agreed_tier]
        if agreed_tier is None:
            del self.fields["exceptional_reason"]


class ProposeForm(ProposalFields):
    academic_year = YearField()
    field_order = ["academic_year", "tier", "rationale", "exceptional_reason"]

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = years


class EditProposalForm(ProposalFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AgreeForm(MeetingFields):
    effective_from = forms.DateField(
        label="Tier applies from",
        widget=DATE,
        required=False,
        help_text="Leave empty for the start of the year (or, for a reclassification, the meeting's day).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeclineForm(MeetingFields):
    reason = forms.CharField(
        label="Why the board declined",
        widget=SHORT,
        error_messages={
            "required": "Say why the board declined the proposal, so the proposer can act on it."
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why the proposal is withdrawn",
        widget=SHORT,
        error_messages={"required": "Say why the proposal is withdrawn."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DefinitionForm(forms.Form):
    name = forms.CharField(max_length=40, help_text="One word the trust uses for the tier, e.g. Lead.")
    led_by = forms.ChoiceField(label="Who leads improvement", choices=LedBy.choices)
    summary = forms.CharField(
        widget=TEXT, required=False, help_text="A sentence or two on what the tier means."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DescriptorForm(forms.Form):
    area = forms.ChoiceField(choices=[("", "Choose an area"), *DescriptorArea.choices], required=False)
    text = forms.CharField(label="What it looks like", widget=SHORT, required=False)

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip() and not data.get("area"):
            self.add_error("area", "Choose the area this descriptor belongs to.")
        return data


class EntitlementForm(forms.Form):
    kind = forms.ChoiceField(label="Support", choices=[("", "Choose"), *SupportKind.choices], required=False)
    cadence = forms.ChoiceField(label="How often", choices=[("", "Choose"), *Cadence.choices], required=False)
    description = forms.CharField(label="What the academy can expect", widget=SHORT, required=False)

    def clean(self):
        data = super().clean()
        given = [name for name in ("kind", "cadence", "description") if str(data.get(name, "")).strip()]
        if given:
            for name, message in [
                ("kind", "Choose the kind of support."),
                ("cadence", "Choose how often it is given."),
                ("description", "Say what the academy can expect."),
            ]:
                if name not in given:
                    self.add_error(name, message)
        return data


DescriptorFormSet = forms.formset_factory(DescriptorForm, extra=2, can_delete=True)
EntitlementFormSet = forms.formset_factory(EntitlementForm, extra=1, can_delete=True)


def kept_rows(formset, fields, required):
    """The rows of a valid formset that are kept: not deleted and with `required` filled in."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not str(data.get(required, "")).strip():
            continue
        rows.append(tuple(data[name] for name in fields))
    return rows


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.get_category_display()}: {measure.label}"


class RuleForm(forms.ModelForm):
    """One rule of the engine. The model's own validation (a measure rule needs a measure that is
    better higher or lower, thresholds in order) is shown at its field."""

    measure = MeasureChoiceField(
        queryset=Measure.objects.order_by("category", "order", "label"),
        required=False,
        empty_label="None (not a measure rule)",
        help_text="For a measure rule: the figure compared with national.",
    )

    class Meta:
        model = TierRule
        fields = [
            "name", "kind", "active", "weight", "decisive", "measure", "pupil_group", "year_group",
            "subject", "lead_from", "grow_from", "reinvent_from", "use_trend", "trend_margin",
            "max_age_months", "order",
        ]
        labels = {
            "name": "Name of the rule",
            "kind": "What the rule reads",
            "active": "Active: the rule counts in every recommendation",
            "decisive": "Decisive: tier 4 from this rule means tier 4 whatever else is true",
            "lead_from": "Tier 1 from",
            "grow_from": "Tier 2 from",
            "reinvent_from": "Tier 3 from",
            "use_trend": "Take the trend into account",
            "max_age_months": "Oldest evidence read (months)",
            "order": "Position in the list",
        }
