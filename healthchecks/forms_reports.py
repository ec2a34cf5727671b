"""Forms of the health-check report pages. They validate what a person typed; the services in
healthchecks/services.py decide who may do what and save.

Every choice of a person is limited to those the services would accept: the lead reviewer to
people who file health checks for the academy, an action's owner to people who work with it.
"""

from django import forms

from academies.forms_data import DATE
from academies.models import Academy
from academies.models.ofsted import FIVE_POINT
from trust.access import ACTIONS
from trust.models import Role, User
from trust.notifications import people_with_roles

from .models import Action, HealthCheck, LeadershipQA
from .models.reports import AREAS
from .pages import not_after_today
from .services import EDITABLE

S = HealthCheck.Status
TEXTAREA = forms.Textarea(attrs={"rows": 3})
GRADE_CHOICES = [("", "Not judged"), *FIVE_POINT.items()]
NOT_ON_SCALE = (
    "Choose a grade on the report-card scale (from exceptional to urgent improvement), or leave the "
    "area not judged."
)


def reviewers_for(academy):
    """People who may lead a health check of `academy`: the trust-wide School Improvement
    Executive Lead and executives, and the academy's hub lead."""
    return people_with_roles(ACTIONS["healthcheck.file"], academy=academy).order_by("full_name", "email")


def owners_for(academy):
    """People who work with `academy` (any role that covers it): who may own an action."""
    return people_with_roles(set(Role), academy=academy).order_by("full_name", "email")


def person_label(user):
    return user.full_name or user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return person_label(user)


def grade_field(area):
    return f"grade_{area}"


def commentary_field(area):
    return f"commentary_{area}"


class HealthCheckForm(forms.Form):
    """A report: the visit, the judgement of each report-card area, leadership QA and the key
    findings. Its recommendations are the RecommendationFormSet beside it."""

    kind = forms.ChoiceField(label="Kind of health check", choices=HealthCheck.Kind.choices,
                             initial=HealthCheck.Kind.ANNUAL)
    visit_start = forms.DateField(label="First day of the visit", widget=DATE)
    visit_end = forms.DateField(label="Last day of the visit", widget=DATE, required=False,
                                help_text="Leave empty for a one-day visit.")
    lead_reviewer = PersonChoiceField(
        label="Lead reviewer", queryset=User.objects.none(), empty_label=None,
        help_text="The School Improvement Executive Lead, an executive, or the academy's hub lead.",
    )
    commissioned_expert = forms.CharField(
        label="Commissioned expert", max_length=200, required=False,
        help_text="Any subject or educational expert the trust commissioned, with their specialism.",
    )
    focus_areas = forms.CharField(label="Focus areas", widget=TEXTAREA, required=False,
                                  help_text="What the visit looked at, one area a line.")
    safeguarding = forms.ChoiceField(label="Safeguarding", choices=HealthCheck.Safeguarding.choices,
                                     required=False, widget=forms.RadioSelect)
    leadership_qa = forms.ChoiceField(
        label="Leadership judgement quality assurance",
        choices=[("", "Not given"), *LeadershipQA.choices], required=False, widget=forms.RadioSelect,
        help_text="Whether the reviewer agrees with the academy's self-evaluation of its leadership.",
    )
    leadership_qa_reasons = forms.CharField(label="Reasons", widget=TEXTAREA, required=False)
    key_findings = forms.CharField(
        label="Key findings", widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text="Needed before the report goes to the headteacher for the factual-accuracy check.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, academy, by, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy, self.report = academy, report
        reviewers = reviewers_for(academy)
        if report is not None:
            # The reviewer the report has stays on offer, even if their role has since changed.
            reviewers = reviewers | User.objects.filter(pk=report.lead_reviewer_id)
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = (
                "The page was sent without the version of the report: reload it and make your changes again."
            )
        else:
            del self.fields["version"]
            self.fields["lead_reviewer"].initial = by.pk
        self.fields["lead_reviewer"].queryset = reviewers.distinct().order_by("full_name", "email")
        for area in AREAS:
            self.fields[grade_field(area.value)] = forms.ChoiceField(
                label=f"{area.label}: grade", choices=GRADE_CHOICES, required=False,
                error_messages={"invalid_choice": NOT_ON_SCALE},
            )
            self.fields[commentary_field(area.value)] = forms.CharField(
                label=f"{area.label}: commentary", widget=TEXTAREA, required=False,
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("visit_start"), data.get("visit_end")
        if start and end and end < start:
            self.add_error("visit_end", "The visit cannot end before it starts.")
        for area in AREAS:
            grade, commentary = grade_field(area.value), commentary_field(area.value)
            if data.get(commentary, "").strip() and not data.get(grade) and grade not in self.errors:
                self.add_error(grade, f"Choose a grade for {area.label.lower()}, or clear its commentary.")
        if data.get("leadership_qa") in (LeadershipQA.PARTLY, LeadershipQA.DISAGREES) and not data.get(
            "leadership_qa_reasons", ""
        ).strip():
            self.add_error("leadership_qa_reasons", "Give the reasons the reviewer does not fully agree "
                                                    "with the academy's self-evaluation of leadership.")
        return data

    def area_rows(self, sef=None):
        """(area label, grade field, commentary field, the academy's self-evaluation of it) for each
        report-card area, in the framework's order."""
        sef = sef or {}
        return [
            (area.label, self[grade_field(area.value)], self[commentary_field(area.value)],
             sef.get(area.value))
            for area in AREAS
        ]

    def judgements(self):
        """(area, grade, commentary) of each area given a grade, for the services."""
        return [
            (area.value, self.cleaned_data[grade_field(area.value)],
             self.cleaned_data[commentary_field(area.value)].strip())
            for area in AREAS if self.cleaned_data.get(grade_field(area.value))
        ]

    def report_fields(self):
        """The report's own fields, for the services. On an edit the lead reviewer is given only
        when changed, so that a report keeps a reviewer whose role has since changed."""
        fields = {name: self.cleaned_data[name] for name in EDITABLE}
        if self.report is not None and fields["lead_reviewer"].pk == self.report.lead_reviewer_id:
            del fields["lead_reviewer"]
        return fields

    @staticmethod
    def initial_for(report):
        initial = {name: getattr(report, name) for name in EDITABLE}
        initial["lead_reviewer"] = report.lead_reviewer_id
        initial["version"] = report.version
        for judgement in report.judgements.all():
            initial[grade_field(judgement.area)] = judgement.grade
            initial[commentary_field(judgement.area)] = judgement.commentary
        return initial


class RecommendationForm(forms.Form):
    """One recommendation, tracked as an action once the report is published. A row left
    empty is ignored."""

    uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = PersonChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="Nobody with an account",
        help_text="Someone who works with the academy: they hear when it is overdue.",
    )
    owner_name = forms.CharField(label="Or the owner's name or role", max_length=150, required=False,
                                 help_text="For someone without an account, e.g. \u201cMaths lead\u201d.")
    due_on = forms.DateField(label="Due", widget=DATE, required=False)

    def __init__(self, *args, owners, owner_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        # The choices are read once for every row of the page, not once a row.
        self.fields["owner"].choices = owner_choices

    def clean(self):
        data = super().clean()
        text = data.get("recommendation", "").strip()
        if not text and (data.get("owner") or data.get("owner_name") or data.get("due_on")):
            self.add_error("recommendation", "Write the recommendation, or clear the row.")
        if text and not data.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", "Give the date the recommendation is due.")
        if data.get("owner") and data.get("owner_name", "").strip():
            self.add_error("owner_name", "Choose a person or write a name, not both.")
        return data


class BaseRecommendationFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this recommendation"

    def recommendations(self):
        """The recommendations to keep, in order, as the services take them: an existing one
        carries its uuid; removed and empty rows are left out."""
        found = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data or not data.get("recommendation", "").strip():
                continue
            item = {
                "recommendation": data["recommendation"].strip(),
                "owner": data.get("owner"),
                "owner_name": data.get("owner_name", "").strip(),
                "due_on": data["due_on"],
            }
            if data.get("uuid"):
                item["uuid"] = str(data["uuid"])
            found.append(item)
        return found


RecommendationFormSet = forms.formset_factory(
    RecommendationForm, formset=BaseRecommendationFormSet, extra=3, can_delete=True, can_delete_extra=False,
    max_num=30, validate_max=True,
)
RECOMMENDATIONS = "rec"  # the formset's prefix


def recommendation_formset(academy, data=None, initial=None):
    owners = owners_for(academy)
    choices = [("", "Nobody with an account"), *((user.pk, person_label(user)) for user in owners)]
    return RecommendationFormSet(
        data, initial=initial, prefix=RECOMMENDATIONS,
        form_kwargs={"owners": owners, "owner_choices": choices},
    )


def recommendation_initial(report):
    return [
        {"uuid": action.uuid, "recommendation": action.recommendation, "owner": action.owner_id,
         "owner_name": action.owner_name, "due_on": action.due_on}
        for action in report.actions.all()
    ]


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="Your factual-accuracy response", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The facts you would correct, with what is right, or that there are no inaccuracies.",
        error_messages={
            "required": "Write your response: the facts you would correct, or that there are none.",
        },
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why it goes back to draft", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the report's history.",
        error_messages={"required": "Say why the report goes back to draft."},
    )


class ActionUpdateForm(forms.Form):
    """Progress on one action: a dated review with its status and commentary, perhaps made at a
    later health check (its uuid in `health_check`)."""

    status = forms.ChoiceField(label="Status", choices=Action.Status.choices)
    commentary = forms.CharField(
        label="What has happened since the last review", widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what has happened since the last review."},
    )
    evidence = forms.CharField(label="Evidence", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               help_text="What shows it is done or working.")
    reviewed_on = forms.DateField(label="Date of the review", widget=DATE, required=False,
                                  help_text="Today if left empty.")
    health_check = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean_reviewed_on(self):
        return not_after_today(self.cleaned_data["reviewed_on"], "A review cannot be dated in the future.")


class ReportFilterForm(forms.Form):
    academy = forms.ModelChoiceField(queryset=Academy.objects.none(), required=False,
                                     empty_label="All academies", to_field_name="urn")
    status = forms.ChoiceField(label="State", choices=[("", "Every state"), *S.choices], required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Every kind"), *HealthCheck.Kind.choices],
                             required=False)

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies.order_by("name", "urn")

    def apply(self, reports):
        """The reports the filters choose; none when a filter is not one offered (the form says why)."""
        if not self.is_bound:
            return reports
        if not self.is_valid():
            return reports.none()
        data = self.cleaned_data
        if data["academy"]:
            reports = reports.filter(academy=data["academy"])
        if data["status"]:
            reports = reports.filter(status=data["status"])
        if data["kind"]:
            reports = reports.filter(kind=data["kind"])
        return reports
