"""The trust's capacity to support: what its academies and central team offer, matched to the
development-plan priorities of the academies in tiers 3 and 4.

Scope: the trust's page is read by people who read the trust's tier evidence (a hub lead sees
the matching for their hub's academies); offers are changed only trust-wide (capacity.change,
with no academy). One academy's page is read by everyone who sees the academy: offers of
support are not confidential.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academies.models import Academy
from trust.access import get_scoped_or_404, require, require_anywhere, scope_for

from . import services
from . import support_selectors as selectors
from .forms_support import CapacityOfferForm
from .models import CapacityOffer, TierAssignment

OFFERS = CapacityOffer.objects.select_related("provider", "academic_year")
NEEDING_SUPPORT = (3, 4)


@login_required
@require_GET
def capacity(request):
    require_anywhere(request.user, "tier.recommendation.view")
    year = selectors.year_from(request.GET.get("year"))
    agreed = (
        TierAssignment.objects.agreed()
        .visible_to(request.user)
        .filter(academic_year=year, tier__in=NEEDING_SUPPORT)
        .select_related("academy")
        .order_by("-tier", "academy__name")
    )
    matches = services.capacity_matches_for([a.academy for a in agreed], year)
    needs = [(a.academy, a.tier, matches[a.academy_id]) for a in agreed]
    return render(request, "tiers/capacity/list.html", {
        "year": year,
        "offers": list(OFFERS.filter(academic_year=year)),
        "needs": needs,
        "can_change": scope_for(request.user).can("capacity.change"),
    })


@login_required
@require_GET
def academy_capacity(request, urn):
    academy = get_scoped_or_404(
        request.user, Academy.objects.select_related("hub"), action="support.view", urn=urn
    )
    year = selectors.year_from(request.GET.get("year"))
    return render(request, "tiers/capacity/academy.html", {
        "academy": academy,
        "year": year,
        "matches": services.capacity_matches(academy, year),
        "own_offers": list(OFFERS.filter(academic_year=year, provider=academy)),
        "can_change": scope_for(request.user).can("capacity.change"),
    })


def _offer_form(request, offer):
    require(request.user, "capacity.change")
    form = CapacityOfferForm(request.POST if request.method == "POST" else None, instance=offer)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.academic_year_id is None:
            saved.academic_year = selectors.year_from(None)
        saved.save()
        messages.success(request, f"Offer saved: {saved.provider_name}, {saved.expertise}.")
        return redirect("tiers:capacity")
    return render(request, "tiers/capacity/form.html", {"form": form, "offer": offer})


@login_required
@require_http_methods(["GET", "POST"])
def capacity_create(request):
    return _offer_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def capacity_edit(request, uuid):
    require(request.user, "capacity.change")
    return _offer_form(request, get_object_or_404(OFFERS, uuid=uuid))


@login_required
@require_POST
def capacity_delete(request, uuid):
    require(request.user, "capacity.change")
    offer = get_object_or_404(OFFERS, uuid=uuid)
    offer.delete()
    messages.success(request, f"Offer removed: {offer.provider_name}, {offer.expertise}.")
    return redirect("tiers:capacity")
