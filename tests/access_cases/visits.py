"""Link-governor visits: everyone who sees the academy reads them; only its governors record one;
only the governor who recorded a visit edits it."""

from tests.access_cases.plans import make_priority
from tests.factories import person
from tests.healthchecks.makers import make_visit

from .common import Case, R, holds, read, scoped

RECORD = holds({R.GOVERNOR})


def visit_kwargs(world, academy):
    """A visit to the target academy by one of its governors: the world's own at North A, where the
    academy-level people work; elsewhere a governor of that academy, whom nobody tried here is."""
    if academy == world.north_a:
        governor = world[R.GOVERNOR]
    else:
        governor = person(R.GOVERNOR, academy=academy, email=f"governor.{academy.urn}@trust.test")
    return {"uuid": make_visit(academy, governor).uuid}


def visit_form(world, academy):
    # A priority of the target academy, so that a POST refused for scope is not refused for it.
    return {
        "visited_on": "2025-11-20",
        "focus": "Reading for pleasure in Key Stage 2",
        "priority": str(make_priority(academy).pk),
        "notes": "Talked with the English lead and visited the library at lunchtime.",
    }


CASES = [
    Case("healthchecks:visits", "get", read, per_academy=True),
    Case("healthchecks:visits", "post", 405, per_academy=True),
    Case("healthchecks:visit-create", "get", scoped(RECORD), per_academy=True),
    Case("healthchecks:visit-create", "post", scoped(RECORD, ok=302), per_academy=True, data=visit_form),
    Case("healthchecks:visit-edit", "get", scoped(RECORD), object_kwargs=visit_kwargs),
    Case("healthchecks:visit-edit", "post", scoped(RECORD, ok=302), object_kwargs=visit_kwargs,
         data=visit_form),
    Case("healthchecks:visit-edit", "delete", 405, object_kwargs=visit_kwargs),
]
