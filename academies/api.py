import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from trust.access import scope_for
from trust.api import ScopedViewSet
from trust.models import Hub, Trust

from .forms import TRUST_PLACERS, hubs_user_may_place
from .models import Academy

PHASES = dict(Academy.Phase.choices)
TYPES = dict(Academy.Type.choices)
STATUSES = dict(Academy.Status.choices)


class AcademySerializer(serializers.ModelSerializer):
    hub = serializers.SlugRelatedField(
        slug_field="slug", queryset=Hub.objects.all(), allow_null=True, required=False
    )
    phase_label = serializers.SerializerMethodField()
    type_label = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Academy
        fields = [
            "urn", "name", "phase", "phase_label", "academy_type", "type_label", "hub",
            "local_authority", "la_code", "status", "status_label", "date_joined", "date_left",
            "statutory_low_age", "statutory_high_age", "updated_at",
        ]
        read_only_fields = ["updated_at"]

    # Labels straight from the choices: get_FOO_display through DRF costs a signature
    # inspection per row and field.
    def get_phase_label(self, academy) -> str:
        return PHASES.get(academy.phase, "")

    def get_type_label(self, academy) -> str:
        return TYPES.get(academy.academy_type, "")

    def get_status_label(self, academy) -> str:
        return STATUSES.get(academy.status, "")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        writing = request is not None and request.method not in ("GET", "HEAD", "OPTIONS")
        if writing and request.user.is_authenticated:
            self.fields["hub"].queryset = hubs_user_may_place(request.user, Trust.current())
            if not scope_for(request.user).trust_roles & TRUST_PLACERS:
                # As on the form: a hub lead keeps their academies in a hub they lead.
                self.fields["hub"].allow_null = False
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["urn"].read_only = True

    def validate(self, attrs):
        # The model's own rules (dates agree with the status, hub in the trust) apply to the
        # API exactly as to the form.
        candidate = copy.copy(self.instance) if self.instance else Academy(trust=Trust.current())
        for key, value in attrs.items():
            setattr(candidate, key, value)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


NOT_FOUND = OpenApiResponse(description="No academy with that URN in your scope.")
READ_ONLY = OpenApiResponse(description="You may read this academy but not change it.")


@extend_schema_view(
    retrieve=extend_schema(responses={200: AcademySerializer, 404: NOT_FOUND}),
    partial_update=extend_schema(
        responses={200: AcademySerializer, 400: None, 403: READ_ONLY, 404: NOT_FOUND}
    ),
    update=extend_schema(
        responses={200: AcademySerializer, 400: None, 403: READ_ONLY, 404: NOT_FOUND}
    ),
    create=extend_schema(responses={201: AcademySerializer, 400: None, 403: READ_ONLY}),
)
class AcademyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Academies in your scope, addressed by URN. Filter with ?hub=<slug>, ?phase=, ?status=."""

    queryset = Academy.objects.select_related("hub")
    serializer_class = AcademySerializer
    lookup_field = "urn"
    lookup_value_regex = "[^/]+"
    view_action = "academy.view"
    change_action = "academy.change"
    create_action = "academy.create"

    def get_queryset(self):
        academies = super().get_queryset().order_by("name", "urn")
        params = self.request.query_params
        if params.get("hub"):
            academies = academies.filter(hub__slug=params["hub"])
        for name in ("phase", "status"):
            if params.get(name):
                academies = academies.filter(**{name: params[name]})
        return academies.search(params.get("q"))

    def perform_create(self, serializer):
        serializer.save(trust=get_object_or_404(Trust.objects.order_by("pk")[:1]))
