"""The signed-in person's notifications: the list, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .models import Notification, NotificationPreference
from .notifications import KINDS, notifications_for

Delivery = NotificationPreference.Delivery

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


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """How the person hears about each kind: an email straight away, the daily digest, or the
    app only. Every kind is always shown in the app."""
    chosen = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("kind", "delivery")
    )
    rows = [{"kind": kind, "label": label, "delivery": chosen.get(kind, Delivery.IMMEDIATE)}
            for kind, label in KINDS.items()]
    errors = []
    if request.method == "POST":
        wanted = {}
        for row in rows:
            value = request.POST.get(f"delivery-{row['kind']}", "")
            if value not in Delivery.values:
                errors.append(f"Choose how to hear about: {row['label']}.")
            wanted[row["kind"]] = value
            row["delivery"] = value
        if not errors:
            with transaction.atomic():
                for kind, delivery in wanted.items():
                    NotificationPreference.objects.update_or_create(
                        user=request.user, kind=kind, defaults={"delivery": delivery}
                    )
            messages.success(request, "Your choices are saved.")
            return redirect("notifications:settings")
    return render(request, "trust/notifications/settings.html", {
        "rows": rows, "choices": Delivery.choices, "errors": errors,
    }, status=400 if errors else 200)
