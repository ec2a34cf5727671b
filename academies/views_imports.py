"""Imports in the browser: the list, the upload form, a batch's outcome and progress, its error
report as CSV, and the trust's template.

Reading an import follows its visibility (trust-wide roles, the uploader, people who see an
academy it touched); uploading needs the data.import action somewhere (403 otherwise).

A dry run keeps no copy of the file: to import previewed figures, the person uploads the file
again with "Dry run" unticked (the batch page links to the form with the same kind and year).
That way nothing uploaded lingers on the server, and what is imported is exactly what they
chose to send.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from trust.access import scope_for

from .imports.formats import FORMATS
from .imports.pipeline import summary
from .imports.submit import (
    error_report_csv,
    error_rows,
    import_academies,
    import_submit,
    oversize,
    visible_batch,
    year_choices,
)
from .models import Academy, ImportBatch

PAGE_SIZE = 50


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A .csv or .xlsx file: the trust's template, or a DfE or Ofsted file.")
    kind = forms.ChoiceField(
        label="Kind of file", required=False,
        help_text="Leave it to be recognised from the file's header row, unless it is recognised wrongly.",
    )
    year = forms.TypedChoiceField(
        label="Academic year", coerce=int, empty_value=None, required=False,
        help_text="Only for files that do not say which year they are for",
    )
    academy = forms.ModelChoiceField(
        queryset=Academy.objects.none(), to_field_name="urn", empty_label="Choose the academy",
        help_text="You may import figures for these academies only.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and preview what would change, without writing anything",
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Recognise it from the header"), *sorted(
            ((kind, fmt.label) for kind, fmt in FORMATS.items()), key=lambda choice: choice[1]
        )]
        self.fields["year"].choices = [("", "The file says"), *year_choices()]
        needing = sorted(fmt.label for fmt in FORMATS.values() if fmt.needs_year)
        if needing:
            self.fields["year"].help_text += f" ({'; '.join(needing)})."
        academies = import_academies(user)
        self.only_academy = None
        if academies is None or len(academies) < 2:
            del self.fields["academy"]
            self.only_academy = academies[0] if academies else None
        else:
            self.fields["academy"].queryset = academies

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := oversize(upload.size):
            raise forms.ValidationError(problem)
        return upload


def _batch_or_404(user, uuid):
    try:
        return visible_batch(user, uuid)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def _kind_label(kind):
    fmt = FORMATS.get(kind)
    return fmt.label if fmt else kind


def _require_importer(user):
    if not scope_for(user).can_anywhere("data.import"):
        raise PermissionDenied


@login_required
@require_GET
def import_list(request):
    batches = ImportBatch.objects.visible_to(request.user).select_related(
        "uploaded_by", "academic_year", "scope_academy"
    ).order_by("-created_at", "-pk")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for batch in page.object_list:
        batch.kind_label = _kind_label(batch.kind)
    return render(request, "academies/imports/import_list.html", {
        "page": page,
        "can_import": scope_for(request.user).can_anywhere("data.import"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request):
    _require_importer(request.user)
    from .imports.formats.trust_template import TEMPLATE_COLUMNS

    initial = {key: request.GET[key] for key in ("kind", "year") if request.GET.get(key)}
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None,
                      user=request.user, initial=initial)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_submit(
            data=upload.read(), file_name=upload.name, user=request.user,
            kind=form.cleaned_data["kind"], year=form.cleaned_data["year"],
            dry_run=form.cleaned_data["dry_run"], academy=form.cleaned_data.get("academy"),
        )
        if not batch.finished:
            messages.info(request, f"{batch.file_name} is being imported in the background: this "
                                   "page shows how far it has gone.")
        return redirect("academies:import-detail", uuid=batch.uuid)
    return render(request, "academies/imports/import_form.html", {
        "form": form, "template_columns": TEMPLATE_COLUMNS,
    })


@login_required
@require_GET
def import_detail(request, uuid):
    batch = _batch_or_404(request.user, uuid)
    academies = list(
        Academy.objects.visible_to(request.user).filter(import_batches=batch).order_by("name")
    )
    return render(request, "academies/imports/import_detail.html", {
        "batch": batch,
        "kind_label": _kind_label(batch.kind),
        "summary": summary(batch) if batch.finished and batch.status != ImportBatch.Status.FAILED else "",
        "errors": error_rows(batch),
        "academies": academies,
        "can_import": scope_for(request.user).can_anywhere("data.import"),
    })


@login_required
@require_GET
def import_progress(request, uuid):
    """The progress panel, polled by htmx while the import runs; once it has finished, the
    whole page reloads to show the outcome."""
    batch = _batch_or_404(request.user, uuid)
    if batch.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "academies/imports/_progress.html", {"batch": batch})


@login_required
@require_GET
def import_errors_csv(request, uuid):
    batch = _batch_or_404(request.user, uuid)
    # The byte-order mark makes Excel read the file as UTF-8.
    response = HttpResponse(
        error_report_csv(batch).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-errors-{batch.uuid}.csv"'
    return response


@login_required
@require_GET
def import_template(request, fmt):
    _require_importer(request.user)
    from .imports.formats.trust_template import template_file

    content, content_type, file_name = template_file(kind=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
