from django.contrib import admin
from django.urls import reverse

from tests.factories import Role


def test_the_administrator_opens_every_admin_list_and_add_page(client, world):
    """Every registered model's list and add page works (the demo's administrator is a superuser)."""
    administrator = world[Role.ADMINISTRATOR]
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(_request(world)):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add


def _request(world):
    class Request:
        user = world[Role.ADMINISTRATOR]
    return Request()
