"""Factories with deterministic sequences: what a test asserts never comes from chance."""

import datetime

import factory

from academies.models import Academy
from trust.models import Hub, Membership, Role, Trust, User

PASSWORD = "a-long-test-password"


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ["name"]

    name = "Test Learning Trust"


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")


class AcademyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Academy

    trust = factory.SubFactory(TrustFactory)
    hub = factory.SubFactory(HubFactory, trust=factory.SelfAttribute("..trust"))
    urn = factory.Sequence(lambda n: f"{700000 + n}")  # clear of the world fixture's 1000xx
    name = factory.Sequence(lambda n: f"Academy {n:03d}")
    phase = Academy.Phase.PRIMARY
    academy_type = Academy.Type.CONVERTER
    local_authority = "Testshire"
    la_code = "999"
    status = Academy.Status.OPEN
    date_joined = datetime.date(2018, 9, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@trust.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def person(role, *, academy=None, hub=None, **user_fields):
    """A user holding one role: trust-wide, for a hub, or for an academy."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, role=role, academy=academy, hub=hub)
    return user


__all__ = ["PASSWORD", "AcademyFactory", "HubFactory", "Role", "TrustFactory", "UserFactory", "person"]
