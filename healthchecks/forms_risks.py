"""Forms of the risk register pages. They validate; the services in healthchecks/risks.py save.

Every choice of another row is limited to what the person may use: a new risk can be raised
only for an academy where the person may change risks (and for the trust as a whole only by
trust-wide staff), so a forged academy id fails validation; the register's filters offer only
academies and people within the person's scope.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone

from academies.forms_data import DATE
from academies.models import Academy, Measure
from trust.access import scope_for
from trust.models import HUB_ROLES, TRUST_ROLES, Hub, User

from . import selectors
from .models import Category, RiskRule, Visibility
from .models.risks import IMPACT, LIKELIHOOD, RAG, Frequency
from .pages import not_after_today
from .risks import can_see

TRUST_CHOICE = (selectors.TRUST_LEVEL, "The trust as a whole (no academy)")
STATUS_CHOICES = [("open", "Open"), ("closed", "Closed"), (selectors.ALL_STATUSES, "Open and closed")]
OWNER_HELP = "Someone who can see the risk: a trust-only risk needs someone at the trust."


def person_label(user):
    return f"{user.full_name or user.email}" + (f", {user.job_title}" if user.job_title else "")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return person_label(user)


def people_who_see(academies):
    """Active people who can see risks about at least one of `academies` (and the trust's own
    staff, who see every risk)."""
    academies = list(academies)
    reach = Q(memberships__role__in=sorted(TRUST_ROLES), memberships__hub=None, memberships__academy=None)
    hubs = sorted({a.hub_id for a in academies if a.hub_id})
    if hubs:
        reach |= Q(memberships__role__in=sorted(HUB_ROLES), memberships__hub_id__in=hubs)
    if academies:
        reach |= Q(memberships__academy_id__in=[a.pk for a in academies])
    ids = User.objects.filter(reach, is_active=True).values("pk")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")


def _scale(labels):
    return [(number, f"{number}: {label}") for number, label in sorted(labels.items())]


class RegisterFilterForm(forms.Form):
    """The register's filters (?academy=&hub=&category=...). A value the person may not use (an
    academy outside their scope, a sort that does not exist) is an error on its field and is
    ignored; the other filters still apply."""

    q = forms.CharField(label="Search titles and descriptions", required=False, max_length=100)
    academy = forms.ChoiceField(label="Academy", required=False)
    hub = forms.ModelChoiceField(label="Hub", queryset=Hub.objects.none(), required=False,
                                 empty_label="Every hub")
    category = forms.ChoiceField(label="Category", required=False,
                                 choices=[("", "Every category"), *Category.choices])
    rag = forms.ChoiceField(label="RAG rating", required=False, choices=[("", "Red, amber and green"),
                                                                         *RAG.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    visibility = forms.ChoiceField(label="Visibility", required=False,
                                   choices=[("", "Shared and trust only"), *Visibility.choices])
    owner = PersonChoiceField(label="Owner", queryset=User.objects.none(), required=False,
                              empty_label="Anyone")
    overdue = forms.BooleanField(label="Overdue reviews only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=[(key, label) for key, (label, _) in selectors.SORTS.items()])

    def __init__(self, data, *, user, risks):
        super().__init__(data)
        self.academies = {a.urn: a for a in Academy.objects.visible_to(user).order_by("name")}
        choices = [("", "Every academy")]
        if scope_for(user).trust_wide:
            choices.append(TRUST_CHOICE)
        self.fields["academy"].choices = choices + [(urn, a.name) for urn, a in self.academies.items()]
        self.fields["hub"].queryset = Hub.objects.filter(
            pk__in=sorted({a.hub_id for a in self.academies.values() if a.hub_id})
        ).order_by("name")
        self.fields["owner"].queryset = User.objects.filter(
            pk__in=risks.order_by().filter(owner__isnull=False).values("owner_id")
        ).order_by("full_name", "email")

    def clean_academy(self):
        value = self.cleaned_data["academy"]
        if value in ("", selectors.TRUST_LEVEL):
            return value
        return self.academies[value]

    @property
    def filters(self):
        """The valid filters (an invalid one is left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}

    @property
    def active(self):
        """Whether the person narrowed the register (beyond the default: open risks, by score)."""
        return any(not (name == "sort" or (name == "status" and value == "open"))
                   for name, value in self.filters.items())


class RiskForm(forms.Form):
    """A new risk (with its academy), or a change to one (with the reason for the change and the
    version it was made from)."""

    academy = forms.ChoiceField(label="Who the risk is about")
    category = forms.ChoiceField(choices=Category.choices)
    title = forms.CharField(max_length=200, help_text="The risk in a line, as the board will read it.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="What could happen, why, and what it would affect.")
    likelihood = forms.TypedChoiceField(coerce=int, choices=_scale(LIKELIHOOD),
                                        help_text="How likely it is to happen, from 1 (rare) to 5.")
    impact = forms.TypedChoiceField(coerce=int, choices=_scale(IMPACT),
                                    help_text="How serious it would be, from 1 (negligible) to 5.")
    owner = PersonChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner yet",
                              help_text=OWNER_HELP)
    mitigations = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  help_text="What is being done to reduce it.")
    review_frequency = forms.ChoiceField(label="Review", choices=Frequency.choices, initial=Frequency.MONTHLY)
    next_review_on = forms.DateField(label="Next review", widget=DATE, required=False,
                                     help_text="Leave empty for one review period from today.")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.SHARED,
                                   widget=forms.RadioSelect,
                                   help_text="A trust-only risk is never shown to the academy's staff or "
                                             "governors. A risk to the trust as a whole is always trust "
                                             "only.")
    reason = forms.CharField(label="Why it is raised now", widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, help_text="Kept in the risk's history.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, risk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.risk = user, risk
        if risk is None:
            self.academies = {
                a.urn: a for a in Academy.objects.permitting(user, "risk.change").select_related("hub")
                .order_by("name")
            }
            choices = [TRUST_CHOICE] if scope_for(user).can("risk.change", None) else []
            self.fields["academy"].choices = [("", "Choose"), *choices,
                                              *((urn, a.name) for urn, a in self.academies.items())]
            self.fields["owner"].queryset = people_who_see(self.academies.values())
            del self.fields["version"]
        else:
            del self.fields["academy"]
            self.fields["owner"].queryset = people_who_see([risk.academy] if risk.academy_id else [])
            self.fields["next_review_on"].required = True
            self.fields["next_review_on"].help_text = ""
            self.fields["reason"].required = True
            self.fields["reason"].label = "Reason for the change"
            self.fields["reason"].help_text = "Required: kept in the risk's history with what changed."
            if risk.academy_id is None:
                self.fields["visibility"].choices = [(Visibility.TRUST_ONLY, Visibility.TRUST_ONLY.label)]
        self.fields["reason"].error_messages["required"] = (
            "Say why the risk is changing: it goes in its history."
        )

    @classmethod
    def initial_for(cls, risk):
        fields = ("category", "title", "description", "likelihood", "impact", "owner", "mitigations",
                  "review_frequency", "next_review_on", "visibility", "version")
        return {name: getattr(risk, name + ("_id" if name == "owner" else "")) for name in fields}

    def clean_academy(self):
        value = self.cleaned_data["academy"]
        return None if value == selectors.TRUST_LEVEL else self.academies[value]

    def clean_next_review_on(self):
        day = self.cleaned_data["next_review_on"]
        unchanged = self.risk is not None and day == self.risk.next_review_on
        if day and not unchanged and day < timezone.localdate():
            raise forms.ValidationError("The next review cannot be in the past.")
        return day

    @property
    def chosen_academy(self):
        """The academy the risk is about (None: the trust as a whole)."""
        if self.risk is not None:
            return self.risk.academy
        return self.cleaned_data.get("academy")

    def clean(self):
        data = super().clean()
        if self.risk is None and "academy" not in data:
            return data
        academy = self.chosen_academy
        if academy is None:
            data["visibility"] = Visibility.TRUST_ONLY
        owner = data.get("owner")
        if owner is not None and data.get("visibility") and not can_see(owner, academy, data["visibility"]):
            self.add_error("owner", f"{person_label(owner)} cannot see this risk. {OWNER_HELP}")
        return data

    def service_fields(self):
        """What the services take: the risk's own fields (not the academy, reason or version)."""
        data = dict(self.cleaned_data)
        for name in ("academy", "reason", "version"):
            data.pop(name, None)
        return data


class ReviewForm(forms.Form):
    commentary = forms.CharField(label="What the review found", widget=forms.Textarea(attrs={"rows": 3}))
    reviewed_on = forms.DateField(label="Date of the review", widget=DATE, required=False,
                                  help_text="Leave empty for today.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_reviewed_on(self):
        return not_after_today(self.cleaned_data["reviewed_on"], "A review cannot be in the future.")


class CloseForm(forms.Form):
    reason = forms.CharField(label="Why the risk is closed", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why the risk is reopened", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.get_category_display()}: {measure.label}"


class RuleForm(forms.ModelForm):
    """A risk rule. The model's own validation (a measure rule needs a measure that is better
    higher or lower) is shown at its field."""

    measure = MeasureChoiceField(
        queryset=Measure.objects.filter(higher_is_better__isnull=False).order_by("category", "order",
                                                                                  "label"),
        required=False,
        empty_label="None (not a measure rule)",
        help_text="For a measure rule: the figure to watch. Context figures, neither better nor worse "
                  "when higher, cannot be watched.",
        error_messages={
            "invalid_choice": "Choose one of the measures offered: a measure that is better higher or "
                              "lower, not context.",
        },
    )

    class Meta:
        model = RiskRule
        fields = ["name", "kind", "active", "measure", "pupil_group", "margin", "periods", "termly",
                  "category", "likelihood", "impact", "visibility", "review_frequency"]
        labels = {
            "name": "Name of the rule",
            "kind": "What the rule watches",
            "active": "Active: the rule runs and raises risks",
            "margin": "Margin worse than national",
            "periods": "Periods running",
            "termly": "Termly figures",
            "category": "Category of the risks it raises",
            "likelihood": "Likelihood of the risks it raises",
            "impact": "Impact of the risks it raises",
            "visibility": "Visibility of the risks it raises",
            "review_frequency": "Review of the risks it raises",
        }
        widgets = {"visibility": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].choices = _scale(LIKELIHOOD)
        self.fields["impact"].choices = _scale(IMPACT)


class BoardForm(forms.Form):
    """?since= on the board view: the date from which changes and closures are shown."""

    since = forms.DateField(label="Changes since", widget=DATE, required=False)

    def __init__(self, data, *, default):
        super().__init__(data)
        self.default = default
        self.fields["since"].initial = default

    def clean_since(self):
        return not_after_today(self.cleaned_data["since"], "Choose a date that is not in the future.")

    @property
    def day(self):
        """The date asked for, or the default when none (or a wrong one) was asked for."""
        if self.is_valid() and self.cleaned_data["since"]:
            return self.cleaned_data["since"]
        return self.default
