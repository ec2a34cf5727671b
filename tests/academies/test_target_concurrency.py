"""Two people agreeing the same target at once, on PostgreSQL: one decision, not two.

Runs when DATABASE_URL and REDIS_URL are set (CI sets them), each person in a thread with a
connection of its own, as two web requests would be.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from academies.models import Measure, Target, TargetEvent
from academies.services import WorkflowError, target_agree, target_create, target_propose, target_review
from tests.factories import AcademyFactory, Role, person
from trust.models import AcademicYear

pytestmark = pytest.mark.services
MEETING = datetime.date(2025, 10, 16)


@pytest.fixture
def reviewed(services, transactional_db):
    academy = AcademyFactory(urn="100001")
    head = person(Role.HEADTEACHER, academy=academy, email="head@trust.test")
    governor = person(Role.GOVERNOR, academy=academy, email="governor@trust.test")
    target = target_create(
        academy=academy, academic_year=AcademicYear.for_date(datetime.date(2025, 9, 1)),
        measure=Measure.objects.get(code="phonics_y1"), year_group="Y1", value=Decimal("82"), by=head,
    )
    target_propose(target=target, by=head)
    target_review(target=target, by=governor, comments="Supported by the LGB.")
    return target


def at_once(*calls):
    """Run each call in its own thread and connection. Both read the target inside their own
    transaction before either writes, then both try: what each returned or raised."""
    both_read = threading.Barrier(len(calls), timeout=30)
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            with transaction.atomic():
                target = Target.objects.get(pk=call.target_pk)
                assert target.status == Target.Status.REVIEWED
                both_read.wait()
                outcomes[index] = call(target)
        except Exception as error:  # the outcome, raised or not, is what the test asserts
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


class Agree:
    def __init__(self, target_pk, by):
        self.target_pk, self.by = target_pk, by

    def __call__(self, target):
        return target_agree(target=target, by=self.by, meeting=MEETING, minute=f"by {self.by.email}")


def test_two_people_agreeing_one_target_at_once_make_one_decision(reviewed):
    trustee = person(Role.TRUSTEE, email="trustee@trust.test")
    executive = person(Role.EXECUTIVE, email="exec@trust.test")

    outcomes = at_once(Agree(reviewed.pk, trustee), Agree(reviewed.pk, executive))

    succeeded = [o for o in outcomes if isinstance(o, Target)]
    refused = [o for o in outcomes if isinstance(o, WorkflowError)]
    assert len(succeeded) == 1 and len(refused) == 1, outcomes
    assert "someone else has acted on it" in refused[0].messages[0]
    winner = succeeded[0].agreed_by
    target = Target.objects.get(pk=reviewed.pk)
    assert (target.status, target.agreed_by, target.board_minute) == (
        Target.Status.AGREED, winner, f"by {winner.email}")
    agreed = TargetEvent.objects.filter(target=target, action=TargetEvent.Action.AGREED)
    assert [(e.by, e.from_status, e.to_status) for e in agreed] == [
        (winner, Target.Status.REVIEWED, Target.Status.AGREED)]
