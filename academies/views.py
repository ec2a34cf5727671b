import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trust.access import get_scoped_or_404, require, scope_for
from trust.models import Hub, Membership, Role, Trust

from . import selectors
from .forms import AcademyFilterForm, AcademyForm
from .models import Academy

PAGE_SIZE = 50
# Who an academy's people are, in the order a visitor looks for them.
PEOPLE_ORDER = [Role.HEADTEACHER, Role.HUB_LEAD, Role.GOVERNOR, Role.ACADEMY_DATA_MANAGER]


@login_required
@require_GET
def academy_list(request):
    visible = Academy.objects.visible_to(request.user)
    hubs = Hub.objects.filter(pk__in=visible.values("hub_id")).order_by("name")
    form = AcademyFilterForm(request.GET or None, hubs=hubs)
    academies = visible.select_related("hub")
    if form.is_bound and form.is_valid():
        academies = form.apply(academies)
    page = Paginator(academies.order_by("name", "urn"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "academies/academy_list.html", {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": scope_for(request.user).can("academy.create"),
    })


@login_required
@require_GET
def academy_detail(request, urn):
    academy = get_scoped_or_404(
        request.user, Academy.objects.select_related("hub", "trust"), action="academy.view", urn=urn
    )
    people = sorted(
        Membership.objects.filter(
            Q(academy=academy) | Q(role=Role.HUB_LEAD, hub_id=academy.hub_id, hub__isnull=False)
        ).select_related("user", "hub"),
        key=lambda m: (PEOPLE_ORDER.index(m.role), m.user.full_name),
    )
    scope = scope_for(request.user)
    return render(request, "academies/academy_detail.html", {
        "academy": academy,
        "people": people,
        "your_roles": sorted(Role(r).label for r in scope.roles_for(academy)),
        "can_change": scope.can("academy.change", academy),
        "data_summary": selectors.academy_summary(academy),
    })


@login_required
@require_http_methods(["GET", "POST"])
def academy_create(request):
    require(request.user, "academy.create")
    trust = Trust.current()
    form = AcademyForm(request.POST or None, user=request.user, trust=trust)
    if request.method == "POST" and form.is_valid():
        academy = form.save()
        messages.success(request, f"{academy.name} has been added to the trust.")
        return redirect(academy)
    return render(request, "academies/academy_form.html", {"form": form, "academy": None})


@login_required
@require_http_methods(["GET", "POST"])
def academy_edit(request, urn):
    academy = get_scoped_or_404(request.user, Academy.objects.all(), action="academy.change", urn=urn)
    # The form works on its own copy, so that a refused change never shows as the academy's name.
    form = AcademyForm(
        request.POST or None, instance=copy.copy(academy), user=request.user, trust=academy.trust
    )
    if request.method == "POST" and form.is_valid():
        academy = form.save()
        messages.success(request, f"{academy.name} has been updated.")
        return redirect(academy)
    return render(request, "academies/academy_form.html", {"form": form, "academy": academy})
