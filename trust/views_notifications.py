"""The signed-in person's notifications: the list, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .notifications import notifications_for

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request):
    notifications = notifications_for(request.user).select_related("academy")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(request, "trust/notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, uuid):
    """Mark one notification read and go where it points. Reading is a change, so it is a
    POST; someone else's notification is not found."""
    notification = get_object_or_404(notifications_for(request.user), uuid=uuid)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    # The link was made by the app, but never send anyone off-site from a stored value.
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    marked = notifications_for(request.user).unread().update(read_at=timezone.now())
    if marked:
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
    return redirect("notifications:list")
