from django.urls import reverse

from .access import scope_for


def navigation(request):
    """The menu: each role sees only what it may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_for(user)
    items = []
    if scope.can_anywhere("academy.view"):
        items.append(("academies", "Academies", reverse("academies:list")))
    if scope.can_anywhere("api.docs"):
        items.append(("api", "API", reverse("api-docs")))
    if user.is_staff:
        items.append(("admin", "Admin", reverse("admin:index")))
    current = request.resolver_match.namespace if request.resolver_match else ""
    return {
        "nav_items": [
            {"key": key, "label": label, "url": url, "active": key == current}
            for key, label, url in items
        ],
        "user_scope": scope,
    }
