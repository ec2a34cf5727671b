from django.urls import reverse

from .access import scope_for
from .notifications import notifications_for


def navigation(request):
    """The menu: each role sees only what it may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_for(user)
    items = []
    if scope.can_anywhere("academy.view"):
        items.append(("academies", "Academies", reverse("academies:list")))
    if scope.can_anywhere("results.view"):
        items.append(("standards", "Standards", reverse("academies:standards")))
    if scope.can_anywhere("plan.view"):
        items.append(("priorities", "Priorities", reverse("academies:priorities")))
    if scope.can_anywhere("healthcheck.view"):
        items.append(("healthchecks", "Health checks", reverse("healthchecks:list")))
    if scope.can_anywhere("risk.register"):
        items.append(("risks", "Risks", reverse("healthchecks:risks")))
    if scope.can_anywhere("tier.recommendation.view"):
        items.append(("tiers", "Tiers", reverse("tiers:board")))
    if scope.can_anywhere("tier.recommendation.view") or scope.can_anywhere("support.log"):
        items.append(("support", "Support", reverse("tiers:support-overview")))
    if scope.can_anywhere("target.agree"):
        items.append(("board", "Board decisions", reverse("academies:targets-board")))
    if scope.can_anywhere("data.import"):
        items.append(("imports", "Imports", reverse("academies:imports")))
    if scope.can_anywhere("api.docs"):
        items.append(("api", "API", reverse("api-docs")))
    if user.is_staff:
        items.append(("admin", "Admin", reverse("admin:index")))
    match = request.resolver_match
    current = match.namespace if match else ""
    if current == "academies" and (match.url_name or "").startswith(("standard", "aim-edit")):
        current = "standards"
    if current == "academies" and match.url_name == "priorities":
        current = "priorities"
    if current == "academies" and match.url_name == "targets-board":
        current = "board"
    if current == "healthchecks":
        name = match.url_name or ""
        current = "risks" if name.startswith(("risk", "rule")) else "healthchecks"
    if current == "tiers":
        name = match.url_name or ""
        if name in ("academy", "propose", "support", "support-log", "academy-capacity", "baseline-create"):
            current = "academies"  # an academy's tier, support and capacity are the academy's tabs
        elif name.startswith(("support", "calendar", "capacity")):
            current = "support"
    if current == "academies" and (match.url_name or "").startswith("import"):
        current = "imports"  # imports live under /academies/ but have their own menu item
    return {
        "nav_items": [
            {"key": key, "label": label, "url": url, "active": key == current}
            for key, label, url in items
        ],
        "user_scope": scope,
        # One count over a partial index, on every page: the bell in the navbar.
        "unread_notifications": notifications_for(user).unread().count(),
    }
