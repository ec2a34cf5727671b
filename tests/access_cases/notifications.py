"""Notifications: everyone signed in has their own; someone else's is not found, and so is
one about an academy the owner no longer sees."""

from trust.models import Notification
from trust.notifications import KINDS

from .common import Case, R, sees

OWNER = R.HEADTEACHER


def owners_notification(world, academy):
    notification = Notification.objects.create(
        user=world[OWNER], kind="target.review_needed", title=f"Targets of {academy.name} await you",
        url=academy.get_absolute_url(), academy=academy,
    )
    return {"uuid": notification.uuid}


def only_the_owner(role, target):
    return 302 if role == OWNER and sees(role, target) else 404


CASES = [
    Case("notifications:list", "get", 200),
    Case("notifications:list", "post", 405),
    Case("notifications:read", "post", only_the_owner, object_kwargs=owners_notification),
    Case("notifications:read", "get", 405, object_kwargs=owners_notification),
    Case("notifications:read-all", "post", 302),
    Case("notifications:read-all", "get", 405),
    Case("notifications:settings", "get", 200),
    Case("notifications:settings", "post", 302, data=lambda world, academy: {
        f"delivery-{kind}": "digest" for kind in KINDS
    }),
]
