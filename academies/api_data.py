"""Read-only API of performance data: measures, results, inspections and the SEF.

Everything is scoped to the caller (an object outside scope answers 404), and governors get the
results of small groups as suppressed here exactly as on the pages.
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from trust.access import scope_for
from trust.api import ScopedViewSet

from .models import Inspection, InspectionJudgement, Measure, PupilGroup, Result, SEFJudgement
from .models.ofsted import FOUR_POINT
from .models.results import SYMBOL_SHORT, Source, Symbol
from .selectors import Comparators, hides_small_cohorts, is_small_cohort, parse_year_label

STATES = dict(Symbol.choices)
SMALL = Symbol.SMALL_COHORT


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["code", "label", "category", "unit", "higher_is_better", "phases", "decimal_places",
                  "description", "trust_defined"]


class ComparatorSerializer(serializers.Serializer):
    area_name = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    state = serializers.CharField()
    symbol = serializers.SerializerMethodField()

    def get_symbol(self, comparator) -> str:
        return SYMBOL_SHORT.get(comparator.state, "")


class BatchSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    imported_at = serializers.DateTimeField(source="created_at")


class ResultSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn")
    measure = serializers.CharField(source="measure.code")
    academic_year = serializers.CharField(source="academic_year.label")
    symbol = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    batch = BatchSerializer(allow_null=True)
    national = serializers.SerializerMethodField()
    la = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = ["uuid", "academy", "measure", "academic_year", "term", "pupil_group", "year_group",
                  "subject", "source", "value", "state", "symbol", "state_label", "raw", "cohort",
                  "as_at", "batch", "national", "la", "updated_at"]

    def get_symbol(self, result) -> str:
        return SYMBOL_SHORT.get(result.state, "")

    def get_state_label(self, result) -> str:
        return STATES.get(result.state, "")

    def _comparator(self, result, area):
        comparators = self.context.get("comparators")
        row = getattr(comparators, area)(result) if comparators is not None else None
        return ComparatorSerializer(row).data if row is not None else None

    @extend_schema_field(ComparatorSerializer(allow_null=True))
    def get_national(self, result):
        return self._comparator(result, "national")

    @extend_schema_field(ComparatorSerializer(allow_null=True))
    def get_la(self, result):
        return self._comparator(result, "la")

    def to_representation(self, result):
        data = super().to_representation(result)
        hide = self.context.get("hide")
        if hide is not None and hide(result):
            # Never the figure, nor the cell it was read from, nor the exact size of the group.
            data.update(value=None, state=SMALL, symbol=SYMBOL_SHORT[SMALL], state_label=STATES[SMALL],
                        raw="", cohort=None)
        return data


class JudgementSerializer(serializers.ModelSerializer):
    area_label = serializers.CharField(source="get_area_display")
    label = serializers.CharField(help_text="The grade in words, on the inspection's own scale.")

    class Meta:
        model = InspectionJudgement
        fields = ["area", "area_label", "grade", "label", "grade_date"]


class InspectionSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn")
    framework_label = serializers.CharField(source="get_framework_display")
    scale = serializers.CharField()
    overall_effectiveness_label = serializers.SerializerMethodField()
    of_predecessor = serializers.BooleanField()
    next_due = serializers.DateField()
    areas_for_improvement = serializers.SerializerMethodField()
    judgements = JudgementSerializer(many=True)

    class Meta:
        model = Inspection
        fields = ["uuid", "academy", "urn_at_inspection", "of_predecessor", "inspection_number",
                  "inspection_type", "framework", "framework_label", "scale", "start_date",
                  "publication_date", "graded", "overall_effectiveness", "overall_effectiveness_label",
                  "outcome_text", "safeguarding", "category_of_concern", "areas_for_improvement",
                  "report_url", "judgements", "next_due", "next_due_override", "updated_at"]

    def get_overall_effectiveness_label(self, inspection) -> str:
        # From September 2024 there is no overall grade: say so rather than leave a blank.
        if inspection.framework != "graded":
            return "Not judged"
        return FOUR_POINT.get(inspection.overall_effectiveness, "")

    def get_areas_for_improvement(self, inspection) -> list[str]:
        return [line.strip() for line in inspection.areas_for_improvement.splitlines() if line.strip()]


class SEFSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn")
    area_label = serializers.CharField(source="get_area_display")
    label = serializers.CharField(help_text="The grade in words, on the judgement's own scale.")
    entered_by = serializers.SerializerMethodField()

    class Meta:
        model = SEFJudgement
        fields = ["uuid", "academy", "area", "area_label", "scale", "grade", "label", "judged_on",
                  "rationale", "entered_by", "created_at"]

    def get_entered_by(self, judgement) -> str:
        return judgement.entered_by.full_name if judgement.entered_by else ""


def _not_found(what):
    return OpenApiResponse(description=f"No {what} with that identifier in your scope.")


ACADEMY_FILTER = OpenApiParameter("academy", str, description="An academy's URN.")


class AcademyFilterMixin:
    """?academy=<urn> narrows a list to one academy (within the caller's scope, so an academy
    out of scope gives an empty list, exactly as one that does not exist)."""

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("academy"):
            rows = rows.filter(academy__urn=self.request.query_params["academy"])
        return rows


@extend_schema_view(retrieve=extend_schema(responses={200: MeasureSerializer, 404: _not_found("measure")}))
class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue of measures: what each result measures, its unit and which way is better."""

    serializer_class = MeasureSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "code"

    def get_queryset(self):
        # Anyone with a role in the trust reads the catalogue; an account with none reads nothing.
        if scope_for(self.request.user).is_empty:
            return Measure.objects.none()
        return Measure.objects.order_by("category", "order", "label")


@extend_schema_view(
    list=extend_schema(parameters=[
        ACADEMY_FILTER,
        OpenApiParameter("measure", str, description="A measure's code, e.g. ks2_expected."),
        OpenApiParameter("year", str, description="An academic year, e.g. 2024/25."),
        OpenApiParameter("group", str, enum=PupilGroup.values, description="A pupil group."),
        OpenApiParameter("source", str, enum=Source.values, description="Published or in-year."),
    ]),
    retrieve=extend_schema(responses={200: ResultSerializer, 404: _not_found("result")}),
)
class ResultViewSet(AcademyFilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Results in your scope, each with its national and local-authority comparators. For
    governors, results of groups at or below the trust's small-cohort threshold come without
    their figure (state small_cohort)."""

    queryset = Result.objects.select_related("academy__trust", "measure", "academic_year", "batch")
    serializer_class = ResultSerializer
    lookup_field = "uuid"
    view_action = "results.view"

    def get_queryset(self):
        results = super().get_queryset().order_by(
            "academy__urn", "measure__category", "measure__order", "measure__code",
            "-academic_year__start_year", "term", "pupil_group", "year_group", "subject", "source", "pk",
        )
        if self.action != "list":
            return results
        params, errors = self.request.query_params, {}
        if params.get("measure"):
            results = results.filter(measure__code=params["measure"])
        if params.get("year"):
            try:
                results = results.filter(academic_year__start_year=parse_year_label(params["year"]))
            except ValueError as exc:
                errors["year"] = [str(exc)]
        for name, field, choices in (("group", "pupil_group", PupilGroup), ("source", "source", Source)):
            value = params.get(name)
            if not value:
                continue
            if value not in choices.values:
                errors[name] = [f"Choose one of: {', '.join(choices.values)}."]
            results = results.filter(**{field: value})
        if errors:
            raise ValidationError(errors)
        return results

    def get_serializer(self, *args, **kwargs):
        rows = []
        if args and kwargs.get("many"):
            rows = list(args[0])
            args = (rows, *args[1:])
        elif args and args[0] is not None:
            rows = [args[0]]
        context = self.get_serializer_context()
        # One query for the comparators of the whole page, not one per result.
        context["comparators"] = Comparators(rows)
        user, hides = self.request.user, {}

        def hide(result):
            academy = result.academy
            if academy.pk not in hides:
                hides[academy.pk] = hides_small_cohorts(user, academy)
            return hides[academy.pk] and is_small_cohort(result, academy.trust.small_cohort_threshold)

        context["hide"] = hide
        kwargs["context"] = context
        return self.get_serializer_class()(*args, **kwargs)


@extend_schema_view(
    list=extend_schema(parameters=[ACADEMY_FILTER]),
    retrieve=extend_schema(responses={200: InspectionSerializer, 404: _not_found("inspection")}),
)
class InspectionViewSet(AcademyFilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Ofsted inspections in your scope, newest first, each in its own framework and scale, with
    its judgements. An inspection of a predecessor school says so (of_predecessor)."""

    queryset = Inspection.objects.select_related("academy").prefetch_related("judgements")
    serializer_class = InspectionSerializer
    lookup_field = "uuid"
    view_action = "results.view"

    def get_queryset(self):
        return super().get_queryset().order_by("academy__urn", "-start_date", "pk")


@extend_schema_view(
    list=extend_schema(parameters=[ACADEMY_FILTER]),
    retrieve=extend_schema(responses={200: SEFSerializer, 404: _not_found("self-evaluation")}),
)
class SEFViewSet(AcademyFilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Self-evaluation (SEF) judgements in your scope, newest first."""

    queryset = SEFJudgement.objects.select_related("academy", "entered_by")
    serializer_class = SEFSerializer
    lookup_field = "uuid"
    view_action = "results.view"

    def get_queryset(self):
        return super().get_queryset().order_by("academy__urn", "area", "-judged_on", "pk")


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("results", ResultViewSet, basename="result")
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("sef", SEFViewSet, basename="sef")
