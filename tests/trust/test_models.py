import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import AcademyFactory, HubFactory, Role, UserFactory
from trust.access import scope_for
from trust.models import AcademicYear, Membership, Term, User


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (datetime.date(2026, 8, 31), "2025/26"),
        (datetime.date(2026, 9, 1), "2026/27"),
        (datetime.date(2027, 1, 15), "2026/27"),
        (datetime.date(1999, 12, 31), "1999/00"),
    ],
)
def test_academic_year_runs_september_to_august(db, day, label):
    year = AcademicYear.for_date(day)
    assert year.label == label
    assert year.starts_on <= day <= year.ends_on


def test_a_new_academic_year_has_three_terms_covering_it(db):
    year = AcademicYear.for_date(datetime.date(2026, 10, 1))
    terms = list(year.terms.all())
    assert [t.get_name_display() for t in terms] == ["Autumn", "Spring", "Summer"]
    assert terms[0].starts_on == year.starts_on
    assert terms[-1].ends_on == year.ends_on
    for earlier, later in itertools.pairwise(terms):
        assert later.starts_on == earlier.ends_on + datetime.timedelta(days=1)
    AcademicYear.for_date(datetime.date(2027, 3, 1))
    assert year.terms.count() == 3


def test_a_term_outside_its_year_is_refused(db):
    year = AcademicYear.for_date(datetime.date(2026, 10, 1))
    term = Term(academic_year=year, number=1, name="autumn",
                starts_on=datetime.date(2026, 8, 1), ends_on=datetime.date(2026, 12, 20))
    with pytest.raises(ValidationError, match="must fall between"):
        term.full_clean()


def test_email_is_the_login_and_is_case_insensitive(db):
    user = User.objects.create_user("Jo.Bloggs@Trust.Test", "a-long-password", full_name="Jo")
    assert user.email == "jo.bloggs@trust.test"
    assert User.objects.get_by_natural_key("JO.BLOGGS@trust.test") == user
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("jo.bloggs@trust.test", "x", full_name="Jo again")


def test_a_role_must_match_its_scope_in_the_database(db):
    user = UserFactory()
    academy = AcademyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.GOVERNOR)  # a governor of nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.EXECUTIVE, academy=academy)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.HUB_LEAD)
    with pytest.raises(ValidationError, match="needs an academy"):
        Membership(user=user, role=Role.HEADTEACHER).full_clean()


def test_a_person_can_hold_several_roles(db):
    """A governor of two academies who is also a trustee sees the whole trust, and is a
    governor only where they govern."""
    a, b, c = AcademyFactory(), AcademyFactory(), AcademyFactory()
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.GOVERNOR, academy=a)
    Membership.objects.create(user=user, role=Role.GOVERNOR, academy=b)
    scope = scope_for(User.objects.get(pk=user.pk))
    assert scope.roles_for(a) == {Role.GOVERNOR}
    assert scope.roles_for(c) == set()
    assert not scope.trust_wide

    Membership.objects.create(user=user, role=Role.TRUSTEE)
    scope = scope_for(User.objects.get(pk=user.pk))
    assert scope.roles_for(c) == {Role.TRUSTEE}
    assert scope.roles_for(a) == {Role.TRUSTEE, Role.GOVERNOR}
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.GOVERNOR, academy=a)


def test_a_hub_lead_covers_only_their_hub(db):
    north, south = HubFactory(), HubFactory()
    mine, theirs = AcademyFactory(hub=north), AcademyFactory(hub=south)
    lead = UserFactory()
    Membership.objects.create(user=lead, role=Role.HUB_LEAD, hub=north)
    scope = scope_for(lead)
    assert scope.can("academy.change", mine)
    assert not scope.can("academy.view", theirs)
    from academies.models import Academy

    assert list(Academy.objects.visible_to(lead)) == [mine]


def test_inactive_people_see_nothing(db):
    academy = AcademyFactory()
    user = UserFactory(is_active=False)
    Membership.objects.create(user=user, role=Role.EXECUTIVE)
    from academies.models import Academy

    assert not Academy.objects.visible_to(user).filter(pk=academy.pk).exists()


def test_an_unknown_action_is_a_programming_error_not_a_silent_no(db):
    with pytest.raises(ValueError, match="Unknown action"):
        scope_for(UserFactory()).can("academy.fly")
