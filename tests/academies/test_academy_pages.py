import pytest
from django.urls import reverse

from academies.models import Academy
from tests.access_cases.common import academy_form_data
from tests.conftest import World
from tests.factories import AcademyFactory, Role
from tests.utils import queries_for

LIST = reverse("academies:list")


def names(response):
    return [a.name for a in response.context["page"].object_list]


def test_the_list_shows_only_what_the_person_may_see(client, world):
    client.force_login(world[Role.HUB_LEAD])
    assert names(client.get(LIST)) == ["North A", "North B"]
    client.force_login(world[Role.GOVERNOR])
    assert names(client.get(LIST)) == ["North A"]
    client.force_login(world[Role.TRUSTEE])
    assert names(client.get(LIST)) == ["North A", "North B", "South A", "South B"]


def test_search_and_filters(client, world):
    world.south_b.phase = Academy.Phase.SPECIAL
    world.south_b.save()
    AcademyFactory(trust=world.trust, hub=None, urn="100099", name="Joining One",
                   status="joining", date_joined=None)
    client.force_login(world[Role.EXECUTIVE])
    assert names(client.get(LIST, {"q": "south"})) == ["South A", "South B"]
    assert names(client.get(LIST, {"q": "100003"})) == ["South A"]
    assert names(client.get(LIST, {"hub": "north"})) == ["North A", "North B"]
    assert names(client.get(LIST, {"phase": "special"})) == ["South B"]
    assert names(client.get(LIST, {"status": "joining"})) == ["Joining One"]
    assert names(client.get(LIST, {"hub": "south", "q": "b"})) == ["South B"]


def test_a_filter_of_a_hub_out_of_scope_is_not_offered(client, world):
    client.force_login(world[Role.HUB_LEAD])
    response = client.get(LIST, {"hub": "south"})
    assert response.status_code == 200
    assert "hub" in response.context["form"].errors
    assert "south" not in [h.slug for h in response.context["form"].fields["hub"].queryset]


def test_the_list_is_paged_and_its_query_count_does_not_grow(client, world):
    client.force_login(world[Role.EXECUTIVE])
    _, small = queries_for(client, LIST)
    for n in range(70):
        AcademyFactory(trust=world.trust, hub=world.south, urn=f"2{n:05d}", name=f"Zed {n:02d}")
    response, large = queries_for(client, LIST)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 74
    # session, user, memberships, unread notifications, hubs for the filter, count, page of
    # academies, session save
    assert len(large) == len(small) == 8
    page2 = client.get(LIST, {"page": 2})
    assert len(page2.context["page"].object_list) == 24


def test_the_academy_page_shows_its_register_entry_and_people(client, world):
    client.force_login(world[Role.GOVERNOR])
    response, queries = queries_for(client, world.north_a.get_absolute_url())
    body = response.content.decode()
    assert "North A" in body and "URN 100001" in body
    assert "head@trust.test" in body  # the headteacher, as one of the academy's people
    assert "hublead@trust.test" in body  # and the hub lead of its hub
    assert "Edit details" not in body
    # session, user, memberships, unread notifications, academy, people with their hubs, last
    # upload, latest inspection, session save
    assert len(queries) == 9


def test_an_executive_edits_an_academy(client, world):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:edit", kwargs={"urn": "100001"})
    response = client.post(url, academy_form_data(world.north_a, name="North Academy", hub=world.south.pk))
    assert response.status_code == 302
    world.north_a.refresh_from_db()
    assert (world.north_a.name, world.north_a.hub) == ("North Academy", world.south)


def test_bad_edits_say_what_to_fix_and_change_nothing(client, world):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:edit", kwargs={"urn": "100001"})
    response = client.post(url, academy_form_data(world.north_a, name="", status="left"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors
    assert "Give the date the academy left the trust." in errors["date_left"]
    world.north_a.refresh_from_db()
    assert world.north_a.name == "North A" and world.north_a.status == "open"


def test_the_urn_cannot_be_changed_by_editing(client, world):
    client.force_login(world[Role.EXECUTIVE])
    url = reverse("academies:edit", kwargs={"urn": "100001"})
    client.post(url, academy_form_data(world.north_a, urn="123456"))
    assert Academy.objects.filter(urn="100001").exists()
    assert not Academy.objects.filter(urn="123456").exists()


def test_a_hub_lead_cannot_move_an_academy_out_of_their_hub(client, world):
    """A forged hub id is refused by the form, not saved."""
    client.force_login(world[Role.HUB_LEAD])
    url = reverse("academies:edit", kwargs={"urn": "100001"})
    response = client.post(url, academy_form_data(world.north_a, hub=world.south.pk))
    assert response.status_code == 200
    assert "hub" in response.context["form"].errors
    response = client.post(url, academy_form_data(world.north_a, hub=""))
    assert "hub" in response.context["form"].errors
    world.north_a.refresh_from_db()
    assert world.north_a.hub == world.north


def test_adding_an_academy(client, world):
    client.force_login(world[Role.ADMINISTRATOR])
    url = reverse("academies:create")
    data = academy_form_data(world.north_a, urn="140123", name="New Academy")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("academies:detail", kwargs={"urn": "140123"})
    assert Academy.objects.get(urn="140123").trust == world.trust

    again = client.post(url, {**data, "name": "Duplicate"})
    assert "already exists" in str(again.context["form"].errors["urn"])
    short = client.post(url, {**data, "urn": "14012"})
    assert "six-digit" in str(short.context["form"].errors["urn"])
    assert Academy.objects.filter(name="Duplicate").count() == 0


@pytest.mark.parametrize("size", [4, 40])
def test_home_page_queries_do_not_depend_on_size(client, size, db):
    world = World()
    for n in range(size - 4):
        AcademyFactory(trust=world.trust, hub=world.north, urn=f"3{n:05d}")
    client.force_login(world[Role.GOVERNOR])
    response, queries = queries_for(client, "/")
    assert response.status_code == 302
    # session, user, memberships, the academy's URN, session save
    assert len(queries) == 5
