"""School-improvement tiers through the API, under the same rules as the pages.

The tier definitions are the trust's and everyone signed in reads them; executives and
administrators change a year's wording and support. Tier decisions are read by whoever sees the
academy; they are proposed (executives, the School Improvement Executive Lead, hub leads) and
agreed or declined by the Trust Board (trustees, executives) only through the services, so the
history keeps every step. The engine's recommendations, with their trace, read trust-only
evidence: academy roles never see them, in a list, a count, a detail or inside a decision.

An object outside scope answers 404, exactly as a missing one; the wrong role 403; a step the
state refuses or invalid data 400 with the reason; an edit from a stale version 412. Workflow
fields sent in a body are ignored.
"""

import datetime

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from healthchecks.api import (
    BAD_FILTER,
    NOT_SIGNED_IN,
    AcademyField,
    Filters,
    RecordViewSet,
    UUIDLookup,
    _name,
    add_schema,
    change_schema,
    edit_version,
    named_choices,
    read_schema,
    run_service,
    tagged,
    version_field,
)
from trust.access import require, require_anywhere, scope_for
from trust.api import ScopedViewSet
from trust.models import AcademicYear

from . import services
from .models import (
    Cadence,
    Descriptor,
    DescriptorArea,
    Entitlement,
    LedBy,
    SupportItem,
    SupportKind,
    SupportLogEntry,
    TierAssignment,
    TierDefinition,
    TierEvent,
    TierRecommendation,
)

S = TierAssignment.Status
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _known_year(start):
    """The academic year asked for: one the trust has, or this year, last or next, which are
    made on first use. A year further off is a mistake, not a year to create."""
    if not start:
        return AcademicYear.current()
    year = AcademicYear.objects.filter(start_year=start).first()
    if year is not None:
        return year
    current = AcademicYear.start_year_for(timezone.localdate())
    if abs(start - current) > 1:
        raise ValidationError({"year": [f"The trust has no academic year starting in {start}."]})
    return AcademicYear.for_date(datetime.date(start, 9, 1))


class TierFilters(Filters):
    def of_academy_and_year(self, rows, *, by_year=True):
        """`rows` of the academy (?academy=<urn>) and academic year (?year=<start year>) asked for."""
        if self.text("academy"):
            rows = rows.filter(academy__urn=self.text("academy"))
        if by_year and (start := self.year()):
            rows = rows.filter(academic_year__start_year=start)
        return rows

    def year(self, name="year"):
        value = self.params.get(name)
        if not value:
            return None
        try:
            year = int(value.strip())
        except ValueError:
            year = None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            self.errors[name] = ["Give the year it starts in as four digits, e.g. 2025 for 2025/26."]
            return None
        return year

    def day(self, name):
        value = self.params.get(name)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = ["Give a date as YYYY-MM-DD, e.g. 2026-01-31."]
            return None


YEAR_PARAMETER = OpenApiParameter(
    "year", int, description="The academic year by the year it starts in, e.g. 2025 for 2025/26."
)
ACADEMY_PARAMETER = OpenApiParameter("academy", str, description="An academy's URN.")


class TierYearSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="e.g. 2025/26.")

    class Meta:
        model = AcademicYear
        fields = ["label", "start_year"]
        read_only_fields = ["start_year"]


# ---------------------------------------------------------------------------------------------
# Definitions


class TierDescriptorSerializer(serializers.ModelSerializer):
    area = named_choices(DescriptorArea.choices, help_text="What the descriptor is about.")
    area_label = serializers.CharField(source="get_area_display", read_only=True)

    class Meta:
        model = Descriptor
        fields = ["area", "area_label", "text"]


class TierEntitlementSerializer(serializers.ModelSerializer):
    kind = named_choices(SupportKind.choices, help_text="The kind of support; each once per tier.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    cadence = named_choices(Cadence.choices, help_text="How often it falls due.")
    cadence_label = serializers.CharField(source="get_cadence_display", read_only=True)
    scheduled = serializers.BooleanField(
        read_only=True, help_text="Whether it is put on the academy's support schedule (not ongoing)."
    )

    class Meta:
        model = Entitlement
        fields = ["kind", "kind_label", "cadence", "cadence_label", "description", "scheduled"]


class TierDefinitionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="e.g. Tier 1 Lead.")
    led_by = named_choices(LedBy.choices, help_text="Who leads improvement in the tier.")
    led_by_label = serializers.CharField(source="get_led_by_display", read_only=True)
    summary = serializers.CharField(allow_blank=True, help_text="A sentence or two on what the tier means.")
    academic_year = TierYearSerializer(read_only=True)
    descriptors = TierDescriptorSerializer(
        many=True, help_text="What an academy in the tier looks like. When changing, the full list."
    )
    entitlements = TierEntitlementSerializer(
        many=True, help_text="The support the tier is owed. When changing, the full list."
    )
    version = version_field()

    class Meta:
        model = TierDefinition
        fields = ["id", "number", "name", "label", "led_by", "led_by_label", "summary", "academic_year",
                  "descriptors", "entitlements", "updated_at", "version"]
        read_only_fields = ["id", "number", "updated_at"]


NO_DEFINITION = OpenApiResponse(description="No tier definition with that identifier.")


@extend_schema_view(
    list=extend_schema(
        summary="The four tier definitions of a year (the current year unless ?year= is given)",
        parameters=[YEAR_PARAMETER],
        responses={200: TierDefinitionSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN,
                   404: OpenApiResponse(description="You hold no role in the trust.")},
    ),
    retrieve=read_schema(TierDefinitionSerializer, NO_DEFINITION, "One tier's definition for its year"),
    update=change_schema(
        "Change a tier's name, wording and support for its year, from the version you read "
        "(executives, administrators)",
        TierDefinitionSerializer, answer=TierDefinitionSerializer, not_found=NO_DEFINITION, versioned=True,
        refused=OpenApiResponse(description="Only executives and administrators change tier definitions."),
        invalid=OpenApiResponse(description="Invalid change or no version given; each field is named "
                                            "with the reason. Nothing changed."),
    ),
)
class TierDefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The four tiers as the trust defines them for each academic year. Changing this year's
    wording or support never rewrites an earlier year's; the schedules of academies agreed into
    the tier this year follow the change."""

    serializer_class = TierDefinitionSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "put", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_anywhere(request.user, "tier.view")

    def _rows(self):
        return TierDefinition.objects.select_related("academic_year").prefetch_related(
            "descriptors", "entitlements"
        )

    def get_queryset(self):
        if self.action != "list":
            return self._rows()
        filters = TierFilters(self.request.query_params)
        start = filters.year()
        filters.check()
        year = _known_year(start)
        services.definitions_for(year)
        return self._rows().filter(academic_year=year).order_by("number")

    def get_object(self):
        try:
            return self._rows().get(pk=int(self.kwargs["pk"]))
        except (TierDefinition.DoesNotExist, ValueError):
            raise Http404 from None

    def retrieve(self, request, *args, **kwargs):
        definition = self.get_object()
        return tagged(Response(self.get_serializer(definition).data), definition)

    def update(self, request, *args, **kwargs):
        definition = self.get_object()
        require(request.user, "tier.define")
        version = edit_version(request, required=True)
        serializer = self.get_serializer(definition, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run_service(
            services.definition_update, definition=definition, by=request.user, version=version,
            name=data["name"], led_by=data["led_by"], summary=data["summary"],
            descriptors=[(d["area"], d["text"]) for d in data["descriptors"]],
            entitlements=[(e["kind"], e["cadence"], e["description"]) for e in data["entitlements"]],
        )
        fresh = self.get_object()
        return tagged(Response(self.get_serializer(fresh).data), fresh)


# ---------------------------------------------------------------------------------------------
# Decisions


class TierEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")
    by = serializers.SerializerMethodField()

    class Meta:
        model = TierEvent
        fields = ["action", "action_label", "by", "at", "from_status", "to_status", "reason", "changes"]

    def get_by(self, event) -> str | None:
        return _name(event.by)


class TierEvidenceLinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(help_text="A page of this app.")


class TierAssignmentSerializer(serializers.ModelSerializer):
    academy = AcademyField()
    academy_name = serializers.CharField(source="academy.name", read_only=True)
    year = serializers.IntegerField(
        write_only=True, required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
        help_text="When proposing: the academic year by the year it starts in, e.g. 2025 for 2025/26; "
        "the current year if left out.",
    )
    academic_year = TierYearSerializer(read_only=True)
    tier = serializers.IntegerField(min_value=1, max_value=4, help_text="1 (Lead) to 4 (Stabilise).")
    kind = named_choices(TierAssignment.Kind.choices, read_only=True,
                         help_text="Set by the proposal: annual, a mid-year reclassification, or joining.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = named_choices(S.choices, read_only=True, help_text="Where the decision is.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    exceptional_reason = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Required for a mid-year reclassification: the exceptional circumstances.",
    )
    evidence = TierEvidenceLinkSerializer(
        many=True, read_only=True, help_text="Links to the evidence the proposal was made beside."
    )
    recommendation = serializers.IntegerField(
        source="recommendation_id", read_only=True, allow_null=True,
        help_text="The engine's recommendation the proposal was made beside (see /tier-recommendations/). "
        "Left out for callers who may not read recommendations for the academy.",
    )
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    history = TierEventSerializer(source="events", many=True, read_only=True,
                                  help_text="Every step, oldest first, with who, when and why.")
    version = version_field()

    class Meta:
        model = TierAssignment
        fields = [
            "uuid", "academy", "academy_name", "year", "academic_year", "tier", "kind", "kind_label",
            "status", "status_label", "rationale", "exceptional_reason", "evidence", "recommendation",
            "proposed_by", "proposed_at", "decided_by", "decided_at", "board_meeting", "board_minute",
            "effective_from", "superseded_at", "version", "history",
        ]
        read_only_fields = ["uuid", "proposed_at", "decided_at", "board_meeting", "board_minute",
                            "effective_from", "superseded_at"]

    def get_proposed_by(self, assignment) -> str | None:
        return _name(assignment.proposed_by)

    def get_decided_by(self, assignment) -> str | None:
        return _name(assignment.decided_by)

    def to_representation(self, assignment):
        data = super().to_representation(assignment)
        request = self.context.get("request")
        user = request.user if request is not None else None
        if not scope_for(user).can("tier.recommendation.view", assignment.academy):
            # The engine's evidence (its links name trust-only risks and baselines) is the trust's.
            data.pop("recommendation", None)
            data.pop("evidence", None)
        return data


class TierAssignmentSchema(OpenApiSerializerExtension):
    """In the schema, `recommendation` is optional: it is left out for academy roles."""

    target_class = TierAssignmentSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if "recommendation" in schema.get("required", []):
            schema["required"].remove("recommendation")
        return schema


class TierAgreeSerializer(serializers.Serializer):
    board_meeting = serializers.DateField(help_text="The date of the Trust Board meeting that agreed it.")
    board_minute = serializers.CharField(required=False, allow_blank=True, default="", max_length=50,
                                         help_text="The minute reference, e.g. TB/24/117.")
    effective_from = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="From when the tier applies; the year's start for an annual tier, else the meeting's day.",
    )
    version = version_field("The version you read, if you want a stale step refused.")


class TierDeclineSerializer(serializers.Serializer):
    board_meeting = serializers.DateField(help_text="The date of the Trust Board meeting that declined it.")
    board_minute = serializers.CharField(required=False, allow_blank=True, default="", max_length=50,
                                         help_text="The minute reference, e.g. TB/24/117.")
    reason = serializers.CharField(help_text="Why the board declined it, so the proposer can act on it.")
    version = version_field("The version you read, if you want a stale step refused.")


class TierWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the proposal is withdrawn; kept in the history.")
    version = version_field("The version you read, if you want a stale step refused.")


NO_ASSIGNMENT = OpenApiResponse(description="No tier decision with that identifier in your scope.")


def _decision_step(summary, request, refused):
    return change_schema(summary, request, answer=TierAssignmentSerializer, not_found=NO_ASSIGNMENT,
                         refused=OpenApiResponse(description=refused), versioned=True)


@extend_schema_view(
    list=extend_schema(
        summary="Tier decisions in your scope: proposals, agreed tiers and their history",
        parameters=[
            ACADEMY_PARAMETER, YEAR_PARAMETER,
            OpenApiParameter("status", str, enum=S.values, description="Where the decisions are."),
        ],
        responses={200: TierAssignmentSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(TierAssignmentSerializer, NO_ASSIGNMENT, "A tier decision with its history"),
    create=add_schema(
        "Propose an academy's tier for a year, for the Trust Board to decide (executives, the School "
        "Improvement Executive Lead, hub leads)",
        TierAssignmentSerializer, what="proposal",
        refused="Your role may not propose tiers for this academy.",
    ),
    partial_update=change_schema(
        "Change an open proposal's tier or reasons, from the version you read", TierAssignmentSerializer,
        answer=TierAssignmentSerializer, not_found=NO_ASSIGNMENT, versioned=True,
        refused=OpenApiResponse(description="Your role may not change proposals for this academy."),
        invalid=OpenApiResponse(description="Invalid change, no version given, or the proposal is no "
                                            "longer open; the answer says why. Nothing changed."),
    ),
)
class TierAssignmentViewSet(RecordViewSet):
    """Each academy's tier for each academic year. A proposal is agreed or declined by the Trust
    Board, or withdrawn by its proposer; agreeing a new tier during a year supersedes the one
    agreed before (a reclassification, which needs its exceptional reason)."""

    queryset = TierAssignment.objects.all()
    serializer_class = TierAssignmentSerializer
    view_action = "tier.view"
    change_action = "tier.propose"
    versioned = True
    versioned_steps = True
    service_object = "assignment"
    add_refused = "Your role may not propose tiers."

    def base_queryset(self):
        return TierAssignment.objects.select_related(
            "academy", "academic_year", "proposed_by", "decided_by"
        ).prefetch_related(Prefetch("events", queryset=TierEvent.objects.select_related("by")))

    def get_queryset(self):
        rows = super().get_queryset().order_by("academy__urn", "-academic_year__start_year", "-proposed_at")
        if self.action != "list":
            return rows
        filters = TierFilters(self.request.query_params)
        rows = filters.of_academy_and_year(rows)
        if state := filters.choice("status", S.values):
            rows = rows.filter(status=state)
        filters.check()
        return rows

    def create(self, request, *args, **kwargs):
        data = self._new()
        start = data.pop("year", None)
        current = AcademicYear.start_year_for(timezone.localdate())
        if start is not None and start not in (current, current + 1):
            raise ValidationError({"year": [f"A tier is proposed for this academic year or the next: "
                                            f"{current} or {current + 1}."]})
        year = AcademicYear.for_date(datetime.date(start, 9, 1)) if start else AcademicYear.current()
        assignment = run_service(services.propose, by=request.user, year=year, academy=data["academy"],
                         tier=data["tier"], rationale=data["rationale"],
                         exceptional_reason=data.get("exceptional_reason", ""))
        return self._answer(assignment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assignment = self._get("tier.propose")
        version, fields = self._changes(assignment, "proposal")
        start = fields.pop("year", None)
        if start is not None and start != assignment.academic_year.start_year:
            raise ValidationError({"year": ["A proposal keeps its year: withdraw it and propose for the "
                                            "other year instead."]})
        assignment = run_service(
            services.edit_proposal, assignment=assignment, by=request.user, version=version,
            tier=fields.get("tier", assignment.tier),
            rationale=fields.get("rationale", assignment.rationale),
            exceptional_reason=fields.get("exceptional_reason", assignment.exceptional_reason),
        )
        return self._answer(assignment)


    @_decision_step("Record the Trust Board's agreement of a proposal (trustees, executives)",
                    TierAgreeSerializer, "Only trustees and executives record the board's decisions.")
    @action(detail=True, methods=["post"])
    def agree(self, request, uuid=None):
        return self._take(services.agree, "tier.decide", TierAgreeSerializer)

    @_decision_step("Record that the Trust Board declined a proposal, with its reason (trustees, "
                    "executives)", TierDeclineSerializer,
                    "Only trustees and executives record the board's decisions.")
    @action(detail=True, methods=["post"])
    def decline(self, request, uuid=None):
        return self._take(services.decline, "tier.decide", TierDeclineSerializer)

    @_decision_step("Withdraw an open proposal, with the reason", TierWithdrawSerializer,
                    "Your role may not withdraw proposals for this academy.")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, uuid=None):
        return self._take(services.withdraw, "tier.propose", TierWithdrawSerializer)


# ---------------------------------------------------------------------------------------------
# Recommendations


class TierTraceLineSerializer(serializers.Serializer):
    """One rule's line of a recommendation's trace, as the engine stored it."""

    rule = serializers.IntegerField(help_text="The rule's identifier.")
    name = serializers.CharField(help_text="The rule's name.")
    kind = serializers.CharField(help_text="What the rule reads, e.g. inspection, measure, open_risks.")
    weight = serializers.CharField(help_text="How much it counts in the weighted average, e.g. 1.5.")
    decisive = serializers.BooleanField(help_text="Whether the recommendation is held to its tier or worse.")
    status = serializers.ChoiceField(
        choices=["indicated", "clear", "missing", "out_of_date", "not_applicable"],
        help_text="indicated: it pointed to a tier; clear: evidence read, nothing to add; missing or "
        "out_of_date: no evidence it could use; not_applicable: not for this academy's phase.",
    )
    explanation = serializers.CharField(help_text="Why, in words.")
    evidence = serializers.CharField(help_text="The evidence read, e.g. the judgement or figure.")
    value = serializers.CharField(help_text="The figure compared, e.g. a gap to national.")
    date = serializers.CharField(help_text="When the evidence is from.")
    source = serializers.CharField(help_text="Where the evidence comes from.")
    threshold = serializers.CharField(help_text="The threshold it met.")
    tier = serializers.IntegerField(allow_null=True, help_text="The tier it indicated, if any.")
    contribution = serializers.CharField(help_text="What it contributed to the weighted average.")
    url = serializers.CharField(help_text="The page of this app with the evidence, if any.")


class TierRecommendationSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn", help_text="The academy's URN.")
    academy_name = serializers.CharField(source="academy.name")
    academic_year = TierYearSerializer()
    tier = serializers.IntegerField(allow_null=True,
                                    help_text="The recommended tier; null when the evidence was too thin.")
    differs = serializers.BooleanField(help_text="Whether it differs from the tier agreed when it was made.")
    missing = serializers.ListField(child=serializers.CharField(),
                                    help_text="The rules that had no evidence they could use.")
    trace = serializers.SerializerMethodField(help_text="Every rule's line, in the order the rules run.")

    class Meta:
        model = TierRecommendation
        fields = ["id", "academy", "academy_name", "academic_year", "tier", "weighted_mean", "floor",
                  "agreed_tier", "differs", "computed_at", "current", "missing", "trace"]
        read_only_fields = fields

    @extend_schema_field(TierTraceLineSerializer(many=True))
    def get_trace(self, recommendation):
        return recommendation.trace


NO_RECOMMENDATION = OpenApiResponse(
    description="No recommendation with that identifier that you may read (academy roles read none)."
)


@extend_schema_view(
    list=extend_schema(
        summary="The engine's tier recommendations, with their trace (trust staff only)",
        parameters=[
            ACADEMY_PARAMETER, YEAR_PARAMETER,
            OpenApiParameter("current", bool, description="true: only each academy's latest; false: only "
                                                          "earlier ones."),
        ],
        responses={200: TierRecommendationSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(TierRecommendationSerializer, NO_RECOMMENDATION,
                         "A recommendation with the trace of every rule"),
)
class TierRecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the engine recommends for each academy, and why. It never changes an agreed tier:
    only the Trust Board does. It reads trust-only evidence, so academy roles find none."""

    serializer_class = TierRecommendationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        rows = (
            TierRecommendation.objects.permitting(self.request.user, "tier.recommendation.view")
            .select_related("academy", "academic_year")
            .order_by("academy__urn", "-computed_at", "-pk")
        )
        if self.action != "list":
            return rows
        filters = TierFilters(self.request.query_params)
        rows = filters.of_academy_and_year(rows)
        current = filters.flag("current")
        filters.check()
        if current is not None:
            rows = rows.filter(current=current)
        return rows


# ---------------------------------------------------------------------------------------------
# The support schedule and log


class SupportItemSerializer(serializers.ModelSerializer):
    academy = serializers.CharField(source="academy.urn", help_text="The academy's URN.")
    academy_name = serializers.CharField(source="academy.name")
    academic_year = TierYearSerializer()
    kind = named_choices(SupportKind.choices, help_text="The kind of support owed.")
    kind_label = serializers.CharField(source="get_kind_display")
    status = named_choices(SupportItem.Status.choices, help_text="Owed, delivered, or no longer owed.")
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField(help_text="Still owed after its due date.")
    delivered_late = serializers.BooleanField(help_text="Delivered, but after its due date.")
    delivered_by = serializers.UUIDField(
        source="delivered_by_entry.uuid", allow_null=True, default=None,
        help_text="The support-log entry that settled it, if any.",
    )

    class Meta:
        model = SupportItem
        fields = ["uuid", "academy", "academy_name", "academic_year", "kind", "kind_label", "window_start",
                  "due_on", "status", "status_label", "overdue", "delivered_late", "delivered_by"]
        read_only_fields = fields

    def get_overdue(self, item) -> bool:
        return item.is_overdue(self.context.get("today") or timezone.localdate())


NO_ITEM = OpenApiResponse(description="No support item with that identifier in your scope.")


@extend_schema_view(
    list=extend_schema(
        summary="The support academies in your scope are owed by their agreed tier, by due date",
        parameters=[
            ACADEMY_PARAMETER, YEAR_PARAMETER,
            OpenApiParameter("status", str, enum=SupportItem.Status.values, description="Owed, delivered "
                                                                                        "or cancelled."),
            OpenApiParameter("kind", str, enum=SupportKind.values, description="The kind of support."),
            OpenApiParameter("overdue", bool, description="true: only support still owed after its due "
                                                          "date; false: everything else."),
        ],
        responses={200: SupportItemSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(SupportItemSerializer, NO_ITEM, "One item of support owed"),
)
class SupportItemViewSet(UUIDLookup, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The support schedule: one item per due date of each entitlement of the agreed tier. Support
    logged settles the earliest item of its kind still owed."""

    queryset = SupportItem.objects.all()
    serializer_class = SupportItemSerializer
    view_action = "support.view"
    lookup_field = "uuid"

    def base_queryset(self):
        return SupportItem.objects.select_related("academy", "academic_year", "delivered_by_entry")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self):
        rows = super().get_queryset().order_by("due_on", "academy__urn", "kind", "pk")
        if self.action != "list":
            return rows
        filters = TierFilters(self.request.query_params)
        rows = filters.of_academy_and_year(rows)
        if state := filters.choice("status", SupportItem.Status.values):
            rows = rows.filter(status=state)
        if kind := filters.choice("kind", SupportKind.values):
            rows = rows.filter(kind=kind)
        overdue = filters.flag("overdue")
        filters.check()
        if overdue is not None:
            late = Q(status=SupportItem.Status.OWED, due_on__lt=timezone.localdate())
            rows = rows.filter(late) if overdue else rows.exclude(late)
        return rows


class SupportLogEntrySerializer(serializers.ModelSerializer):
    academy = AcademyField()
    academy_name = serializers.CharField(source="academy.name", read_only=True)
    kind = named_choices(SupportKind.choices, help_text="The kind of support given.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    held_on = serializers.DateField(help_text="When it was given; never in the future.")
    source = named_choices(SupportLogEntry.Source.choices, read_only=True,
                           help_text="Recorded by hand, or logged when a health check was published.")
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    recorded_by = serializers.SerializerMethodField()
    settled = serializers.SerializerMethodField(
        help_text="The support item it settled, if any; none when it was support beyond the schedule."
    )

    class Meta:
        model = SupportLogEntry
        fields = ["uuid", "academy", "academy_name", "kind", "kind_label", "held_on", "led_by", "notes",
                  "source", "source_label", "recorded_by", "recorded_at", "settled"]
        read_only_fields = ["uuid", "recorded_at"]

    def get_recorded_by(self, entry) -> str | None:
        return _name(entry.recorded_by)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_settled(self, entry):
        item = getattr(entry, "item", None)
        return str(item.uuid) if item is not None else None


NO_ENTRY = OpenApiResponse(description="No support-log entry with that identifier in your scope.")
NOT_LOGGER = "Only executives, the School Improvement Executive Lead and hub leads log support."


@extend_schema_view(
    list=extend_schema(
        summary="Support given to academies in your scope, latest first",
        parameters=[
            ACADEMY_PARAMETER,
            OpenApiParameter("kind", str, enum=SupportKind.values, description="The kind of support."),
            OpenApiParameter("since", datetime.date, description="Only support given on or after this day."),
        ],
        responses={200: SupportLogEntrySerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(SupportLogEntrySerializer, NO_ENTRY, "One entry of the support log"),
    create=add_schema("Log support given; it settles the earliest item of its kind still owed",
                      SupportLogEntrySerializer, what="entry", refused=NOT_LOGGER + " for this academy"),
    destroy=extend_schema(
        summary="Take back an entry logged in error: the item it settled is owed again",
        responses={
            204: OpenApiResponse(description="Removed."),
            400: OpenApiResponse(description="Support logged from a published health check is removed "
                                             "with the report, not here. Nothing changed."),
            401: NOT_SIGNED_IN, 403: OpenApiResponse(description=NOT_LOGGER + "."), 404: NO_ENTRY,
        },
    ),
)
class SupportLogEntryViewSet(mixins.DestroyModelMixin, RecordViewSet):
    """The log of support given: CEO one-to-ones held, committees met, board reviews done, and
    the health checks published (logged by themselves)."""

    queryset = SupportLogEntry.objects.all()
    serializer_class = SupportLogEntrySerializer
    view_action = "support.view"
    change_action = "support.log"
    add_refused = NOT_LOGGER + "."
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self):
        return SupportLogEntry.objects.select_related("academy", "recorded_by", "item")

    def get_queryset(self):
        rows = super().get_queryset().order_by("-held_on", "-pk")
        if self.action != "list":
            return rows
        filters = TierFilters(self.request.query_params)
        rows = filters.of_academy_and_year(rows, by_year=False)
        if kind := filters.choice("kind", SupportKind.values):
            rows = rows.filter(kind=kind)
        since = filters.day("since")
        filters.check()
        if since is not None:
            rows = rows.filter(held_on__gte=since)
        return rows

    def create(self, request, *args, **kwargs):
        entry = run_service(services.log_support, by=request.user, **self._new())
        return self._answer(entry, status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        entry = self._get("support.log")
        run_service(services.delete_support, entry=entry, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("tier-definitions", TierDefinitionViewSet, basename="tier-definition")
    router.register("tier-assignments", TierAssignmentViewSet, basename="tier-assignment")
    router.register("tier-recommendations", TierRecommendationViewSet, basename="tier-recommendation")
    router.register("support-items", SupportItemViewSet, basename="support-item")
    router.register("support-log", SupportLogEntryViewSet, basename="support-log-entry")
