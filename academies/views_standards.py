"""The trust's aims and performance standards: which academies meet each standard, the trend, and
editing them (executives and administrators).

Everyone with a role in the trust reads the page, over the academies they see: a hub lead their
hub's, a headteacher or governor their own academy. The forms are here rather than in forms.py
because nothing else uses them.
"""

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from trust.access import require, require_anywhere, scope_for
from trust.models import Hub

from .models import Academy, PerformanceStandard, StrategicAim
from .selectors import hides_small_cohorts
from .standards import DEFAULT_THRESHOLDS, Status, summarise


class StandardFilterForm(forms.Form):
    hub = forms.ModelChoiceField(queryset=Hub.objects.none(), required=False, empty_label="All hubs",
                                 to_field_name="slug")
    phase = forms.ChoiceField(choices=[("", "All phases"), *Academy.Phase.choices], required=False)

    def __init__(self, *args, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = hubs

    def apply(self, academies):
        if not (self.is_bound and self.is_valid()):
            return academies
        if self.cleaned_data.get("hub"):
            academies = academies.filter(hub=self.cleaned_data["hub"])
        if self.cleaned_data.get("phase"):
            academies = academies.filter(phase=self.cleaned_data["phase"])
        return academies


class StandardForm(forms.ModelForm):
    class Meta:
        model = PerformanceStandard
        fields = ["title", "description", "aim", "rule", "order"]
        labels = {"rule": "Measured by", "order": "Place in the list"}
        help_texts = {
            "rule": "How the product decides whether an academy meets the standard in a year.",
            "order": "Standards are listed from the lowest number.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class AimForm(forms.ModelForm):
    class Meta:
        model = StrategicAim
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


def open_academies(user, params=None):
    """The open academies the person sees, narrowed by the hub and phase filters: (form, list)."""
    visible = Academy.objects.visible_to(user).filter(status=Academy.Status.OPEN)
    hubs = Hub.objects.filter(pk__in=visible.values("hub_id")).order_by("name")
    form = StandardFilterForm(params or None, hubs=hubs)
    return form, list(form.apply(visible.select_related("hub", "trust")))


def _page(request, academies, **context):
    """What both pages show: the filters, and whether small groups are hidden from the reader."""
    hidden = [a for a in academies if hides_small_cohorts(request.user, a)]
    return {
        "hides_small_cohorts": bool(hidden),
        "threshold": hidden[0].trust.small_cohort_threshold if hidden else None,
        "can_change": scope_for(request.user).can("standard.change"),
        "thresholds": DEFAULT_THRESHOLDS,
        **context,
    }


@login_required
@require_GET
def standard_list(request):
    require_anywhere(request.user, "results.view")
    form, academies = open_academies(request.user, request.GET)
    standards = list(PerformanceStandard.objects.select_related("aim"))
    return render(request, "academies/standards/standard_list.html", _page(
        request, academies,
        form=form,
        summaries=summarise(standards, academies, user=request.user),
        academy_count=len(academies),
        aims=list(StrategicAim.objects.all()),
        query=request.GET.urlencode(),
    ))


@login_required
@require_GET
def standard_detail(request, code):
    require_anywhere(request.user, "results.view")
    standard = get_object_or_404(PerformanceStandard.objects.select_related("aim"), code=code)
    form, academies = open_academies(request.user, request.GET)
    [summary] = summarise([standard], academies, user=request.user)
    order = {Status.NOT_MET: 0, Status.MEETS: 1, Status.NO_DATA: 2}
    return render(request, "academies/standards/standard_detail.html", _page(
        request, academies,
        form=form,
        summary=summary,
        standard=standard,
        # Those that fall short first: they are what the reader has come to see.
        rows=sorted(summary.rows, key=lambda r: order[r.outcome.status]),
    ))


def _edit(request, obj, form_class, *, heading, saved, anchor, **context):
    """Edit one of the trust's aims or standards (executives and administrators)."""
    # The form works on a copy, so that a refused change never shows as the saved title.
    form = form_class(request.POST or None, instance=copy.copy(obj))
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, saved(obj))
        return redirect(reverse("academies:standards") + anchor(obj))
    return render(request, "academies/standards/standard_form.html",
                  {"form": form, "heading": heading, "cancel": anchor(obj), **context})


@login_required
@require_http_methods(["GET", "POST"])
def standard_edit(request, code):
    require(request.user, "standard.change")
    standard = get_object_or_404(PerformanceStandard, code=code)
    return _edit(
        request, standard, StandardForm, standard=standard,
        heading=f"Edit the standard \u201c{standard.title}\u201d",
        saved=lambda s: f"The standard \u201c{s.title}\u201d has been saved.",
        anchor=lambda s: f"#standard-{s.code}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def aim_edit(request, number):
    require(request.user, "standard.change")
    aim = get_object_or_404(StrategicAim, number=number)
    return _edit(
        request, aim, AimForm, aim=aim,
        heading=f"Edit aim {aim.number}: \u201c{aim.title}\u201d",
        saved=lambda a: f"Aim {a.number}, \u201c{a.title}\u201d, has been saved.",
        anchor=lambda a: "#aims",
    )
