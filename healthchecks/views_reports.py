"""Being written: each view is replaced by its real one."""

from django.http import Http404


def health_check_list(request, **kwargs):
    raise Http404


def academy_health_checks(request, **kwargs):
    raise Http404


def health_check_create(request, **kwargs):
    raise Http404


def health_check_detail(request, **kwargs):
    raise Http404


def health_check_edit(request, **kwargs):
    raise Http404


def health_check_submit(request, **kwargs):
    raise Http404


def health_check_respond(request, **kwargs):
    raise Http404


def health_check_return(request, **kwargs):
    raise Http404


def health_check_publish(request, **kwargs):
    raise Http404


def health_check_pdf(request, **kwargs):
    raise Http404


def action_update(request, **kwargs):
    raise Http404
