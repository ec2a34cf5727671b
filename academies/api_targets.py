"""Targets through the API: list, read, add and change drafts, and each step of the workflow as
an action (propose, review, return, agree, amend), under the same rules as the pages.

An object outside scope answers 404; the wrong role 403; a step that cannot be taken now 400
with the reason (the services' WorkflowError), and nothing changes.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from trust.access import get_scoped_or_404, require, scope_for
from trust.api import ScopedViewSet

from . import selectors, services
from .forms_targets import Steps, measures_for, settable_years, year_label, year_of
from .models import Academy, Measure, PerformanceStandard, PupilGroup, Target, TargetEvent, TargetPolicy
from .models.results import Subject, YearGroup
from .selectors import parse_year_label

S = Target.Status


class TargetEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")
    by = serializers.SerializerMethodField()

    class Meta:
        model = TargetEvent
        fields = ["action", "action_label", "by", "at", "from_status", "to_status", "reason", "changes"]

    def get_by(self, event) -> str | None:
        return event.by.full_name if event.by_id else None


def _name(user) -> str | None:
    return user.full_name if user is not None else None


class TargetSerializer(serializers.ModelSerializer):
    academy = serializers.SlugRelatedField(slug_field="urn", queryset=Academy.objects.none(),
                                           help_text="The academy's URN.")
    academy_name = serializers.CharField(source="academy.name", read_only=True)
    academic_year = serializers.CharField(
        help_text="The academic year, as 2026/27: this year's or, from the summer, next year's."
    )
    measure = serializers.SlugRelatedField(slug_field="code", queryset=Measure.objects.all(),
                                           help_text="A measure's code, e.g. ks2_expected.")
    measure_label = serializers.CharField(source="measure.label", read_only=True)
    pupil_group = serializers.ChoiceField(choices=PupilGroup.choices, default=PupilGroup.ALL)
    year_group = serializers.ChoiceField(choices=YearGroup.choices, default="", allow_blank=True)
    subject = serializers.ChoiceField(choices=Subject.choices, default="", allow_blank=True)
    standard = serializers.SlugRelatedField(
        slug_field="code", queryset=PerformanceStandard.objects.all(), allow_null=True, required=False,
        help_text="The code of the performance standard the target serves.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress_label = serializers.CharField(source="get_progress_display", read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text="Not agreed by the Trust Board's deadline for its year."
    )
    proposed_by = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    agreed_by = serializers.SerializerMethodField()
    events = TargetEventSerializer(many=True, read_only=True, help_text="The target's history, oldest first.")

    class Meta:
        model = Target
        fields = [
            "uuid", "academy", "academy_name", "academic_year", "measure", "measure_label", "pupil_group",
            "year_group", "subject", "value", "rationale", "standard", "status", "status_label",
            "progress", "progress_label", "progress_value", "progress_at", "overdue",
            "proposed_by", "proposed_at", "reviewed_by", "reviewed_at", "lgb_comments",
            "agreed_by", "agreed_at", "board_meeting", "board_minute", "created_at", "events",
        ]
        read_only_fields = [
            "uuid", "status", "progress", "progress_value", "progress_at", "proposed_at", "reviewed_at",
            "lgb_comments", "agreed_at", "board_meeting", "board_minute", "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["academy"].queryset = Academy.objects.visible_to(request.user)

    def to_representation(self, target):
        data = super().to_representation(target)
        request = self.context.get("request")
        result = target.progress_result
        if (request is not None and result is not None
                and selectors.is_small_cohort(result, target.academy.trust.small_cohort_threshold)
                and selectors.hides_small_cohorts(request.user, target.academy)):
            # A governor is not told a small group's figure, nor the progress that narrows it down.
            data.update(progress="small_cohort", progress_label="Hidden: the group is too small to report",
                        progress_value=None)
        return data

    def get_overdue(self, target) -> bool:
        policies = self.context.setdefault("policies", {})
        trust_id = target.academy.trust_id
        if trust_id not in policies:
            policies[trust_id] = TargetPolicy.for_trust(target.academy.trust)
        return services.is_overdue(target, today=self.context.get("today"), policy=policies[trust_id])

    def get_proposed_by(self, target) -> str | None:
        return _name(target.proposed_by)

    def get_reviewed_by(self, target) -> str | None:
        return _name(target.reviewed_by)

    def get_agreed_by(self, target) -> str | None:
        return _name(target.agreed_by)

    def validate_academic_year(self, text):
        try:
            start = parse_year_label(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        if start not in settable_years():
            raise serializers.ValidationError(
                "Targets are set for this year or next: "
                + " or ".join(year_label(y) for y in settable_years()) + "."
            )
        return year_of(start)

    def validate(self, data):
        academy = data.get("academy") or getattr(self.instance, "academy", None)
        measure = data.get("measure")
        keep = self.instance.measure if self.instance is not None else None
        if academy is not None and measure is not None and not measures_for(academy, keep).filter(
            pk=measure.pk
        ).exists():
            raise serializers.ValidationError(
                {"measure": f"No target can be set on {measure.code} at {academy.name}: it does not apply "
                            "to the academy's phase, or it is a context figure."}
            )
        return data


class CommentsSerializer(serializers.Serializer):
    comments = serializers.CharField(allow_blank=True, default="")


class AgreeSerializer(serializers.Serializer):
    meeting = serializers.DateField(help_text="The date of the Trust Board meeting that agreed the target.")
    minute = serializers.CharField(max_length=50, allow_blank=True, default="",
                                   help_text="The board's minute reference.")


class AmendSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    rationale = serializers.CharField(allow_blank=True, required=False)
    reason = serializers.CharField(allow_blank=True, default="",
                                   help_text="Why the agreed target changes; kept in its history.")


REFUSED = OpenApiResponse(description="The step cannot be taken now; `detail` says why. Nothing changed.")
WRONG_ROLE = OpenApiResponse(description="Your role may not take this step for this academy.")
NOT_FOUND = OpenApiResponse(description="No target with that identifier in your scope.")


def _step(summary, request=None):
    return extend_schema(summary=summary, request=request,
                         responses={200: TargetSerializer, 400: REFUSED, 403: WRONG_ROLE, 404: NOT_FOUND})


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("academy", str, description="An academy's URN."),
        OpenApiParameter("year", str, description="An academic year, e.g. 2026/27."),
        OpenApiParameter("status", str, enum=S.values, description="Where the targets are in the workflow."),
    ]),
    retrieve=extend_schema(responses={200: TargetSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Add a draft target (headteachers, hub leads and executives)",
        responses={201: TargetSerializer, 400: OpenApiResponse(description="Invalid or duplicate target."),
                   403: WRONG_ROLE},
    ),
    partial_update=extend_schema(
        summary="Change a draft target",
        responses={200: TargetSerializer, 400: REFUSED, 403: WRONG_ROLE, 404: NOT_FOUND},
    ),
)
class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Targets in your scope, with their live progress and history. Each step of the year is an
    action on a target: draft -> proposed -> reviewed (by the LGB) -> agreed (by the Trust
    Board); proposed or reviewed targets can be returned to draft; agreed targets are amended
    with a reason."""

    queryset = Target.objects.select_related(
        "academy__trust", "academic_year", "measure", "standard", "proposed_by", "reviewed_by", "agreed_by",
        "progress_result",
    ).prefetch_related("events__by")
    serializer_class = TargetSerializer
    lookup_field = "uuid"
    view_action = "target.view"
    change_action = "target.edit"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        targets = super().get_queryset().order_by(
            "academy__urn", "-academic_year__start_year", "measure__category", "measure__order",
            "measure__code", "pupil_group", "year_group", "subject", "pk",
        )
        if self.action != "list":
            return targets
        params, errors = self.request.query_params, {}
        if params.get("academy"):
            targets = targets.filter(academy__urn=params["academy"])
        if params.get("year"):
            try:
                targets = targets.filter(academic_year__start_year=parse_year_label(params["year"]))
            except ValueError as exc:
                errors["year"] = [str(exc)]
        if params.get("status"):
            if params["status"] not in S.values:
                errors["status"] = [f"Choose one of: {', '.join(S.values)}."]
            targets = targets.filter(status=params["status"])
        if errors:
            raise ValidationError(errors)
        return targets

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_object(self, action="target.view"):
        """The target in scope (else 404), if the caller may take `action` on it (else 403)."""
        return get_scoped_or_404(self.request.user, self.queryset.all(), action=action,
                                 uuid=self.kwargs["uuid"])

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action == "create" and not scope_for(request.user).can_anywhere("target.edit"):
            self.permission_denied(request, message="Your role may not add targets.")

    def _run(self, step, *, created=False, **arguments):
        """Take a step through the services: the target as it now is, or 400 with the reason."""
        try:
            target = step(**arguments)
        except DjangoValidationError as error:
            detail = (error.message_dict if hasattr(error, "error_dict")
                      else {"detail": " ".join(error.messages)})
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        target = self.queryset.get(pk=target.pk)
        return Response(self.get_serializer(target).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        academy = data.pop("academy")
        require(request.user, "target.edit", academy)
        return self._run(services.target_create, created=True, academy=academy, by=request.user, **data)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object("target.edit")
        serializer = self.get_serializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fixed = sorted(set(serializer.validated_data) - set(services.EDITABLE))
        if fixed:
            raise ValidationError({name: ["A target keeps its academy and year: add a new target instead."]
                                   for name in fixed})
        return self._run(services.target_edit, target=target, by=request.user, **serializer.validated_data)

    @_step("Propose a draft to the local governing board (headteachers, hub leads and executives)")
    @action(detail=True, methods=["post"])
    def propose(self, request, uuid=None):
        target = self.get_object("target.edit")
        return self._run(services.target_propose, target=target, by=request.user)

    @_step("Record the LGB's review of a proposed target (governors)", CommentsSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, uuid=None):
        target = self.get_object("target.review")
        body = self._body(CommentsSerializer)
        return self._run(services.target_review, target=target, by=request.user, comments=body["comments"])

    @_step("Return a proposed or reviewed target to draft, with comments", CommentsSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request, uuid=None):
        target = self.get_object()
        if not Steps.of(request.user, target.academy).may_return:
            raise PermissionDenied
        body = self._body(CommentsSerializer)
        return self._run(services.target_return, target=target, by=request.user, comments=body["comments"])

    @_step("Record the Trust Board's agreement of a reviewed target (trustees and executives)",
           AgreeSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, uuid=None):
        target = self.get_object("target.agree")
        body = self._body(AgreeSerializer)
        return self._run(services.target_agree, target=target, by=request.user, meeting=body["meeting"],
                         minute=body["minute"])

    @_step("Change an agreed target, with a reason (trustees and executives)", AmendSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, uuid=None):
        target = self.get_object("target.amend")
        body = dict(self._body(AmendSerializer))
        reason = body.pop("reason")
        return self._run(services.target_amend, target=target, by=request.user, reason=reason, **body)

    def _body(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("targets", TargetViewSet, basename="target")
