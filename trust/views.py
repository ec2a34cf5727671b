from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from .access import scope_for
from .health import service_report


@never_cache
@require_GET
def healthz(request):
    healthy, report = service_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
@require_GET
def home(request):
    """Send each person where they work: trust-wide and hub roles to the academies, an
    academy's people to their academy."""
    scope = scope_for(request.user)
    if scope.is_empty:
        return render(request, "trust/no_role.html")
    if not scope.trust_wide and not scope.hub_roles and len(scope.academy_roles) == 1:
        urn = request.user.memberships.filter(academy__isnull=False).values_list(
            "academy__urn", flat=True
        )[0]
        return redirect("academies:detail", urn=urn)
    return redirect("academies:list")


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Show or replace the person's API token; replacing it revokes the old one."""
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        Token.objects.create(user=request.user)
        messages.success(request, "A new API token has been made. The old one no longer works.")
        return redirect("api-token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "registration/api_token.html", {"token": token})
