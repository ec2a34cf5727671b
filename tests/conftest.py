import os

import pytest

from tests.factories import AcademyFactory, HubFactory, Role, TrustFactory, person

SERVICES_CONFIGURED = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    from trust import queue

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    queue.resume()  # a broker refusal in an earlier test does not pause this one's tasks


@pytest.fixture
def eager():
    """Tasks run in this process, even where a broker is configured (CI): for tests about what
    a task does; the service tests send tasks to a real worker instead."""
    from trust.celery import app

    saved = app.conf["task_always_eager"]
    app.conf.update(task_always_eager=True)
    yield
    app.conf.update(task_always_eager=saved)


@pytest.fixture
def services():
    """Tests that need PostgreSQL, Redis and a Celery worker. Skipped on the embedded
    default; when DATABASE_URL and REDIS_URL are set, they run and fail loudly if a
    service is down."""
    if not SERVICES_CONFIGURED:
        pytest.skip("set DATABASE_URL and REDIS_URL to run the service tests")


class World:
    """Two hubs of two academies each, and one person for every role.

    `north_a` is the academy of the academy-level people; the hub lead leads `north`.
    """

    def __init__(self):
        self.trust = TrustFactory()
        self.north = HubFactory(trust=self.trust, name="North", slug="north")
        self.south = HubFactory(trust=self.trust, name="South", slug="south")
        self.north_a = AcademyFactory(trust=self.trust, hub=self.north, urn="100001", name="North A")
        self.north_b = AcademyFactory(trust=self.trust, hub=self.north, urn="100002", name="North B")
        self.south_a = AcademyFactory(trust=self.trust, hub=self.south, urn="100003", name="South A")
        self.south_b = AcademyFactory(trust=self.trust, hub=self.south, urn="100004", name="South B")
        self.people = {
            Role.EXECUTIVE: person(Role.EXECUTIVE, email="exec@trust.test"),
            Role.SIEL: person(Role.SIEL, email="siel@trust.test"),
            Role.TRUSTEE: person(Role.TRUSTEE, email="trustee@trust.test"),
            Role.DATA_MANAGER: person(Role.DATA_MANAGER, email="data@trust.test"),
            Role.ADMINISTRATOR: person(Role.ADMINISTRATOR, email="admin@trust.test", is_staff=True),
            Role.HUB_LEAD: person(Role.HUB_LEAD, hub=self.north, email="hublead@trust.test"),
            Role.HEADTEACHER: person(Role.HEADTEACHER, academy=self.north_a, email="head@trust.test"),
            Role.GOVERNOR: person(Role.GOVERNOR, academy=self.north_a, email="governor@trust.test"),
            Role.ACADEMY_DATA_MANAGER: person(
                Role.ACADEMY_DATA_MANAGER, academy=self.north_a, email="acdata@trust.test"
            ),
        }

    def __getitem__(self, role):
        return self.people[role]


@pytest.fixture
def world(db):
    return World()
