from django.urls import reverse
from rest_framework.authtoken.models import Token

from academies.models import Academy
from tests.factories import Role

LIST = reverse("api:academy-list")


def detail(urn):
    return reverse("api:academy-detail", kwargs={"urn": urn})


def test_the_list_is_scoped_and_filterable(client, world):
    client.force_login(world[Role.HUB_LEAD])
    body = client.get(LIST).json()
    assert body["count"] == 2
    assert [a["urn"] for a in body["results"]] == ["100001", "100002"]
    client.force_login(world[Role.EXECUTIVE])
    assert client.get(LIST, {"hub": "south"}).json()["count"] == 2
    assert client.get(LIST, {"q": "North B"}).json()["results"][0]["urn"] == "100002"


def test_an_academy_as_json(client, world):
    client.force_login(world[Role.GOVERNOR])
    body = client.get(detail("100001")).json()
    assert body["name"] == "North A"
    assert body["hub"] == "north"
    assert body["phase_label"] == "Primary"


def test_token_authentication_sees_what_its_person_sees(client, world):
    token = Token.objects.create(user=world[Role.GOVERNOR])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(detail("100001"), **auth).status_code == 200
    assert client.get(detail("100003"), **auth).status_code == 404
    assert client.get(detail("100001"), HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_a_hub_lead_updates_their_academy(client, world):
    client.force_login(world[Role.HUB_LEAD])
    response = client.patch(detail("100002"), {"name": "North Bee"}, content_type="application/json")
    assert response.status_code == 200
    assert Academy.objects.get(urn="100002").name == "North Bee"


def test_bad_api_input_names_the_field_and_changes_nothing(client, world):
    client.force_login(world[Role.EXECUTIVE])
    response = client.patch(detail("100001"), {"status": "left"}, content_type="application/json")
    assert response.status_code == 400
    assert "date_left" in response.json()
    response = client.patch(detail("100001"), {"hub": "nowhere"}, content_type="application/json")
    assert response.status_code == 400 and "hub" in response.json()
    response = client.patch(detail("100001"), {"urn": "123456"}, content_type="application/json")
    assert response.status_code == 200
    assert Academy.objects.get(pk=world.north_a.pk).urn == "100001"
    assert Academy.objects.get(pk=world.north_a.pk).status == "open"


def test_a_hub_lead_cannot_forge_a_hub_out_of_scope(client, world):
    client.force_login(world[Role.HUB_LEAD])
    response = client.patch(detail("100001"), {"hub": "south"}, content_type="application/json")
    assert response.status_code == 400
    assert Academy.objects.get(urn="100001").hub == world.north


def test_creating_an_academy(client, world):
    client.force_login(world[Role.EXECUTIVE])
    payload = {
        "urn": "140555", "name": "API Academy", "phase": "secondary", "academy_type": "converter",
        "hub": "south", "local_authority": "Testshire", "status": "open", "date_joined": "2024-09-01",
    }
    response = client.post(LIST, payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Academy.objects.get(urn="140555").trust == world.trust
    bad = client.post(LIST, {**payload, "urn": "ABC123"}, content_type="application/json")
    assert bad.status_code == 400 and "six-digit" in bad.json()["urn"][0]


def test_the_schema_documents_the_404(client, world):
    client.force_login(world[Role.EXECUTIVE])
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    retrieve = schema["paths"]["/api/v1/academies/{urn}/"]["get"]
    assert "404" in retrieve["responses"]
