"""The signed-in person's own notifications through the API: the list, one notification,
marking them read, and how they want to hear about each kind.

Only the caller's notifications are ever listed or found (less those about academies they no
longer see): anyone else's answers 404, exactly as a missing one.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from .models import Notification, NotificationPreference
from .notifications import KINDS, notifications_for

Delivery = NotificationPreference.Delivery
DELIVERY_LABELS = dict(Delivery.choices)


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text='What happened, as a short code, e.g. "risk.raised".')
    kind_label = serializers.SerializerMethodField()
    academy = serializers.SlugRelatedField(slug_field="urn", read_only=True,
                                           help_text="The URN of the academy it is about, if any.")
    academy_name = serializers.CharField(source="academy.name", read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["uuid", "kind", "kind_label", "title", "body", "url", "academy", "academy_name",
                  "created_at", "read_at", "unread", "email", "emailed_at", "digest", "digested_at"]
        read_only_fields = fields

    def get_kind_label(self, notification) -> str:
        return KINDS.get(notification.kind, "")

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferenceListSerializer(serializers.ListSerializer):
    def validate(self, attrs):
        kinds = [row["kind"] for row in attrs]
        twice = sorted({kind for kind in kinds if kinds.count(kind) > 1})
        if twice:
            raise ValidationError({"kind": [f"Give each kind once; given twice: {', '.join(twice)}."]})
        return attrs


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=list(KINDS.items()),
        error_messages={"invalid_choice": '"{input}" is not a kind of notification.'},
        help_text="A kind of notification.",
    )
    label = serializers.SerializerMethodField()
    delivery = serializers.ChoiceField(
        choices=Delivery.choices,
        error_messages={"invalid_choice": '"{input}" is not a way to hear: choose immediate, digest or app.'},
        help_text="immediate: an email straight away; digest: in the daily digest email; app: in the "
        "app only. Every notification is shown in the app.",
    )
    delivery_label = serializers.SerializerMethodField()

    class Meta:
        list_serializer_class = PreferenceListSerializer

    def get_label(self, row) -> str:
        return KINDS.get(row["kind"], "")

    def get_delivery_label(self, row) -> str:
        return DELIVERY_LABELS.get(row["delivery"], "")


def preferences_of(user):
    """Every kind with how the person hears about it (an email straight away unless they chose)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [{"kind": kind, "delivery": chosen.get(kind, Delivery.IMMEDIATE)} for kind in KINDS]


NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
NOT_FOUND = OpenApiResponse(description="You have no notification with that identifier.")
PREFERENCES = PreferenceSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="true: only those not yet read; "
                                                                 "false: only those read.")],
        responses={200: NotificationSerializer(many=True),
                   400: OpenApiResponse(description="`unread` is neither true nor false."),
                   401: NOT_SIGNED_IN},
    ),
    retrieve=extend_schema(
        summary="One of your notifications",
        responses={200: NotificationSerializer, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own notifications: what you should know or act on. Nobody else's are ever listed or
    found."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a person
            return Notification.objects.none()
        rows = notifications_for(self.request.user).select_related("academy").order_by("-created_at", "-pk")
        if self.action == "list":
            unread = (self.request.query_params.get("unread") or "").lower()
            if unread in ("true", "1", "yes"):
                rows = rows.unread()
            elif unread in ("false", "0", "no"):
                rows = rows.filter(read_at__isnull=False)
            elif unread:
                raise ValidationError({"unread": ["Give true or false."]})
        return rows

    def get_object(self):
        """One of the caller's notifications; anything else, malformed or missing alike, is 404."""
        try:
            return self.get_queryset().get(uuid=uuid.UUID(str(self.kwargs["uuid"])))
        except (ValueError, Notification.DoesNotExist):
            raise NotFound from None

    @extend_schema(
        summary="Mark one of your notifications read",
        request=None,
        responses={200: NotificationSerializer, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, uuid=None):
        notification = self.get_object()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: ReadAllSerializer, 401: NOT_SIGNED_IN},
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        marked = notifications_for(request.user).unread().update(read_at=timezone.now())
        return Response(ReadAllSerializer({"marked": marked}).data)

    @extend_schema(
        methods=["GET"],
        summary="How you hear about each kind of notification",
        responses={200: PREFERENCES, 401: NOT_SIGNED_IN},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Choose how you hear about kinds of notification",
        description="Send the kinds to change, each with its delivery; kinds left out keep theirs. "
        "The answer is every kind with its delivery.",
        request=PREFERENCES,
        responses={200: PREFERENCES,
                   400: OpenApiResponse(description="An unknown kind or delivery, or a kind given twice. "
                                                    "Nothing changed."),
                   401: NOT_SIGNED_IN},
    )
    @action(detail=False, methods=["get", "put"], pagination_class=None)
    def preferences(self, request):
        if request.method == "PUT":
            serializer = PreferenceSerializer(data=request.data, many=True)
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():
                for row in serializer.validated_data:
                    NotificationPreference.objects.update_or_create(
                        user=request.user, kind=row["kind"], defaults={"delivery": row["delivery"]}
                    )
        return Response(PreferenceSerializer(preferences_of(request.user), many=True).data)



def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("notifications", NotificationViewSet, basename="notification")
