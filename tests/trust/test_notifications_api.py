"""/api/v1/notifications/: the signed-in person's own notifications, marking them read, and how
they hear about each kind. Someone else's notification is 404 exactly as a missing one."""

import uuid

from django.urls import reverse

from tests.factories import Role
from tests.healthchecks.makers import make_health_check
from tests.utils import queries_for
from trust.models import Notification, NotificationPreference
from trust.notifications import KINDS, delivery_for

LIST = reverse("api:notification-list")
READ_ALL = reverse("api:notification-read-all")
PREFERENCES = reverse("api:notification-preferences")


def as_(client, world, role):
    client.force_login(world[role])
    return client


def tell(user, academy, title="A new risk", kind="risk.raised", **fields):
    return Notification.objects.create(user=user, kind=kind, title=title, body="Score 12.", url="/risks/",
                                       academy=academy, **fields)


def detail(name, notification):
    return reverse(f"api:notification-{name}", kwargs={"uuid": getattr(notification, "uuid", notification)})


def test_the_list_holds_only_my_notifications_newest_first(client, world):
    head = world[Role.HEADTEACHER]
    older = tell(head, world.north_a, title="Older")
    newer = tell(head, None, title="About the trust", kind="target.deadline")
    tell(world[Role.GOVERNOR], world.north_a, title="The governor's")
    tell(head, world.south_a, title="About an academy I no longer see")
    data = as_(client, world, Role.HEADTEACHER).get(LIST).json()
    assert data["count"] == 2
    assert [row["uuid"] for row in data["results"]] == [str(newer.uuid), str(older.uuid)]
    first = data["results"][1]
    assert (first["kind"], first["kind_label"], first["academy"], first["academy_name"], first["unread"]) == (
        "risk.raised", KINDS["risk.raised"], world.north_a.urn, world.north_a.name, True)
    assert data["results"][0]["academy"] is None


def test_the_list_filters_unread(client, world):
    head = world[Role.HEADTEACHER]
    unread = tell(head, world.north_a)
    read = tell(head, world.north_a, title="Seen")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = as_(client, world, Role.HEADTEACHER)
    assert [r["uuid"] for r in client.get(LIST, {"unread": "true"}).json()["results"]] == [str(unread.uuid)]
    assert [r["uuid"] for r in client.get(LIST, {"unread": "false"}).json()["results"]] == [str(read.uuid)]
    bad = client.get(LIST, {"unread": "perhaps"})
    assert bad.status_code == 400 and "unread" in bad.json()


def test_someone_elses_notification_is_404_exactly_as_a_missing_one(client, world):
    theirs = tell(world[Role.GOVERNOR], world.north_a)
    hidden = tell(world[Role.HEADTEACHER], world.south_a)
    client = as_(client, world, Role.HEADTEACHER)
    missing = client.get(detail("detail", uuid.uuid4()))
    assert missing.status_code == 404
    malformed = client.get(reverse("api:notification-list") + "not-an-identifier/")
    assert malformed.status_code == 404 and malformed.json() == missing.json()
    for notification in (theirs, hidden):
        answers = (client.get(detail("detail", notification)), client.post(detail("read", notification)))
        for response in answers:
            assert response.status_code == 404 and response.json() == missing.json()
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_reading_one_marks_it_read_once(client, world):
    mine = tell(world[Role.HEADTEACHER], world.north_a)
    client = as_(client, world, Role.HEADTEACHER)
    assert client.get(detail("detail", mine)).json()["unread"] is True
    first = client.post(detail("read", mine))
    assert first.status_code == 200 and first.json()["unread"] is False and first.json()["read_at"]
    mine.refresh_from_db()
    read_at = mine.read_at
    assert client.post(detail("read", mine)).json()["read_at"] == first.json()["read_at"]
    mine.refresh_from_db()
    assert mine.read_at == read_at


def test_read_all_marks_only_my_visible_notifications(client, world):
    head = world[Role.HEADTEACHER]
    mine = [tell(head, world.north_a), tell(head, None, kind="target.deadline")]
    hidden = tell(head, world.south_a)
    theirs = tell(world[Role.GOVERNOR], world.north_a)
    client = as_(client, world, Role.HEADTEACHER)
    answer = client.post(READ_ALL)
    assert answer.status_code == 200 and answer.json() == {"marked": 2}
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    assert Notification.objects.filter(pk__in=[hidden.pk, theirs.pk], read_at__isnull=True).count() == 2
    assert client.post(READ_ALL).json() == {"marked": 0}
    assert client.get(LIST, {"unread": "true"}).json()["count"] == 0


def test_preferences_list_every_kind_with_an_email_straight_away_by_default(client, world):
    NotificationPreference.objects.create(user=world[Role.GOVERNOR], kind="risk.raised", delivery="app")
    rows = as_(client, world, Role.HEADTEACHER).get(PREFERENCES).json()
    assert [row["kind"] for row in rows] == list(KINDS)
    assert {row["delivery"] for row in rows} == {"immediate"}
    kind, label = next(iter(KINDS.items()))
    assert rows[0] == {"kind": kind, "label": label, "delivery": "immediate",
                       "delivery_label": "Email straight away"}


def test_changing_preferences_keeps_the_kinds_left_out(client, world):
    head = world[Role.HEADTEACHER]
    NotificationPreference.objects.create(user=head, kind="healthcheck.published", delivery="app")
    client = as_(client, world, Role.HEADTEACHER)
    answer = client.put(PREFERENCES, [{"kind": "risk.raised", "delivery": "digest"},
                                      {"kind": "action.overdue", "delivery": "app"}],
                        content_type="application/json")
    assert answer.status_code == 200, answer.content
    chosen = {row["kind"]: row["delivery"] for row in answer.json()}
    assert chosen["risk.raised"] == "digest" and chosen["action.overdue"] == "app"
    assert chosen["healthcheck.published"] == "app" and chosen["target.returned"] == "immediate"
    assert delivery_for([head], "risk.raised") == {head.pk: "digest"}
    client.put(PREFERENCES, [{"kind": "risk.raised", "delivery": "immediate"}],
               content_type="application/json")
    assert delivery_for([head], "risk.raised") == {head.pk: "immediate"}
    assert not NotificationPreference.objects.exclude(user=head).exists()


def test_an_unknown_kind_or_delivery_or_a_kind_twice_is_400_and_nothing_changes(client, world):
    client = as_(client, world, Role.HEADTEACHER)
    for body in (
        [{"kind": "risk.raised", "delivery": "digest"}, {"kind": "risk.exploded", "delivery": "app"}],
        [{"kind": "risk.raised", "delivery": "pigeon"}],
        [{"kind": "risk.raised", "delivery": "digest"}, {"kind": "risk.raised", "delivery": "app"}],
        {"kind": "risk.raised", "delivery": "digest"},
    ):
        answer = client.put(PREFERENCES, body, content_type="application/json")
        assert answer.status_code == 400, body
    assert not NotificationPreference.objects.exists()
    unknown = client.put(PREFERENCES, [{"kind": "risk.exploded", "delivery": "app"}],
                         content_type="application/json")
    assert "not a kind of notification" in str(unknown.json())


def test_a_report_submitted_through_the_api_reaches_the_headteacher(client, world):
    draft = make_health_check(world.north_a, status="draft")
    submitted = as_(client, world, Role.SIEL).post(
        reverse("api:health-check-submit", kwargs={"uuid": draft.uuid}), content_type="application/json")
    assert submitted.status_code == 200
    unread = as_(client, world, Role.HEADTEACHER).get(LIST, {"unread": "true"}).json()
    assert [row["kind"] for row in unread["results"]] == ["healthcheck.submitted"]
    assert unread["results"][0]["url"] == reverse("healthchecks:detail", kwargs={"uuid": draft.uuid})


def test_signed_out_is_401(client, world):
    mine = tell(world[Role.HEADTEACHER], world.north_a)
    assert client.get(LIST).status_code == 401
    assert client.post(detail("read", mine)).status_code == 401
    assert client.put(PREFERENCES, [], content_type="application/json").status_code == 401
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_list_costs_the_same_queries_for_few_notifications_or_many(client, world):
    head = world[Role.HEADTEACHER]
    tell(head, world.north_a)
    client = as_(client, world, Role.HEADTEACHER)
    _, few = queries_for(client, LIST)
    for number in range(6):
        tell(head, world.north_a if number % 2 else None, title=f"Risk {number}")
    response, many = queries_for(client, LIST)
    assert response.json()["count"] == 7
    assert len(many) == len(few), "\n".join(many)


def test_the_schema_documents_the_notification_routes(client, world):
    schema = as_(client, world, Role.GOVERNOR).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert {"200", "404"} <= set(paths["/api/v1/notifications/{uuid}/"]["get"]["responses"])
    assert {"200", "404"} <= set(paths["/api/v1/notifications/{uuid}/read/"]["post"]["responses"])
    assert "200" in paths["/api/v1/notifications/read-all/"]["post"]["responses"]
    put = paths["/api/v1/notifications/preferences/"]["put"]
    assert {"200", "400"} <= set(put["responses"])
    assert put["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    got = paths["/api/v1/notifications/preferences/"]["get"]["responses"]["200"]
    assert got["content"]["application/json"]["schema"]["type"] == "array"  # not paginated
    assert "unread" in {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
