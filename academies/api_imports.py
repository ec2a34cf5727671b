"""Imports through the API: POST /api/v1/imports/ (multipart) and the scoped list and detail."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from trust.access import scope_for
from trust.api import ScopedViewSet

from .imports.cells import CellError, parse_academic_year
from .imports.formats import FORMATS
from .imports.pipeline import summary
from .imports.submit import import_academies, import_submit, oversize, visible_batch, year_choices
from .models import Academy, ImportBatch

STATUSES = dict(ImportBatch.Status.choices)


class ImportBatchSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    academic_year = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField()
    scope_academy = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    academies = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "uuid", "file_name", "kind", "kind_label", "status", "status_label", "dry_run",
            "academic_year", "uploaded_by", "scope_academy", "created_at", "started_at",
            "finished_at", "size", "checksum", "rows_total", "rows_done", "created", "updated",
            "unchanged", "skipped", "errors", "notes", "summary", "page", "academies",
        ]
        read_only_fields = fields

    def get_kind_label(self, batch) -> str:
        fmt = FORMATS.get(batch.kind)
        return fmt.label if fmt else batch.kind

    def get_status_label(self, batch) -> str:
        return STATUSES.get(batch.status, "")

    def get_academic_year(self, batch) -> str | None:
        return batch.academic_year.label if batch.academic_year_id else None

    def get_uploaded_by(self, batch) -> str | None:
        return batch.uploaded_by.email if batch.uploaded_by_id else None

    def get_scope_academy(self, batch) -> str | None:
        """The URN of the academy an academy data manager's import was confined to."""
        return batch.scope_academy.urn if batch.scope_academy_id else None

    def get_summary(self, batch) -> str:
        return summary(batch) if batch.finished else ""

    def get_page(self, batch) -> str:
        """The batch's page in the browser, with its progress while it runs."""
        return reverse("academies:import-detail", kwargs={"uuid": batch.uuid})

    def get_academies(self, batch) -> list[str]:
        """URNs of the academies the import wrote figures for, of those the caller may see."""
        request = self.context.get("request")
        scope = scope_for(request.user) if request is not None else None
        return sorted(academy.urn for academy in batch.academies.all()
                      if scope is None or scope.can("academy.view", academy))


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv or .xlsx file.")
    kind = serializers.ChoiceField(
        choices=[], required=False, allow_blank=True,
        help_text="The kind of file; leave it out to have it recognised from the header row.",
    )
    year = serializers.CharField(
        required=False, allow_blank=True, max_length=9,
        help_text="The academic year, as 2022/23, for files that do not say theirs (the legacy KS2 file).",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check the file and report what would change, writing nothing.",
    )
    academy = serializers.SlugRelatedField(
        slug_field="urn", queryset=Academy.objects.none(), required=False,
        help_text="For academy data managers of several academies: the URN of the academy whose "
                  "figures these are.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(FORMATS)
        request = self.context.get("request")
        self.confined_to = import_academies(request.user) if request is not None else None
        if self.confined_to is not None:
            self.fields["academy"].queryset = self.confined_to

    def validate_file(self, upload):
        if problem := oversize(upload.size):
            raise serializers.ValidationError(problem)
        return upload

    def validate_year(self, text):
        if not text:
            return None
        try:
            start = parse_academic_year(text)
        except CellError as error:
            raise serializers.ValidationError(str(error)) from None
        offered = dict(year_choices())
        if start not in offered:
            raise serializers.ValidationError(
                f"Give a year from {offered[min(offered)]} to {offered[max(offered)]}."
            )
        return start

    def validate(self, attrs):
        if self.confined_to is not None and "academy" not in attrs and len(self.confined_to) > 1:
            raise serializers.ValidationError(
                {"academy": "You import for several academies: give the URN of the one these figures "
                            "are for."}
            )
        return attrs


NOT_FOUND = OpenApiResponse(description="No import with that UUID in your scope.")
REFUSED = OpenApiResponse(
    ImportBatchSerializer,
    description="The request is incomplete (the body names each field that is wrong), or the file was "
                "refused: then the body is the recorded batch, status \"failed\", with `errors` listing "
                "row, column, value and reason. Nothing was written.",
)
MAY_NOT_IMPORT = OpenApiResponse(description="Your role may not import data.")


@extend_schema_view(
    list=extend_schema(responses={200: ImportBatchSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ImportBatchSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(ImportBatchSerializer, description=(
                "Imported (or, with dry_run, previewed): the batch with its counts.")),
            202: OpenApiResponse(ImportBatchSerializer, description=(
                "A large file, queued for the background: poll the batch until its status is "
                "succeeded, previewed or failed.")),
            400: REFUSED,
            403: MAY_NOT_IMPORT,
        },
    ),
)
class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         ScopedViewSet):
    """Imports you may see (trust-wide roles: all; others: your own and those that touched an
    academy you see), newest first. POST a file to import it."""

    queryset = ImportBatch.objects.select_related(
        "uploaded_by", "academic_year", "scope_academy"
    ).prefetch_related("academies")
    serializer_class = ImportBatchSerializer
    lookup_field = "uuid"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ImportUploadSerializer if self.action == "create" else ImportBatchSerializer

    def get_object(self):
        # Every batch a person may see they may read; 404 for the rest, as for a missing one.
        try:
            return visible_batch(self.request.user, self.kwargs["uuid"])
        except (ImportBatch.DoesNotExist, DjangoValidationError, ValueError):
            raise Http404 from None

    def create(self, request, *args, **kwargs):
        if not scope_for(request.user).can_anywhere("data.import"):
            self.permission_denied(request, message="Your role may not import data.")
        upload = self.get_serializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = import_submit(
            data=data["file"].read(), file_name=data["file"].name, user=request.user,
            kind=data.get("kind", ""), year=data.get("year"), dry_run=data["dry_run"],
            academy=data.get("academy"),
        )
        if not batch.finished:
            code = status.HTTP_202_ACCEPTED
        elif batch.status == ImportBatch.Status.FAILED:
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_201_CREATED
        location = reverse("api:importbatch-detail", kwargs={"uuid": batch.uuid})
        return Response(ImportBatchSerializer(batch).data, status=code, headers={"Location": location})


def register(router):
    """Add this module's API routes to the /api/v1/ router."""
    router.register("imports", ImportBatchViewSet, basename="importbatch")
