"""The trust's aims and performance standards, and their API.

The aims and standards are seeded after every migrate, so the cases can name them by their
seeded code and number.
"""

from academies.models import StrategicAim

from .common import Case, R, trust_level

STANDARD_ROLES = {R.ADMINISTRATOR, R.EXECUTIVE}
STANDARD = {"code": "next-stage"}
AIM = {"number": 1}


def standard_form(world, academy):
    return {"title": "Every pupil ready for what comes next", "description": "",
            "rule": "ready_for_next_stage", "aim": StrategicAim.objects.get(number=1).pk, "order": "6"}


def aim_form(world, academy):
    return {"title": "Excellent academies", "description": "Every pupil does well."}


CASES = [
    Case("academies:standards", "get", 200),
    Case("academies:standards", "post", 405),
    Case("academies:standard", "get", 200, kwargs=STANDARD),
    Case("academies:standard", "post", 405, kwargs=STANDARD),
    Case("academies:standard-edit", "get", trust_level(STANDARD_ROLES), kwargs=STANDARD),
    Case("academies:standard-edit", "post", trust_level(STANDARD_ROLES, ok=302), kwargs=STANDARD,
         data=standard_form),
    Case("academies:standard-edit", "put", 405, kwargs=STANDARD),
    Case("academies:aim-edit", "get", trust_level(STANDARD_ROLES), kwargs=AIM),
    Case("academies:aim-edit", "post", trust_level(STANDARD_ROLES, ok=302), kwargs=AIM, data=aim_form),
    Case("api:standard-list", "get", 200, anon=401),
    Case("api:standard-list", "post", 405, anon=401, data=lambda w, a: {}),
    Case("api:standard-detail", "get", 200, anon=401, kwargs=STANDARD),
    Case("api:standard-detail", "delete", 405, anon=401, kwargs=STANDARD),
]
