"""What every API view shares: scoped querysets, 404 outside scope, 403 for read-only."""

from rest_framework import permissions, viewsets

from .access import get_scoped_or_404, scope_for


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset over a ScopedQuerySet.

    Lists hold only what the caller may see; an object outside scope is 404; a write to an
    object the caller may only read is 403. `view_action` and `change_action` name the
    access actions (trust.access.ACTIONS) for reading and writing.
    """

    permission_classes = [permissions.IsAuthenticated]
    view_action: str = ""
    change_action: str = ""
    create_action: str = ""

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def get_object(self):
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        write = self.request.method not in permissions.SAFE_METHODS
        return get_scoped_or_404(
            self.request.user,
            self.base_queryset(),
            action=self.change_action if write else self.view_action,
            **lookup,
        )

    def check_permissions(self, request):
        super().check_permissions(request)
        if (
            self.action == "create"
            and self.create_action
            and not scope_for(request.user).can(self.create_action)
        ):
            self.permission_denied(request, message="Your role may not add these.")
