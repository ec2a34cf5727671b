"""Being written: each view is replaced by its real one."""

from django.http import Http404


def risk_register(request, **kwargs):
    raise Http404


def risk_board(request, **kwargs):
    raise Http404


def risk_export(request, **kwargs):
    raise Http404


def risk_create(request, **kwargs):
    raise Http404


def rule_list(request, **kwargs):
    raise Http404


def rule_create(request, **kwargs):
    raise Http404


def rule_edit(request, **kwargs):
    raise Http404


def risk_detail(request, **kwargs):
    raise Http404


def risk_edit(request, **kwargs):
    raise Http404


def risk_review(request, **kwargs):
    raise Http404


def risk_close(request, **kwargs):
    raise Http404


def risk_reopen(request, **kwargs):
    raise Http404


def academy_risks(request, **kwargs):
    raise Http404
