"""Health checks, their tracked actions, the risk register and link-governor visits through the
API, under the same rules as the pages.

Lists hold only what the caller may see: a draft report is never listed, counted or found for
academy roles, and a trust-only or trust-level risk is absent for them from every answer. An
object outside scope answers 404, exactly as a missing one; the wrong role 403; a step that
cannot be taken now 400 with the reason (the services' WorkflowError), and nothing changes.
An edit names the version it was made from (`version` in the body, or an If-Match header): a
stale edit answers 412 Precondition Failed and overwrites nobody's work. Workflow fields
(status, dates of each step, score and RAG) are read-only: a value sent for one is ignored.
"""

import uuid as uuidlib
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from academies.models import Academy, Priority
from trust.access import get_scoped_or_404, require, scope_for
from trust.api import ScopedViewSet
from trust.models import User

from . import risks as risk_services
from . import services
from .history import report_events, risk_events
from .models import (
    Action,
    ActionReview,
    GovernorVisit,
    HealthCheck,
    HealthCheckEvent,
    HealthCheckJudgement,
    Risk,
    RiskEvent,
)
from .models.risks import RAG, Category, Visibility
from .rules import visible_evidence
from .services import StaleEdit

S = HealthCheck.Status

# ---------------------------------------------------------------------------------------------
# Shared pieces: fields naming academies and people, versions, and the answers to errors.

NO_ACADEMY = "No academy with that URN in your scope."


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "Someone else changed this since you opened it. Reload it, then make your changes again."
    default_code = "precondition_failed"


class AcademyField(serializers.SlugRelatedField):
    """An academy by URN, among those the caller sees. An academy outside scope is refused
    exactly as a missing one, with 404, before anything is written."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The academy's URN.")
        super().__init__(slug_field="urn", queryset=Academy.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Academy.objects.none()
        return Academy.objects.visible_to(request.user)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(urn=str(data))
        except (Academy.DoesNotExist, TypeError, ValueError):
            raise NotFound(NO_ACADEMY) from None


@extend_schema_field(OpenApiTypes.EMAIL)
class PersonField(serializers.Field):
    """Someone with an active account, by email address. Written only: answers name people.
    A missing account and one that may not take the part get the same message."""

    def __init__(self, *, refusal, **kwargs):
        self.refusal = refusal
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        email = str(data).strip()
        found = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
        if found is None:
            raise serializers.ValidationError(self.refusal)
        return found

    def to_representation(self, value):
        return value.email if value is not None else None


@extend_schema_field(OpenApiTypes.STR)
class NamedChoiceField(serializers.ChoiceField):
    """A choice documented as a string naming its values. Other parts of the API have their own
    choices under the same property names (status, kind, area, category, rag, safeguarding); as
    enums in the schema those would collide and be named by a hash."""


def named_choices(choices, help_text="", **kwargs):
    values = [value for value, _ in choices if value != ""]
    listed = f"One of: {', '.join(values)}" + (", or empty." if kwargs.get("allow_blank") else ".")
    return NamedChoiceField(choices=choices, help_text=f"{help_text} {listed}".strip(), **kwargs)


REVIEWER_REFUSED = "Choose someone who files health checks for this academy."
OWNER_REFUSED = "Choose someone who works with this academy, or give a name instead."
RISK_OWNER_REFUSED = (
    "Choose an owner who can see this risk (a trust-only risk needs someone at the trust)."
)


def _name(user) -> str | None:
    return (user.full_name or user.email) if user is not None else None


def _version_in(text, *, source):
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or value < 1 or isinstance(text, bool):
        raise ValidationError({"version": [f"Give the version ({source}) as a whole number, e.g. 3."]})
    return value


def edit_version(request, *, required):
    """The version the caller's edit was made from: `version` in the body or an If-Match header
    (an ETag such as "3"). Both may be given if they agree."""
    body = request.data.get("version") if hasattr(request.data, "get") else None
    header = request.headers.get("If-Match", "").strip()
    from_body = _version_in(body, source="version") if body not in (None, "") else None
    from_header = None
    if header and header != "*":
        tag = header.removeprefix("W/").strip().strip('"')
        from_header = _version_in(tag, source="If-Match")
    if from_body is not None and from_header is not None and from_body != from_header:
        raise ValidationError({"version": ["The version in the body and the If-Match header differ."]})
    version = from_body if from_body is not None else from_header
    if version is None and required:
        raise ValidationError({"version": [
            "Give the version you edited (the `version` field you read, or an If-Match header), "
            "so that nobody's changes are overwritten."
        ]})
    return version


def edited_fields(request):
    """The body of an edit, less the academy (which an edit never changes)."""
    if not isinstance(request.data, Mapping):
        raise ValidationError({"non_field_errors": ["Send the fields to change as a JSON object."]})
    return {key: value for key, value in request.data.items() if key != "academy"}


class UUIDLookup:
    """A malformed identifier is simply not found: 404, exactly as a missing one."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if "uuid" in self.kwargs:
            try:
                uuidlib.UUID(str(self.kwargs["uuid"]))
            except ValueError:
                raise NotFound from None


def run_service(call, **arguments):
    """Run one service: its result, or the refusal as an API error. A stale edit is 412; a
    step the state refuses, or invalid data, is 400 with the reason. Nothing changes."""
    try:
        return call(**arguments)
    except StaleEdit as error:
        raise PreconditionFailed(" ".join(error.messages)) from None
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": " ".join(error.messages)}
        raise ValidationError(detail) from None


def tagged(response, obj):
    """The object's version as its ETag, for If-Match on the next edit."""
    response["ETag"] = f'"{obj.version}"'
    return response


class Filters:
    """Query parameters checked against their choices; every bad one reported at once (400)."""

    def __init__(self, params):
        self.params, self.errors = params, {}

    def text(self, name):
        return self.params.get(name) or None

    def choice(self, name, values):
        value = self.params.get(name)
        if not value:
            return None
        if value not in values:
            self.errors[name] = [f"Choose one of: {', '.join(values)}."]
            return None
        return value

    def flag(self, name):
        value = (self.params.get(name) or "").lower()
        if not value:
            return None
        if value in ("true", "1", "yes"):
            return True
        if value in ("false", "0", "no"):
            return False
        self.errors[name] = ["Give true or false."]
        return None

    def check(self):
        if self.errors:
            raise ValidationError(self.errors)


def _overdue_q(today):
    return Q(status__in=Action.OPEN, due_on__lt=today, health_check__status=S.PUBLISHED)


def _fixed_academy(request, obj, what):
    """An edit may not move the object to another academy; sending its own URN is harmless."""
    if "academy" not in request.data:
        return
    sent = request.data.get("academy")
    current = obj.academy.urn if obj.academy_id else None
    if (str(sent) if sent not in (None, "") else None) != current:
        raise ValidationError({"academy": [f"A {what} keeps its academy: add a new one instead."]})


NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
BAD_FILTER = OpenApiResponse(
    description="A filter has a value it cannot take; each is named with the reason."
)
STALE = OpenApiResponse(
    description="Precondition Failed: someone changed it since the version you edited (`version` or "
    "If-Match). Nothing was saved: reload it and make your changes again."
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description='The version you edited, as its ETag (e.g. "3"); instead of `version` in the body.',
)
STEP_REFUSED = OpenApiResponse(description="The step cannot be taken now, or the body is invalid; the "
                                           "answer says why. Nothing changed.")
VERSION_HELP = (
    "Raised by every change. Send the version you read with an edit (or an If-Match header): an edit "
    "from an older version is refused with 412."
)


def version_field(help_text=VERSION_HELP):
    return serializers.IntegerField(required=False, min_value=1, help_text=help_text)


def read_schema(serializer, not_found, summary=None):
    return extend_schema(summary=summary, responses={200: serializer, 401: NOT_SIGNED_IN, 404: not_found})


def add_schema(summary, serializer, *, what, refused):
    """Adding one is refused in the same words for every kind: by field, by role, by scope."""
    return extend_schema(summary=summary, request=serializer, responses={
        201: serializer,
        400: OpenApiResponse(description=f"Invalid {what}; each field is named with the reason."),
        401: NOT_SIGNED_IN,
        403: OpenApiResponse(description=refused),
        404: OpenApiResponse(description=NO_ACADEMY + " Nothing was created."),
    })


def change_schema(summary, request=None, *, answer, refused, not_found, versioned, invalid=STEP_REFUSED):
    """An edit or a workflow step: refused by role (403) and scope (404), and when `versioned`
    it names the version it was made from, so that a stale one is refused (412)."""
    responses = {200: answer, 400: invalid, 401: NOT_SIGNED_IN, 403: refused, 404: not_found}
    if versioned:
        responses[412] = STALE
    return extend_schema(summary=summary, request=request, parameters=[IF_MATCH] if versioned else None,
                         responses=responses)


class RecordViewSet(UUIDLookup, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """An academy's records by uuid, added, changed and moved on only through the services.

    Written once here so that every kind refuses in the same order and the same way: the object
    in scope (404) and the caller's role (403) before the body is read (400), and nothing saved
    unless the service accepts it. `change_action` is also what adding one needs."""

    lookup_field = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Whether the object has a version: answers carry it as their ETag and edits must name it.
    versioned = False
    # Whether a workflow step may name the version it was taken from, to have a stale one refused.
    versioned_steps = False
    # The keyword the services take the object by, e.g. `health_check`.
    service_object = ""
    # What someone whose role adds none anywhere is told.
    add_refused = "Your role may not add these."

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action == "create" and not scope_for(request.user).can_anywhere(self.change_action):
            self.permission_denied(request, message=self.add_refused)

    def _get(self, access_action):
        """The object in scope (else 404), if the caller may take `access_action` on it (else 403)."""
        return get_scoped_or_404(self.request.user, self.base_queryset(), action=access_action,
                                 uuid=self.kwargs["uuid"])

    def _tagged(self, response, obj):
        return tagged(response, obj) if self.versioned else response

    def _answer(self, obj, code=status.HTTP_200_OK):
        """The object as the service left it, read again with everything the answer shows."""
        fresh = self.base_queryset().get(pk=obj.pk)
        return self._tagged(Response(self.get_serializer(fresh).data, status=code), fresh)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return self._tagged(Response(self.get_serializer(obj).data), obj)

    def _new(self):
        """The checked body of a new object, with its academy once the caller may add one there
        (else 403). The version is the service's to set, whatever was sent."""
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        require(self.request.user, self.change_action, data["academy"])
        data.pop("version", None)
        return data

    def _changes(self, obj, what):
        """(the version edited, the fields to change) of an edit of `obj`, which never moves it
        to another academy. The version is None for an object without one."""
        version = edit_version(self.request, required=True) if self.versioned else None
        data = edited_fields(self.request)
        _fixed_academy(self.request, obj, what)
        serializer = self.get_serializer(obj, data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("version", None)
        return version, fields

    def _take(self, service, access_action, body_class=None):
        """One workflow step: the object and the caller's role are checked before the body, then
        the service decides; the answer is the object as it is after the step."""
        obj = self._get(access_action)
        body = {}
        if body_class is not None:
            serializer = body_class(data=self.request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            body = dict(serializer.validated_data)
        if self.versioned_steps:
            body["version"] = edit_version(self.request, required=False)
        run_service(service, by=self.request.user, **{self.service_object: obj}, **body)
        return self._answer(obj)


# ---------------------------------------------------------------------------------------------
# Health checks


class HealthCheckJudgementSerializer(serializers.ModelSerializer):
    area = named_choices(HealthCheckJudgement._meta.get_field("area").choices, required=False,
                         help_text="An area of the current Ofsted report cards.")
    area_label = serializers.CharField(source="get_area_display", read_only=True)
    grade_label = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = HealthCheckJudgement
        fields = ["area", "area_label", "grade", "grade_label", "commentary"]

    def validate(self, attrs):
        missing = {name: ["This field is required."] for name in ("area", "grade") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class HealthCheckRecommendationSerializer(serializers.ModelSerializer):
    uuid = serializers.UUIDField(
        required=False,
        help_text="When changing a draft: an existing recommendation's identifier, to keep and change "
        "it. Leave it out for a new one; recommendations left out of the list are removed.",
    )
    owner = PersonField(
        refusal=OWNER_REFUSED, required=False, allow_null=True, write_only=True,
        help_text="The email address of the person who leads it, if they have an account.",
    )
    owner_text = serializers.CharField(read_only=True, help_text="Who leads it, in words.")
    status = named_choices(Action.Status.choices, read_only=True,
                           help_text="Where the action is; reviewed through /health-check-actions/.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Action
        fields = ["uuid", "number", "recommendation", "owner", "owner_name", "owner_text", "due_on",
                  "status", "status_label", "completed_on"]
        read_only_fields = ["number", "completed_on"]


class HealthCheckEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    by = serializers.SerializerMethodField()

    class Meta:
        model = HealthCheckEvent
        fields = ["kind", "kind_label", "by", "at", "from_status", "to_status", "reason", "changes"]

    def get_by(self, event) -> str | None:
        return _name(event.by)


class HealthCheckSerializer(serializers.ModelSerializer):
    academy = AcademyField()
    academy_name = serializers.CharField(source="academy.name", read_only=True)
    kind = named_choices(HealthCheck.Kind.choices, required=False, help_text="The kind of visit; annual if "
                         "left out.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    visit_text = serializers.CharField(read_only=True, help_text="The visit's dates in words.")
    lead_reviewer = PersonField(
        refusal=REVIEWER_REFUSED, required=False, write_only=True,
        help_text="The lead reviewer's email address; you, if left out when adding a report.",
    )
    lead_reviewer_name = serializers.SerializerMethodField()
    safeguarding = named_choices(HealthCheck.Safeguarding.choices, required=False, allow_blank=True,
                                 help_text="Whether safeguarding is effective; empty if not reviewed.")
    safeguarding_label = serializers.CharField(source="get_safeguarding_display", read_only=True)
    leadership_qa_label = serializers.CharField(source="get_leadership_qa_display", read_only=True)
    status = named_choices(S.choices, read_only=True, help_text="Where the report is in the workflow.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    responded_by = serializers.SerializerMethodField()
    published_by = serializers.SerializerMethodField()
    judgements = HealthCheckJudgementSerializer(
        many=True, required=False,
        help_text="One per area judged, on the report-card scale. When changing a draft, the full list.",
    )
    recommendations = HealthCheckRecommendationSerializer(
        source="actions", many=True, required=False,
        help_text="Each recommendation, tracked as an action once the report is published. When "
        "changing a draft, the full list.",
    )
    version = version_field()

    class Meta:
        model = HealthCheck
        fields = [
            "uuid", "academy", "academy_name", "kind", "kind_label", "visit_start", "visit_end",
            "visit_text", "lead_reviewer", "lead_reviewer_name", "commissioned_expert", "focus_areas",
            "safeguarding", "safeguarding_label", "leadership_qa", "leadership_qa_label",
            "leadership_qa_reasons", "key_findings", "status", "status_label", "submitted_at",
            "response", "responded_by", "responded_at", "published_by", "published_at", "created_at",
            "updated_at", "version", "judgements", "recommendations",
        ]
        read_only_fields = [
            "uuid", "status", "submitted_at", "response", "responded_at", "published_at", "created_at",
            "updated_at",
        ]

    def get_lead_reviewer_name(self, health_check) -> str | None:
        return _name(health_check.lead_reviewer)

    def get_responded_by(self, health_check) -> str | None:
        return _name(health_check.responded_by)

    def get_published_by(self, health_check) -> str | None:
        return _name(health_check.published_by)


class HealthCheckDetailSerializer(HealthCheckSerializer):
    events = serializers.SerializerMethodField(
        help_text="The report's history, oldest first: for the academy, the steps that reached it."
    )

    @extend_schema_field(HealthCheckEventSerializer(many=True))
    def get_events(self, health_check):
        request = self.context.get("request")
        events = report_events(health_check, request.user if request else None,
                               events=health_check.events.all())
        return HealthCheckEventSerializer(events, many=True, context=self.context).data

    class Meta(HealthCheckSerializer.Meta):
        fields = [*HealthCheckSerializer.Meta.fields, "events"]


class RespondSerializer(serializers.Serializer):
    response = serializers.CharField(
        help_text="The facts you would correct, or that there are no inaccuracies."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why; kept in the history.")


NO_REPORT = OpenApiResponse(description="No health check with that identifier in your scope.")
NOT_FILER = OpenApiResponse(description="Your role may not take this step for this academy.")


def _report_step(summary, request=None):
    return change_schema(summary, request, answer=HealthCheckDetailSerializer, refused=NOT_FILER,
                         not_found=NO_REPORT, versioned=False)


def _judgements(items):
    return [(item["area"], item["grade"], item.get("commentary", "")) for item in items]


RECOMMENDATION_FIELDS = ("recommendation", "due_on", "owner", "owner_name")


def _recommendations(items, existing=()):
    """The services' list of recommendations: a new one needs its text and due date."""
    existing = {str(key) for key in existing}
    result, errors = [], {}
    for index, item in enumerate(items):
        row = {name: item[name] for name in RECOMMENDATION_FIELDS if name in item}
        key = str(item.get("uuid") or "")
        if key in existing:
            row["uuid"] = key
        else:
            missing = [name for name in ("recommendation", "due_on") if not row.get(name)]
            if missing:
                errors[str(index)] = {name: ["This field is required for a new recommendation."]
                                      for name in missing}
        result.append(row)
    if errors:
        raise ValidationError({"recommendations": errors})
    return result


@extend_schema_view(
    list=extend_schema(
        summary="Health checks in your scope (a draft only for trust staff)",
        parameters=[
            OpenApiParameter("academy", str, description="An academy's URN."),
            OpenApiParameter("status", str, enum=S.values,
                             description="Where the reports are in the workflow."),
            OpenApiParameter("kind", str, enum=HealthCheck.Kind.values, description="The kind of visit."),
        ],
        responses={200: HealthCheckSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(HealthCheckDetailSerializer, NO_REPORT,
                         "A health check, with its judgements, recommendations, response and history"),
    create=add_schema(
        "Add a draft health check (the School Improvement Executive Lead, executives, hub leads)",
        HealthCheckDetailSerializer, what="report",
        refused="Your role may not file health checks for this academy.",
    ),
    partial_update=change_schema(
        "Change a report before it is published, from the version you read", HealthCheckDetailSerializer,
        answer=HealthCheckDetailSerializer, refused=NOT_FILER, not_found=NO_REPORT, versioned=True,
        invalid=OpenApiResponse(description="Invalid change, no version given, or the report is "
                                            "published; the answer says why. Nothing changed."),
    ),
)
class HealthCheckViewSet(RecordViewSet):
    """Health-check reports by the School Improvement Executive Lead. A report moves draft ->
    submitted (to the headteacher, to check its facts) -> responded -> published; it can be
    returned to draft, with a reason, before it is published. Trust staff read every state;
    the headteacher from submission; governors and other academy staff once published."""

    queryset = HealthCheck.objects.all()
    view_action = "healthcheck.view"
    change_action = "healthcheck.file"
    versioned = True
    service_object = "health_check"
    add_refused = "Your role may not file health checks."

    def base_queryset(self):
        rows = HealthCheck.objects.select_related(
            "academy", "lead_reviewer", "responded_by", "published_by"
        ).prefetch_related(
            "judgements", Prefetch("actions", queryset=Action.objects.select_related("owner"))
        )
        if self.action != "list":
            rows = rows.prefetch_related("events__by")
        return rows

    def get_serializer_class(self):
        return HealthCheckSerializer if self.action == "list" else HealthCheckDetailSerializer

    def get_queryset(self):
        rows = super().get_queryset().order_by("-visit_start", "-created_at", "-pk")
        if self.action != "list":
            return rows
        filters = Filters(self.request.query_params)
        if filters.text("academy"):
            rows = rows.filter(academy__urn=filters.text("academy"))
        if state := filters.choice("status", S.values):
            rows = rows.filter(status=state)
        if kind := filters.choice("kind", HealthCheck.Kind.values):
            rows = rows.filter(kind=kind)
        filters.check()
        return rows

    def create(self, request, *args, **kwargs):
        data = self._new()
        data["judgements"] = _judgements(data.pop("judgements", []))
        data["recommendations"] = _recommendations(data.pop("actions", []))
        health_check = run_service(services.health_check_create, by=request.user, **data)
        return self._answer(health_check, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        health_check = self._get("healthcheck.file")
        version, fields = self._changes(health_check, "health check")
        if "judgements" in fields:
            fields["judgements"] = _judgements(fields["judgements"])
        if "actions" in fields:
            fields["recommendations"] = _recommendations(
                fields.pop("actions"), existing=[a.uuid for a in health_check.actions.all()]
            )
        health_check = run_service(
            services.health_check_edit, health_check=health_check, by=request.user, version=version,
            **fields,
        )
        return self._answer(health_check)

    @_report_step("Submit a draft to the headteacher for a factual-accuracy check")
    @action(detail=True, methods=["post"])
    def submit(self, request, uuid=None):
        return self._take(services.health_check_submit, "healthcheck.file")

    @_report_step("Record the headteacher's factual-accuracy response", RespondSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, uuid=None):
        return self._take(services.health_check_respond, "healthcheck.respond", RespondSerializer)

    @_report_step("Return a submitted report to draft, with the reason", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request, uuid=None):
        return self._take(services.health_check_return, "healthcheck.file", ReasonSerializer)

    @_report_step("Publish the report to the academy's headteacher and governors")
    @action(detail=True, methods=["post"])
    def publish(self, request, uuid=None):
        return self._take(services.health_check_publish, "healthcheck.file")


# ---------------------------------------------------------------------------------------------
# The actions (recommendations) of health checks


class ActionReviewSerializer(serializers.ModelSerializer):
    status = named_choices(Action.Status.choices, read_only=True, help_text="Where the action was.")
    status_label = serializers.CharField(source="get_status_display")
    health_check = serializers.SerializerMethodField(
        help_text="The later health check that reviewed it, if any and if you may read it."
    )
    by = serializers.SerializerMethodField()

    class Meta:
        model = ActionReview
        fields = ["reviewed_on", "status", "status_label", "commentary", "health_check", "by"]

    def get_health_check(self, review) -> str | None:
        if not review.health_check_id or review.health_check_id not in self._readable_checks():
            return None  # e.g. a later report still in draft is not named to the academy
        return str(review.health_check.uuid)

    def _readable_checks(self):
        """The ids of the reports the caller may read: one query per request, when needed."""
        context = self.context  # shared by every row of one answer
        if "readable_checks" not in context:
            request = context.get("request")
            context["readable_checks"] = set(
                HealthCheck.objects.visible_to(request.user).values_list("pk", flat=True)
            ) if request is not None else set()
        return context["readable_checks"]

    def get_by(self, review) -> str | None:
        return _name(review.by)


class HealthCheckActionSerializer(serializers.ModelSerializer):
    health_check = serializers.UUIDField(source="health_check.uuid", read_only=True,
                                         help_text="The report that recommended it.")
    academy = serializers.CharField(source="health_check.academy.urn", read_only=True,
                                    help_text="The academy's URN.")
    academy_name = serializers.CharField(source="health_check.academy.name", read_only=True)
    owner_text = serializers.CharField(read_only=True, help_text="Who leads it, in words.")
    status = named_choices(Action.Status.choices, read_only=True, help_text="Where the action is.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text="Past its due date, neither done nor dropped, and its report published."
    )
    reviews = ActionReviewSerializer(many=True, read_only=True, help_text="Its reviews, oldest first.")

    class Meta:
        model = Action
        fields = ["uuid", "health_check", "academy", "academy_name", "number", "recommendation",
                  "owner_text", "due_on", "status", "status_label", "evidence", "completed_on",
                  "overdue", "reviews"]
        read_only_fields = fields

    def get_overdue(self, action) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return action.health_check.status == S.PUBLISHED and action.is_overdue(today)


class ActionReviewRequestSerializer(serializers.Serializer):
    status = named_choices(Action.Status.choices, help_text="Where the action is now.")
    commentary = serializers.CharField(help_text="What has happened since the last review.")
    evidence = serializers.CharField(required=False, allow_blank=True,
                                     help_text="What shows it is done or working; replaces the evidence.")
    reviewed_on = serializers.DateField(required=False, help_text="Today if left out.")
    health_check = serializers.SlugRelatedField(
        slug_field="uuid", queryset=HealthCheck.objects.none(), required=False, allow_null=True,
        error_messages={
            "does_not_exist": "A later health check of the same academy reviews an action.",
            "invalid": "A later health check of the same academy reviews an action.",
        },
        help_text="A later health check of the same academy that reviewed it, by its identifier.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["health_check"].queryset = HealthCheck.objects.visible_to(request.user)


NO_ACTION = OpenApiResponse(description="No health-check action with that identifier in your scope.")


@extend_schema_view(
    list=extend_schema(
        summary="Actions from health checks in your scope",
        parameters=[
            OpenApiParameter("academy", str, description="An academy's URN."),
            OpenApiParameter("status", str, enum=Action.Status.values, description="Where the actions are."),
            OpenApiParameter("overdue", bool, description="true: only actions past their due date."),
        ],
        responses={200: HealthCheckActionSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(HealthCheckActionSerializer, NO_ACTION),
)
class HealthCheckActionViewSet(RecordViewSet):
    """The recommendations of health checks, each tracked as an action until it is done, with
    its dated reviews. An action is seen by whoever sees its report."""

    queryset = Action.objects.all()
    serializer_class = HealthCheckActionSerializer
    view_action = "healthcheck.view"
    change_action = "healthaction.update"
    service_object = "action"

    def base_queryset(self):
        return Action.objects.select_related("health_check__academy", "owner").prefetch_related(
            Prefetch("reviews", queryset=ActionReview.objects.select_related("by", "health_check"))
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self):
        rows = super().get_queryset().order_by("due_on", "health_check__academy__urn", "number", "pk")
        if self.action != "list":
            return rows
        filters = Filters(self.request.query_params)
        if filters.text("academy"):
            rows = rows.filter(health_check__academy__urn=filters.text("academy"))
        if state := filters.choice("status", Action.Status.values):
            rows = rows.filter(status=state)
        overdue = filters.flag("overdue")
        filters.check()
        if overdue is not None:
            late = _overdue_q(timezone.localdate())
            rows = rows.filter(late) if overdue else rows.exclude(late)
        return rows

    @change_schema(
        "Record progress on an action: a dated review with its status and commentary",
        ActionReviewRequestSerializer, answer=HealthCheckActionSerializer, not_found=NO_ACTION,
        refused=OpenApiResponse(description="Your role may not update this academy's actions."),
        versioned=False,
    )
    @action(detail=True, methods=["post"])
    def review(self, request, uuid=None):
        # Evidence left out leaves the action's evidence as it was.
        return self._take(services.action_update, "healthaction.update", ActionReviewRequestSerializer)


# ---------------------------------------------------------------------------------------------
# Risks


class RiskEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    who = serializers.CharField(help_text="The person, or the rule or task, that acted.")

    class Meta:
        model = RiskEvent
        fields = ["kind", "kind_label", "who", "at", "reason", "changes"]


class RiskSerializer(serializers.ModelSerializer):
    academy = AcademyField(
        allow_null=True,
        help_text="The academy's URN; null for a risk to the trust as a whole (trust-wide roles only).",
    )
    academy_name = serializers.CharField(source="academy.name", read_only=True, allow_null=True)
    category = named_choices(Category.choices, help_text="The area of risk.")
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    likelihood_label = serializers.CharField(read_only=True)
    impact_label = serializers.CharField(read_only=True)
    rag = named_choices(RAG.choices, read_only=True,
                        help_text="From the score: green 1-5, amber 6-12, red 15-25.")
    rag_label = serializers.CharField(source="get_rag_display", read_only=True)
    owner = PersonField(
        refusal=RISK_OWNER_REFUSED, required=False, allow_null=True, write_only=True,
        help_text="The owner's email address.",
    )
    owner_name = serializers.SerializerMethodField()
    review_frequency_label = serializers.CharField(source="get_review_frequency_display", read_only=True)
    review_overdue = serializers.SerializerMethodField(help_text="Open and past its next review date.")
    visibility_label = serializers.CharField(source="get_visibility_display", read_only=True)
    status = named_choices(Risk.Status.choices, read_only=True, help_text="Open or closed.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rule = serializers.CharField(source="rule.name", read_only=True, allow_null=True,
                                 help_text="The rule over the data that raised it, if one did.")
    evidence = serializers.SerializerMethodField(
        help_text="What the rule saw, if a rule raised it; governors see a small group's figures suppressed."
    )
    raised_by = serializers.SerializerMethodField()
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text="Why: kept in the risk's history. Required to change a risk.",
    )
    version = version_field()

    class Meta:
        model = Risk
        fields = [
            "uuid", "reference", "academy", "academy_name", "category", "category_label", "title",
            "description", "likelihood", "likelihood_label", "impact", "impact_label", "score", "rag",
            "rag_label", "owner", "owner_name", "mitigations", "review_frequency", "review_frequency_label",
            "next_review_on", "last_reviewed_on", "review_overdue", "visibility", "visibility_label",
            "status", "status_label", "closed_on", "rule", "evidence", "raised_by", "created_at",
            "updated_at", "version", "reason",
        ]
        read_only_fields = ["uuid", "reference", "score", "rag", "last_reviewed_on", "status", "closed_on",
                            "created_at", "updated_at"]
        extra_kwargs = {"next_review_on": {"required": False,
                                           "help_text": "One review period from today, if left out."}}

    def get_owner_name(self, risk) -> str | None:
        return _name(risk.owner)

    def get_raised_by(self, risk) -> str | None:
        return _name(risk.raised_by)

    def get_evidence(self, risk) -> list[dict]:
        request = self.context.get("request")
        return visible_evidence(risk, request.user if request else None)

    def get_review_overdue(self, risk) -> bool:
        return risk.review_overdue(self.context.get("today") or timezone.localdate())


class RiskDetailSerializer(RiskSerializer):
    events = serializers.SerializerMethodField(
        help_text="The risk's history, oldest first: for the academy, from when it was shared with it."
    )

    @extend_schema_field(RiskEventSerializer(many=True))
    def get_events(self, risk):
        request = self.context.get("request")
        events = risk_events(risk, request.user if request else None, events=risk.events.all())
        return RiskEventSerializer(events, many=True, context=self.context).data

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "events"]


class RiskReviewSerializer(serializers.Serializer):
    commentary = serializers.CharField(help_text="What the review found; kept in the history.")
    reviewed_on = serializers.DateField(required=False, help_text="Today if left out; never in the future.")
    version = version_field("The version you read, if you want a stale review refused.")


class RiskReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why; kept in the history.")
    version = version_field("The version you read, if you want a stale step refused.")


NO_RISK = OpenApiResponse(description="No risk with that identifier in your scope.")
NOT_RISK_STAFF = OpenApiResponse(description="Your role may not change this risk.")


def _risk_step(summary, request):
    return change_schema(summary, request, answer=RiskDetailSerializer, refused=NOT_RISK_STAFF,
                         not_found=NO_RISK, versioned=True)


@extend_schema_view(
    list=extend_schema(
        summary="Risks in your scope (academy roles: their academy's shared risks only)",
        parameters=[
            OpenApiParameter("academy", str, description="An academy's URN."),
            OpenApiParameter("category", str, enum=Category.values, description="The area of risk."),
            OpenApiParameter("rag", str, enum=RAG.values, description="The rating from its score."),
            OpenApiParameter("status", str, enum=Risk.Status.values, description="Open or closed."),
            OpenApiParameter("visibility", str, enum=Visibility.values, description="Who it is shared with."),
            OpenApiParameter("overdue", bool, description="true: only open risks past their review date."),
        ],
        responses={200: RiskSerializer(many=True), 400: BAD_FILTER, 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(RiskDetailSerializer, NO_RISK, "A risk with its history"),
    create=add_schema(
        "Raise a risk (executives, the School Improvement Executive Lead, hub leads)", RiskDetailSerializer,
        what="risk", refused="Your role may not raise risks for this academy (or, with no academy, for the "
                             "trust).",
    ),
    partial_update=change_schema(
        "Change a risk, with the reason, from the version you read", RiskDetailSerializer,
        answer=RiskDetailSerializer, refused=NOT_RISK_STAFF, not_found=NO_RISK, versioned=True,
        invalid=OpenApiResponse(description="Invalid change, or no reason or version given; the answer "
                                            "says why. Nothing changed."),
    ),
)
class RiskViewSet(RecordViewSet):
    """The live risk register. A risk's score is likelihood x impact and its RAG follows from
    the score; both are derived, never written. Every change is kept in the risk's history with
    who, when and why. Trust-only and trust-level risks are the trust's: academy roles never
    see them, in a list, a count or an answer."""

    queryset = Risk.objects.all()
    view_action = "risk.view"
    change_action = "risk.change"
    versioned = True
    versioned_steps = True
    service_object = "risk"
    add_refused = "Your role may not raise risks."

    def base_queryset(self):
        rows = Risk.objects.select_related("academy", "owner", "rule", "raised_by")
        if self.action != "list":
            rows = rows.prefetch_related(Prefetch("events", queryset=RiskEvent.objects.select_related("by")))
        return rows

    def get_serializer_class(self):
        return RiskSerializer if self.action == "list" else RiskDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self):
        rows = super().get_queryset().order_by("-score", "next_review_on", "reference", "pk")
        if self.action != "list":
            return rows
        filters = Filters(self.request.query_params)
        if filters.text("academy"):
            rows = rows.filter(academy__urn=filters.text("academy"))
        for name, values in (("category", Category.values), ("rag", RAG.values),
                             ("status", Risk.Status.values), ("visibility", Visibility.values)):
            if value := filters.choice(name, values):
                rows = rows.filter(**{name: value})
        overdue = filters.flag("overdue")
        filters.check()
        if overdue is not None:
            late = Q(status=Risk.Status.OPEN, next_review_on__lt=timezone.localdate())
            rows = rows.filter(late) if overdue else rows.exclude(late)
        return rows

    def create(self, request, *args, **kwargs):
        risk = run_service(risk_services.risk_raise, by=request.user, **self._new())
        return self._answer(risk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        risk = self._get("risk.change")
        version, fields = self._changes(risk, "risk")
        # Left out, the reason is empty, and the service refuses the change for want of one.
        reason = fields.pop("reason", "")
        risk = run_service(risk_services.risk_change, risk=risk, by=request.user, reason=reason,
                           version=version, **fields)
        return self._answer(risk)

    @_risk_step("Record a review of an open risk; its next review follows its frequency",
                RiskReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, uuid=None):
        return self._take(risk_services.risk_review, "risk.change", RiskReviewSerializer)

    @_risk_step("Close a risk, with the reason", RiskReasonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, uuid=None):
        return self._take(risk_services.risk_close, "risk.change", RiskReasonSerializer)

    @_risk_step("Reopen a closed risk, with the reason", RiskReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, uuid=None):
        return self._take(risk_services.risk_reopen, "risk.change", RiskReasonSerializer)


# ---------------------------------------------------------------------------------------------
# Link-governor visits

PRIORITY_REFUSED = "Choose one of this academy's priorities."


class GovernorVisitSerializer(serializers.ModelSerializer):
    academy = AcademyField()
    academy_name = serializers.CharField(source="academy.name", read_only=True)
    governor = serializers.SerializerMethodField(help_text="The governor who visited.")
    priority = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Priority.objects.none(), required=False, allow_null=True,
        error_messages={"does_not_exist": PRIORITY_REFUSED, "invalid": PRIORITY_REFUSED},
        help_text="The development-plan priority the visit followed up, by its identifier.",
    )
    priority_title = serializers.CharField(source="priority.title", read_only=True, allow_null=True)

    class Meta:
        model = GovernorVisit
        fields = ["uuid", "academy", "academy_name", "governor", "visited_on", "focus", "priority",
                  "priority_title", "notes", "created_at", "updated_at"]
        read_only_fields = ["uuid", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["priority"].queryset = Priority.objects.visible_to(request.user)

    def get_governor(self, visit) -> str | None:
        return _name(visit.governor)


NO_VISIT = OpenApiResponse(description="No visit with that identifier in your scope.")


@extend_schema_view(
    list=extend_schema(
        summary="Link-governor visits in your scope",
        parameters=[OpenApiParameter("academy", str, description="An academy's URN.")],
        responses={200: GovernorVisitSerializer(many=True), 401: NOT_SIGNED_IN},
    ),
    retrieve=read_schema(GovernorVisitSerializer, NO_VISIT),
    create=add_schema("Record your visit (governors of the academy)", GovernorVisitSerializer,
                      what="visit", refused="Only the academy's governors record visits."),
    partial_update=change_schema(
        "Change your own record of a visit", GovernorVisitSerializer, answer=GovernorVisitSerializer,
        refused=OpenApiResponse(description="Only the governor who visited changes the record."),
        not_found=NO_VISIT, versioned=False,
        invalid=OpenApiResponse(description="Invalid change; each field is named with the reason."),
    ),
)
class GovernorVisitViewSet(RecordViewSet):
    """What link governors looked at on their visits, each linked to a development-plan
    priority where it followed one up. A governor records and changes their own visits."""

    queryset = GovernorVisit.objects.all()
    serializer_class = GovernorVisitSerializer
    view_action = "visit.view"
    change_action = "visit.record"
    add_refused = "Only governors record visits."

    def base_queryset(self):
        return GovernorVisit.objects.select_related("academy", "governor", "priority")

    def get_queryset(self):
        rows = super().get_queryset().order_by("-visited_on", "-created_at", "-pk")
        if self.action == "list" and self.request.query_params.get("academy"):
            rows = rows.filter(academy__urn=self.request.query_params["academy"])
        return rows

    def create(self, request, *args, **kwargs):
        visit = run_service(services.visit_record, by=request.user, **self._new())
        return self._answer(visit, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        visit = self._get("visit.record")
        _, fields = self._changes(visit, "visit")
        return self._answer(run_service(services.visit_edit, visit=visit, by=request.user, **fields))


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("health-checks", HealthCheckViewSet, basename="health-check")
    router.register("health-check-actions", HealthCheckActionViewSet, basename="health-check-action")
    router.register("risks", RiskViewSet, basename="risk")
    router.register("governor-visits", GovernorVisitViewSet, basename="governor-visit")
