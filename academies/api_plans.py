"""Read API of development plans: each plan with its priorities, and each priority with its linked
targets, standards and aims, its actions and its progress reviews. Scoped like the pages."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError

from trust.api import ScopedViewSet

from .models import DevelopmentPlan, PlanAction, Priority, ProgressReview, Target
from .plans import annotate, plans_with_priorities
from .selectors import parse_year_label


class ReviewSerializer(serializers.ModelSerializer):
    rag_label = serializers.CharField(source="get_rag_display")
    by = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReview
        fields = ["uuid", "reviewed_on", "rag", "rag_label", "commentary", "next_review", "by"]

    def get_by(self, review) -> str:
        return review.by.full_name if review.by else ""


class ActionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.BooleanField(help_text="Past its due date and neither done nor dropped.")
    milestones = serializers.ListField(child=serializers.CharField(), source="milestone_list",
                                       help_text="One entry per milestone.")

    class Meta:
        model = PlanAction
        fields = ["uuid", "title", "owner", "starts_on", "due_on", "milestones", "status", "status_label",
                  "overdue"]


class LinkedTargetSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    label = serializers.CharField(help_text="The target in words: measure, pupil group, year group, subject.")
    # Plain text here: the same choices as an enum in a third component would make drf-spectacular
    # name the targets' status enum by a hash. The targets API documents them.
    status = serializers.CharField(help_text="draft, proposed, reviewed or agreed.")
    status_label = serializers.CharField(source="get_status_display")
    progress_label = serializers.CharField(source="get_progress_display")

    class Meta:
        model = Target
        fields = ["uuid", "measure", "label", "pupil_group", "year_group", "subject", "value", "status",
                  "status_label", "progress", "progress_label"]


class PrioritySerializer(serializers.ModelSerializer):
    theme_label = serializers.CharField(source="get_theme_display")
    rag_label = serializers.CharField(
        source="get_rag_display", help_text="The latest review's rating, or that it has not been reviewed."
    )
    targets = LinkedTargetSerializer(many=True)
    standards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    aims = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    actions = ActionSerializer(many=True)
    reviews = ReviewSerializer(many=True, help_text="Newest first.")

    class Meta:
        model = Priority
        fields = ["uuid", "order", "title", "description", "theme", "theme_label", "rag", "rag_label",
                  "next_review", "targets", "standards", "aims", "actions", "reviews"]


class PlanSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn")
    academy_name = serializers.CharField(source="academy.name")
    academic_year = serializers.CharField(source="academic_year.label")
    priorities = PrioritySerializer(many=True)

    class Meta:
        model = DevelopmentPlan
        fields = ["uuid", "academy", "academy_name", "academic_year", "summary", "updated_at", "priorities"]


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("academy", str, description="An academy's URN."),
        OpenApiParameter("year", str, description="An academic year, e.g. 2026/27."),
    ]),
    retrieve=extend_schema(responses={
        200: PlanSerializer,
        404: OpenApiResponse(description="No development plan with that identifier in your scope."),
    }),
)
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Development plans in your scope, each with its priorities (the few big moves), their linked
    targets, performance standards and aims, their actions and dated progress reviews."""

    serializer_class = PlanSerializer
    lookup_field = "uuid"
    view_action = "plan.view"

    def base_queryset(self):
        return plans_with_priorities()

    def get_queryset(self):
        rows = super().get_queryset().order_by("academy__urn", "-academic_year__start_year", "pk")
        if self.action != "list":
            return rows
        params = self.request.query_params
        if params.get("academy"):
            rows = rows.filter(academy__urn=params["academy"])
        if params.get("year"):
            try:
                rows = rows.filter(academic_year__start_year=parse_year_label(params["year"]))
            except ValueError as exc:
                raise ValidationError({"year": [str(exc)]}) from None
        return rows

    def get_serializer(self, *args, **kwargs):
        plans = list(args[0]) if args and kwargs.get("many") else ([args[0]] if args and args[0] else [])
        if kwargs.get("many"):
            args = (plans, *args[1:])
        for plan in plans:
            annotate(plan.priorities.all())
        return super().get_serializer(*args, **kwargs)


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("plans", PlanViewSet, basename="plan")
