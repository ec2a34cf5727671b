"""The support pages: an academy's schedule and log, the trust's overview, the calendar, the
capacity to support and the baselines of joining schools.

Time is frozen on Wednesday 17 September 2025. The year's terms are the default ones (autumn
from Monday 1 September), so an agreed tier 4 is owed by then a CEO one-to-one by Friday 5 and
Friday 12 September and a governors' committee by Friday 12 September: three items.
"""

import datetime
import re

import pytest
from django.urls import reverse

from academies.models import Academy
from tests.access_cases.plans import make_priority
from tests.access_cases.tiers_support import agree_tier, baseline_form, frozen_on, joining, make_offer
from tests.factories import AcademyFactory, Role
from tests.utils import queries_for
from tiers.models import BaselineAssessment, CapacityOffer, SupportItem, SupportLogEntry, TierAssignment
from trust.models import AcademicYear

R = Role
TODAY = datetime.date(2025, 9, 17)


@pytest.fixture
def frozen():
    with frozen_on(datetime.date(2025, 9, 17)):
        yield


@pytest.fixture
def tier4(world, frozen):
    """North A agreed into tier 4 for 2025/26."""
    return agree_tier(world, world.north_a, 4, board_meeting=datetime.date(2025, 9, 10))


def support_url(academy, **query):
    url = reverse("tiers:support", kwargs={"urn": academy.urn})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def states(html):
    """The statuses the schedule shows, in order of due date."""
    return re.findall(r'data-state="(\w+)"', html)


def summary(html):
    return re.search(r'data-testid="summary">([^<]+)<', html).group(1)


def log(client, academy, **data):
    body = {"kind": "ceo_one_to_one", "held_on": "2025-09-04", "led_by": "CEO", "notes": "Curriculum review."}
    body.update(data)
    return client.post(reverse("tiers:support-log", kwargs={"urn": academy.urn}), body)


def test_schedule_shows_owed_delivered_and_overdue_for_an_agreed_tier_4(client, world, tier4):
    client.force_login(world[R.EXECUTIVE])
    html = client.get(support_url(world.north_a)).content.decode()
    assert summary(html) == "Delivered 0 of 3 owed to date, 3 overdue."
    shown = states(html)
    assert shown[:3] == ["overdue", "overdue", "overdue"]
    assert set(shown[3:]) == {"owed"}
    assert "Tier 4" in html
    # The tier's standing support is listed as such, with no due date.
    ongoing = html.split('data-testid="ongoing"')[1].split("</ul>")[0]
    assert "Trust executive leaders deployed" in ongoing


def test_logging_support_settles_the_earliest_item_and_deleting_it_reopens_the_item(client, world, tier4):
    client.force_login(world[R.HUB_LEAD])
    response = log(client, world.north_a)
    assert response.status_code == 302
    entry = SupportLogEntry.objects.get(academy=world.north_a)
    first_ceo = SupportItem.objects.filter(academy=world.north_a, kind="ceo_one_to_one").order_by("due_on")[0]
    assert first_ceo.due_on == datetime.date(2025, 9, 5)
    first_ceo.refresh_from_db()
    assert first_ceo.delivered_by_entry == entry

    html = client.get(support_url(world.north_a)).content.decode()
    assert summary(html) == "Delivered 1 of 3 owed to date, 2 overdue."
    assert states(html)[0] == "delivered"
    assert "counts towards the item due 5 September 2025" in html

    response = client.post(reverse("tiers:support-delete", kwargs={"uuid": entry.uuid}))
    assert response.status_code == 302
    first_ceo.refresh_from_db()
    assert first_ceo.status == SupportItem.Status.OWED
    html = client.get(support_url(world.north_a)).content.decode()
    assert summary(html) == "Delivered 0 of 3 owed to date, 3 overdue."


def test_support_given_after_its_due_date_shows_as_delivered_late(client, world, tier4):
    client.force_login(world[R.SIEL])
    log(client, world.north_a, held_on="2025-09-15")
    html = client.get(support_url(world.north_a)).content.decode()
    assert states(html)[0] == "late"


def test_a_future_date_is_refused_with_a_message_on_the_page(client, world, tier4):
    client.force_login(world[R.EXECUTIVE])
    response = log(client, world.north_a, held_on="2025-10-01")
    assert response.status_code == 200
    assert "that date is in the future" in response.content.decode()
    assert not SupportLogEntry.objects.exists()


def test_governor_reads_the_schedule_but_cannot_log_support(client, world, tier4):
    client.force_login(world[R.GOVERNOR])
    html = client.get(support_url(world.north_a)).content.decode()
    assert summary(html) == "Delivered 0 of 3 owed to date, 3 overdue."
    assert "Log the support" not in html
    assert log(client, world.north_a).status_code == 403
    assert not SupportLogEntry.objects.exists()


def test_hub_lead_gets_404_for_an_academy_outside_their_hub(client, world, frozen):
    agree_tier(world, world.south_a, 2, board_meeting=datetime.date(2025, 9, 10))
    client.force_login(world[R.HUB_LEAD])
    assert client.get(support_url(world.south_a)).status_code == 404
    assert log(client, world.south_a).status_code == 404


def test_an_academy_without_an_agreed_tier_is_told_so_with_a_link_to_its_tier(client, world, frozen):
    client.force_login(world[R.HEADTEACHER])
    html = client.get(support_url(world.north_a)).content.decode()
    assert "has no tier agreed by the Trust Board for 2025/26" in html
    assert reverse("tiers:academy", kwargs={"urn": world.north_a.urn}) in html


def test_a_published_health_check_in_the_log_links_to_its_report(client, world, tier4):
    from tests.healthchecks.makers import make_health_check

    check = make_health_check(world.north_a)
    SupportLogEntry.objects.create(
        academy=world.north_a, kind="health_check", held_on=TODAY, source="health_check", health_check=check
    )
    client.force_login(world[R.EXECUTIVE])
    html = client.get(support_url(world.north_a)).content.decode()
    assert reverse("healthchecks:detail", kwargs={"uuid": check.uuid}) in html


# The overview


def overview(client, **query):
    url = reverse("tiers:support-overview")
    return queries_for(client, url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))


def test_overview_counts_each_academy_and_lists_what_is_overdue(client, world, tier4):
    client.force_login(world[R.TRUSTEE])
    response, _ = overview(client)
    html = response.content.decode()
    row = html.split(f'data-urn="{world.north_a.urn}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="text-end">(?:<strong[^>]*>)?(\d+)', row)
    assert cells == ["0", "3", "3"]  # delivered, owed to date, overdue
    assert "19 Sep 2025" in row  # next due: the CEO one-to-one of Friday 19 September
    overdue = html.split('data-testid="overdue"')[1].split("</ul>")[0]
    assert overdue.count("<li>") == 3
    assert "Delivered 0 of 3 owed to date, 3 overdue" in html


def test_overview_filters_by_tier_and_shows_a_hub_lead_their_hub_only(client, world, tier4):
    client.force_login(world[R.HUB_LEAD])
    response, _ = overview(client)
    html = response.content.decode()
    assert world.north_b.name in html
    assert world.south_a.name not in html
    response, _ = overview(client, tier="4")
    html = response.content.decode()
    assert world.north_a.name in html and world.north_b.name not in html


def test_overview_is_not_found_for_academy_people(client, world, frozen):
    client.force_login(world[R.HEADTEACHER])
    assert client.get(reverse("tiers:support-overview")).status_code == 404


def test_overview_makes_the_same_number_of_queries_for_any_number_of_academies(client, world, tier4):
    client.force_login(world[R.EXECUTIVE])
    client.get(reverse("tiers:support-overview"))  # the session and the year exist from here on
    _, few = overview(client)
    for n in range(4):
        academy = AcademyFactory(trust=world.trust, hub=world.south, urn=f"20000{n}", name=f"Extra {n}")
        agree_tier(world, academy, 3, board_meeting=datetime.date(2025, 9, 10))
    response, many = overview(client)
    assert response.content.decode().count("data-urn=") == 8
    # Session, user, memberships, the year, the hubs of the filter, the academies with their
    # counts, and the overdue items.
    assert len(many) == len(few)


# The calendar


def test_calendar_month_shows_the_items_due_in_scope(client, world, tier4):
    agree_tier(world, world.south_a, 4, board_meeting=datetime.date(2025, 9, 10))
    client.force_login(world[R.GOVERNOR])
    html = client.get(reverse("tiers:calendar") + "?month=2025-09").content.decode()
    assert "Support calendar: September 2025" in html
    listed = html.split('data-testid="due-list"')[1].split("</ul>")[0]
    assert "Friday 5 September: " in listed and "CEO one-to-one" in listed
    assert world.north_a.name in listed and world.south_a.name not in listed
    assert "?month=2025-10" in html and "?month=2025-08" in html


def test_a_month_that_cannot_be_read_shows_this_month_with_a_message(client, world, frozen):
    client.force_login(world[R.EXECUTIVE])
    html = client.get(reverse("tiers:calendar") + "?month=next-tuesday").content.decode()
    assert "That month could not be read" in html
    assert "Support calendar: September 2025" in html


# Capacity


def test_capacity_matches_an_offer_to_a_tier_3_academys_priority(client, world, frozen):
    year = AcademicYear.current()
    agree_tier(world, world.north_a, 3, board_meeting=datetime.date(2025, 9, 10))
    make_priority(world.north_a, year=year, title="Every pupil reads fluently", theme="reading")
    make_offer(provider=world.north_b, theme="reading", expertise="KS1 phonics coaching", year=year)
    make_offer(provider=world.south_a, theme="maths", expertise="Mastery maths", year=year)

    client.force_login(world[R.SIEL])
    html = client.get(reverse("tiers:capacity")).content.decode()
    need = html.split(f'data-urn="{world.north_a.urn}"')[1].split("</article>")[0]
    assert "Every pupil reads fluently" in need
    assert "North B: KS1 phonics coaching" in need
    assert "Mastery maths" not in need

    client.force_login(world[R.GOVERNOR])
    html = client.get(reverse("tiers:academy-capacity", kwargs={"urn": world.north_a.urn})).content.decode()
    assert "North B: KS1 phonics coaching" in html


def test_negative_days_are_refused_with_a_clear_message(client, world, frozen):
    client.force_login(world[R.ADMINISTRATOR])
    response = client.post(reverse("tiers:capacity-create"), {
        "provider": world.north_b.pk, "theme": "maths", "expertise": "Mastery maths", "days_available": "-2",
    })
    assert response.status_code == 200
    assert "Days available cannot be negative" in response.content.decode()
    assert not CapacityOffer.objects.exists()


def test_an_offer_provider_must_be_an_academy_of_the_trust(client, world, frozen):
    left = AcademyFactory(trust=world.trust, hub=world.south, urn="300001", status=Academy.Status.LEFT,
                          date_left=datetime.date(2025, 8, 31))
    client.force_login(world[R.EXECUTIVE])
    response = client.post(reverse("tiers:capacity-create"), {
        "provider": left.pk, "theme": "maths", "expertise": "Mastery maths", "days_available": "2",
    })
    assert response.status_code == 200
    assert not CapacityOffer.objects.exists()


def test_hub_lead_cannot_add_an_offer(client, world, frozen):
    client.force_login(world[R.HUB_LEAD])
    response = client.post(reverse("tiers:capacity-create"), {
        "provider": world.north_b.pk, "theme": "maths", "expertise": "Mastery maths", "days_available": "2",
    })
    assert response.status_code == 403


# Baselines


def test_baseline_created_then_completed_proposes_a_joining_tier(client, world, frozen):
    joining = AcademyFactory(trust=world.trust, hub=world.north, urn="400001", name="New School",
                             status=Academy.Status.JOINING, date_joined=datetime.date(2025, 11, 1))
    client.force_login(world[R.SIEL])
    response = client.post(reverse("tiers:baseline-create", kwargs={"urn": joining.urn}), baseline_form())
    assert response.status_code == 302
    baseline = BaselineAssessment.objects.get(academy=joining)
    assert baseline.status == BaselineAssessment.Status.DRAFT

    response = client.post(reverse("tiers:baseline-complete", kwargs={"uuid": baseline.uuid}),
                           {"version": baseline.version})
    assert response.status_code == 302
    assignment = TierAssignment.objects.get(academy=joining)
    assert assignment.kind == TierAssignment.Kind.JOINING
    assert assignment.status == TierAssignment.Status.PROPOSED
    assert assignment.baseline == baseline
    assert assignment.tier == 3

    html = client.get(reverse("tiers:baseline", kwargs={"uuid": baseline.uuid})).content.decode()
    assert "Complete (first tier proposed)" in html
    assert "Tier 3 for 2025/26: proposed" in html
    assert reverse("tiers:academy", kwargs={"urn": joining.urn}) in html


def test_a_stale_baseline_edit_is_refused_with_a_message(client, world, frozen):
    joining(world.north_b)
    client.force_login(world[R.EXECUTIVE])
    client.post(reverse("tiers:baseline-create", kwargs={"urn": world.north_b.urn}), baseline_form())
    baseline = BaselineAssessment.objects.get()
    url = reverse("tiers:baseline-edit", kwargs={"uuid": baseline.uuid})
    assert client.post(url, baseline_form(version="1", rationale="First save.")).status_code == 302
    response = client.post(url, baseline_form(version="1", rationale="Second, from an old page."))
    assert response.status_code == 200
    assert "Someone saved this baseline since you opened it" in response.content.decode()
    baseline.refresh_from_db()
    assert baseline.rationale == "First save."


def test_completing_a_complete_baseline_says_why_not(client, world, frozen):
    joining(world.north_b)
    client.force_login(world[R.EXECUTIVE])
    client.post(reverse("tiers:baseline-create", kwargs={"urn": world.north_b.urn}), baseline_form())
    baseline = BaselineAssessment.objects.get()
    url = reverse("tiers:baseline-complete", kwargs={"uuid": baseline.uuid})
    client.post(url, {"version": "1"})
    response = client.post(url, {"version": "2"}, follow=True)
    assert "This baseline is already complete." in response.content.decode()
    assert TierAssignment.objects.filter(academy=world.north_b).count() == 1


def test_academy_people_cannot_find_baselines(client, world, frozen):
    client.force_login(world[R.HEADTEACHER])
    assert client.get(reverse("tiers:baselines")).status_code == 404


def test_a_baseline_is_only_for_a_school_joining_the_trust(client, world, frozen):
    client.force_login(world[R.EXECUTIVE])
    url = reverse("tiers:baseline-create", kwargs={"urn": world.north_a.urn})
    response = client.post(url, baseline_form())
    assert "is not joining the trust" in response.content.decode()
    assert not BaselineAssessment.objects.exists()
