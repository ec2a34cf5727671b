"""Read API of the trust's performance standards: for each, how many of the caller's academies
meet it in its latest year, and, for one standard, each academy's result with the evidence.

Standards are the trust's and anyone with a role reads them; the academies counted are the open
academies the caller sees, exactly as on /academies/standards/.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from trust.access import scope_for

from .models import Academy, PerformanceStandard
from .standards import summarise


class AimSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    meets = serializers.IntegerField()
    not_met = serializers.IntegerField()
    no_data = serializers.IntegerField()


class YearCountSerializer(CountsSerializer):
    academic_year = serializers.CharField(source="label")


class EvidenceSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The figure or judgement compared.")
    figure = serializers.CharField(help_text="The academy's figure, or why there is none.")
    against = serializers.CharField(help_text="What it had to reach.")
    status = serializers.CharField()


class AcademyOutcomeSerializer(serializers.Serializer):
    urn = serializers.CharField(source="academy.urn")
    name = serializers.CharField(source="academy.name")
    phase = serializers.CharField(source="academy.phase")
    hub = serializers.CharField(source="academy.hub.slug", default=None, allow_null=True)
    status = serializers.CharField(source="outcome.status", help_text="meets, not_met or no_data.")
    status_label = serializers.CharField(source="outcome.label")
    note = serializers.CharField(source="outcome.note", help_text="What the evidence comes from, "
                                 "where each line does not say (the inspection judged).")
    evidence = EvidenceSerializer(source="outcome.evidence", many=True)


class StandardSerializer(serializers.Serializer):
    code = serializers.CharField(source="standard.code")
    title = serializers.CharField(source="standard.title")
    description = serializers.CharField(source="standard.description")
    aim = AimSerializer(source="standard.aim", allow_null=True)
    rule = serializers.CharField(source="standard.rule")
    rule_label = serializers.CharField(source="standard.get_rule_display")
    order = serializers.IntegerField(source="standard.order")
    academic_year = serializers.CharField(
        source="year_label", allow_null=True,
        help_text="The latest year in which any of your academies has a verdict; null when none has.",
    )
    counts = CountsSerializer(help_text="Your open academies in that year.")


class StandardDetailSerializer(StandardSerializer):
    trend = YearCountSerializer(many=True, help_text="The five years to academic_year, oldest first.")
    academies = AcademyOutcomeSerializer(source="rows", many=True)


FILTERS = [
    OpenApiParameter("hub", str, description="Only the academies of this hub (its slug)."),
    OpenApiParameter("phase", str, enum=Academy.Phase.values, description="Only academies of this phase."),
]


@extend_schema_view(
    list=extend_schema(parameters=FILTERS, responses=StandardSerializer(many=True)),
    retrieve=extend_schema(parameters=FILTERS, responses={
        200: StandardDetailSerializer,
        404: OpenApiResponse(description="No standard with that code."),
    }),
)
class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The trust's performance standards, each with how your open academies stand against it in
    the latest year with a verdict (meets, does not meet, no data)."""

    serializer_class = StandardSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "code"

    def get_queryset(self):
        # Anyone with a role reads the standards; an account with none reads nothing.
        if scope_for(self.request.user).is_empty:
            return PerformanceStandard.objects.none()
        return PerformanceStandard.objects.select_related("aim").order_by("order", "title", "pk")

    def _summaries(self, standards):
        params = self.request.query_params
        academies = (
            Academy.objects.visible_to(self.request.user).filter(status=Academy.Status.OPEN)
            .select_related("hub", "trust")
        )
        if params.get("phase"):
            if params["phase"] not in Academy.Phase.values:
                raise ValidationError({"phase": [f"Choose one of: {', '.join(Academy.Phase.values)}."]})
            academies = academies.filter(phase=params["phase"])
        if params.get("hub"):
            academies = academies.filter(hub__slug=params["hub"])
        return summarise(standards, list(academies), user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StandardSerializer(self._summaries(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        [summary] = self._summaries([self.get_object()])
        return Response(StandardDetailSerializer(summary).data)


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("standards", StandardViewSet, basename="standard")
