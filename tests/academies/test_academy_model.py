import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from academies.models import Academy
from tests.factories import AcademyFactory, HubFactory, TrustFactory


@pytest.mark.parametrize("urn", ["12345", "1234567", "12a456", " 123456", "123456\n"])
def test_a_urn_is_six_digits(db, urn):
    academy = AcademyFactory.build(urn=urn, trust=TrustFactory(), hub=None)
    with pytest.raises(ValidationError) as error:
        academy.full_clean()
    assert "six-digit" in str(error.value)


def test_a_urn_is_unique_and_checked_by_the_database(db):
    AcademyFactory(urn="140001")
    with pytest.raises(IntegrityError), transaction.atomic():
        AcademyFactory(urn="140001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Academy.objects.filter(urn="140001").update(urn="14000")


def test_status_and_dates_must_agree(db):
    academy = AcademyFactory.build(trust=TrustFactory(), hub=None, status="left", date_left=None)
    with pytest.raises(ValidationError) as error:
        academy.full_clean()
    assert "date_left" in error.value.message_dict

    academy = AcademyFactory.build(trust=TrustFactory(), hub=None, status="open", date_joined=None)
    with pytest.raises(ValidationError) as error:
        academy.full_clean()
    assert "date_joined" in error.value.message_dict

    academy = AcademyFactory.build(
        trust=TrustFactory(), hub=None, status="left",
        date_joined=datetime.date(2020, 9, 1), date_left=datetime.date(2019, 8, 31),
    )
    with pytest.raises(ValidationError, match="before the joining date"):
        academy.full_clean()


def test_a_joining_academy_needs_no_hub_or_date_yet(db):
    academy = AcademyFactory.build(trust=TrustFactory(), hub=None, status="joining", date_joined=None)
    academy.full_clean()


def test_a_hub_of_another_trust_is_refused(db):
    other = HubFactory(trust=TrustFactory(name="Other Trust"))
    academy = AcademyFactory.build(trust=TrustFactory(), hub=other)
    with pytest.raises(ValidationError, match="another trust"):
        academy.full_clean()
