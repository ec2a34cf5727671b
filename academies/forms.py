from django import forms

from trust.access import scope_for
from trust.models import Hub, Role

from .models import Academy

TRUST_PLACERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AcademyForm(forms.ModelForm):
    """The register entry of one academy. The URN is fixed once the academy exists: it is
    how every file and link finds the academy; a new URN (after a re-brokering, say) is a
    new academy."""

    class Meta:
        model = Academy
        fields = [
            "urn", "name", "phase", "academy_type", "hub", "local_authority", "la_code",
            "status", "date_joined", "date_left", "statutory_low_age", "statutory_high_age",
        ]
        widgets = {"date_joined": DATE, "date_left": DATE}

    def __init__(self, *args, user, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trust = trust
        self.fields["hub"].queryset = hubs_user_may_place(user, trust)
        if not scope_for(user).trust_roles & TRUST_PLACERS:
            self.fields["hub"].required = True
        if self.instance.pk:
            self.fields["urn"].disabled = True
            self.fields["urn"].help_text = "A URN cannot change: an academy with a new URN is a new academy."

    def clean_urn(self):
        urn = self.cleaned_data["urn"]
        if self.instance.pk:
            return self.instance.urn
        return urn.strip()


def hubs_user_may_place(user, trust):
    """Trust-wide roles may place an academy in any hub; a hub lead only in their own."""
    scope = scope_for(user)
    hubs = Hub.objects.filter(trust=trust)
    if scope.trust_roles & TRUST_PLACERS:
        return hubs
    return hubs.filter(pk__in=list(scope.hub_roles))


class AcademyFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "Name, URN or local authority"}))
    hub = forms.ModelChoiceField(queryset=Hub.objects.none(), required=False, empty_label="All hubs",
                                 to_field_name="slug")
    phase = forms.ChoiceField(choices=[("", "All phases"), *Academy.Phase.choices], required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *Academy.Status.choices], required=False)

    def __init__(self, *args, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = hubs

    def apply(self, academies):
        data = self.cleaned_data
        academies = academies.search(data.get("q"))
        if data.get("hub"):
            academies = academies.filter(hub=data["hub"])
        if data.get("phase"):
            academies = academies.filter(phase=data["phase"])
        if data.get("status"):
            academies = academies.filter(status=data["status"])
        return academies
