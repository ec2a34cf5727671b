"""A tier's year in the browser: the School Improvement Executive Lead proposes North A's tier,
a trustee agrees it on the tier board with the meeting's date and minute, and the academy's
governor then reads the agreed tier and the support it brings, never the engine's
recommendation; the board itself is not theirs.

The data is `World` (tests/conftest.py): the governor belongs to North A (100001).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import Role
from tiers.models import SupportItem, TierAssignment, TierRecommendation
from tiers.services import recalculate

from .test_cycle import flash, heading, sign_in

pytestmark = pytest.mark.browser

R = Role


def test_a_tier_is_proposed_agreed_by_the_board_and_read_by_the_governor(page, e2e_world):
    world = e2e_world
    tier_page = f"/academies/{world.north_a.urn}/tier/"

    # The SIEL proposes tier 3 from the academy's tier page.
    sign_in(page, world[R.SIEL].email)
    page.goto(tier_page)
    page.get_by_role("link", name="Propose a tier").click()
    expect(heading(page)).to_contain_text("Propose a tier")
    page.get_by_label("Proposed tier").select_option(label="Tier 3 Reinvent")
    page.get_by_label("Rationale").fill("Attendance below national for two years; leadership is new.")
    page.get_by_role("button", name="Propose this tier").click()
    proposal = TierAssignment.objects.get(academy=world.north_a)
    assert (proposal.status, proposal.tier) == (TierAssignment.Status.PROPOSED, 3)

    # A trustee agrees it on the tier board, with the meeting and its minute.
    sign_in(page, world[R.TRUSTEE].email)
    page.goto("/tiers/")
    awaiting = page.get_by_test_id("awaiting")
    expect(awaiting).to_contain_text(world.north_a.name)
    awaiting.get_by_label(f"Agree {world.north_a.name}").check()
    meeting = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Date of the Trust Board meeting").fill(meeting.isoformat())
    page.get_by_label("Minute reference").fill("TB/26/044")
    page.get_by_role("button", name="Record the board's agreement of the ticked proposals").click()
    expect(flash(page)).to_be_visible()
    expect(page.get_by_test_id("tier-group-3")).to_contain_text(world.north_a.name)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.board_minute) == (TierAssignment.Status.AGREED, "TB/26/044")
    assert SupportItem.objects.filter(assignment=proposal).exists()

    # The governor reads the agreed tier and its support, and nothing of the recommendation.
    recalculate([world.north_a.pk])
    assert TierRecommendation.objects.filter(academy=world.north_a, current=True).exists()
    sign_in(page, world[R.GOVERNOR].email)
    page.goto(tier_page)
    main = page.locator("main")
    expect(main).to_contain_text("Tier 3")
    expect(main).to_contain_text("TB/26/044")
    expect(main).not_to_contain_text("Recommend")
    expect(main).not_to_contain_text("weighted")
    page.goto(f"/academies/{world.north_a.urn}/support/")
    expect(page.locator("main")).to_contain_text("CEO one-to-one")
    assert page.goto("/tiers/").status == 404
