"""The annual target cycle in the browser, as the people who take its steps do it: the
headteacher adds a target and proposes it, a governor records the LGB's review, a trustee
agrees it on the Trust Board's page; who may not take a step is not offered it; and the
academy's results page with its legend of DfE symbols.

The data is `World` (tests/conftest.py): the academy people belong to North A (100001, a
primary); South A (100003) is another hub's. Everyone signs in through the login form.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from academies import services
from academies.models import Comparator, Measure, Result, Target
from tests.factories import PASSWORD, Role
from trust.models import AcademicYear

pytestmark = pytest.mark.browser

R = Role
# The figure every test sets its target on: a primary's headline KS2 measure.
MEASURE_OPTION = "Key stage 2: KS2 expected standard"
FIGURE = "KS2 expected standard (All pupils, Key stage 2, Reading, writing and maths)"


def sign_in(page, email, password=PASSWORD):
    """Sign in through the real form, as someone else if someone was signed in."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_be_visible()


def heading(page):
    return page.get_by_role("heading", level=1)


def status_section(page, label):
    """The section of the targets page for one state ("Draft", "Proposed", ...)."""
    return page.get_by_role("region", name=re.compile(rf"^{label}\b"))


def flash(page):
    return page.locator("main > .alert-success")


def long_date(day):
    return f"{day.day} {day:%B %Y}"


def short_date(day):
    return f"{day.day} {day:%b %Y}"


def reviewed_target(world):
    """A target of North A for this year, proposed and reviewed by the LGB through the
    services, so it awaits the Trust Board."""
    target = services.target_create(
        academy=world.north_a, academic_year=AcademicYear.current(),
        measure=Measure.objects.get(code="ks2_expected"), year_group="KS2", subject="rwm",
        value=Decimal("68"), by=world[R.HEADTEACHER],
    )
    services.target_propose(target=target, by=world[R.HEADTEACHER])
    return services.target_review(target=target, by=world[R.GOVERNOR], comments="Supported.")


# 1-3. A target's year, from the headteacher's draft to the board's agreement ---------------


def test_a_target_goes_from_the_headteacher_through_the_lgb_to_the_trust_board(page, e2e_world):
    year = AcademicYear.current()
    today = timezone.localdate()
    governor = e2e_world[R.GOVERNOR]

    # The headteacher adds the target through the form and proposes it.
    sign_in(page, e2e_world[R.HEADTEACHER].email)
    page.goto("/academies/100001/targets/")
    expect(page.get_by_text(f"North A has no targets for {year.label} yet.")).to_be_visible()
    page.get_by_role("link", name="Add a target").click()
    expect(page.get_by_role("heading", name="Add a target")).to_be_visible()
    expect(page.get_by_label("Academic year")).to_have_value(str(year.start_year))
    page.get_by_label("Measure").select_option(label=MEASURE_OPTION)
    page.get_by_label("Year group or key stage").select_option(label="Key stage 2")
    page.get_by_label("Subject").select_option(label="Reading, writing and maths")
    page.get_by_role("spinbutton", name="Target").fill("68")
    page.get_by_label("Rationale").fill("Builds on last year's 64%.")
    page.get_by_role("button", name="Add the target as a draft").click()

    expect(page).to_have_url(re.compile(r"/academies/100001/targets/\?year="))
    expect(flash(page)).to_have_text(f"Target added as a draft: {FIGURE}, {year.label}.")
    draft = status_section(page, "Draft")
    expect(draft.get_by_role("row", name=re.compile("KS2 expected standard"))).to_contain_text("68%")
    draft.get_by_role("button", name=re.compile("^Propose to the LGB")).click()

    expect(flash(page)).to_have_text(f"Proposed to the local governing board: {FIGURE}, {year.label}.")
    expect(status_section(page, "Draft")).to_contain_text("None.")
    proposed = status_section(page, "Proposed")
    expect(proposed.get_by_role("row", name=re.compile("KS2 expected standard"))).to_contain_text(
        "Not reviewed yet"
    )
    # The headteacher has no step left on it: the buttons are gone.
    expect(page.get_by_role("button", name=re.compile("^Propose to the LGB"))).to_have_count(0)

    # The governor is told, in the menu, and records the LGB's review.
    sign_in(page, governor.email)
    unread = page.get_by_test_id("unread-count")
    expect(unread).to_have_text("1 unread")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Notifications")).click()
    expect(heading(page)).to_have_text("Notifications")
    notification = page.get_by_test_id("notification")
    expect(notification).to_have_count(1)
    expect(notification).to_contain_text("Targets to review: North A")
    notification.get_by_role("button", name=re.compile("^Open")).click()

    expect(page).to_have_url(re.compile(r"/academies/100001/targets/$"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)  # read by opening it
    proposed = status_section(page, "Proposed")
    proposed.get_by_label("The LGB's comments").fill("Ambitious but realistic; the LGB supports it.")
    proposed.get_by_role("button", name=re.compile("^Record the LGB's review")).click()

    expect(flash(page)).to_have_text(
        f"The LGB's review is recorded; the target goes to the Trust Board: {FIGURE}, {year.label}."
    )
    reviewed = status_section(page, "Reviewed")
    expect(reviewed).to_contain_text("Ambitious but realistic; the LGB supports it.")
    expect(reviewed).to_contain_text(f"{governor.full_name}, {short_date(today)}")

    # A trustee agrees it on the Trust Board's page, for a meeting held today.
    sign_in(page, e2e_world[R.TRUSTEE].email)
    expect(page.get_by_test_id("unread-count")).to_have_text("1 unread")
    page.goto("/academies/targets/board/")
    expect(heading(page)).to_have_text("Targets for the Trust Board")
    expect(page.get_by_role("table")).to_contain_text("1 target awaiting the Trust Board")
    tick = page.get_by_role("checkbox", name=f"Agree North A: {FIGURE}, {year.label}")
    expect(tick).not_to_be_checked()
    tick.check()
    page.get_by_label("Date of the Trust Board meeting").fill(today.isoformat())
    page.get_by_label("Minute reference").fill("TB 7 item 4")
    page.get_by_role("button", name="Record the board's agreement of the ticked targets").click()

    expect(flash(page)).to_have_text(
        f"Agreed 1 target for the Trust Board meeting of {long_date(today)}."
    )
    expect(page.get_by_text("No targets are awaiting the Trust Board.")).to_be_visible()

    page.goto("/academies/100001/targets/")
    expect(status_section(page, "Reviewed")).to_contain_text("None.")
    agreed = status_section(page, "Agreed")
    row = agreed.get_by_role("row", name=re.compile("KS2 expected standard"))
    expect(row).to_contain_text("68%")
    expect(row).to_contain_text(f"Agreed at the meeting of {short_date(today)}, minute TB 7 item 4")
    expect(row).to_contain_text("Ambitious but realistic; the LGB supports it.")

    target = Target.objects.get()
    assert (target.status, target.board_meeting, target.value) == (Target.Status.AGREED, today, 68)


# 4. Who is not offered a step, and what is outside a governor's scope ---------------------


def test_a_governor_is_not_offered_the_boards_decision_nor_another_academy(page, e2e_world):
    reviewed_target(e2e_world)
    sign_in(page, e2e_world[R.GOVERNOR].email)

    page.goto("/academies/100001/targets/")
    row = status_section(page, "Reviewed").get_by_role("row", name=re.compile("KS2 expected standard"))
    expect(row).to_contain_text("Supported.")
    expect(row).to_contain_text("Not agreed yet")
    expect(page.get_by_role("columnheader", name="Next step")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("board's agreement"))).to_have_count(0)
    expect(page.get_by_label("Trust Board meeting")).to_have_count(0)
    expect(page.get_by_role("link", name="Targets awaiting the Trust Board")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a target")).to_have_count(0)

    response = page.goto("/academies/targets/board/")
    assert response.status == 403
    expect(page.get_by_role("checkbox")).to_have_count(0)

    response = page.goto("/academies/100003/targets/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_text("South A")).to_have_count(0)


# 5. The academy's results, with the legend of DfE's symbols ------------------------------


def test_a_governor_reads_the_results_with_the_legend_of_symbols(page, e2e_world):
    academy, ks2 = e2e_world.north_a, Measure.objects.get(code="ks2_expected")
    last_year = AcademicYear.for_date(datetime.date(AcademicYear.current().start_year - 1, 9, 1))
    common = {"academy": academy, "measure": ks2, "academic_year": last_year, "year_group": "KS2"}
    Result.objects.create(**common, subject="rwm", value=Decimal("64"), cohort=30)
    Result.objects.create(**common, subject="rwm", pupil_group="disadvantaged", value=Decimal("50"), cohort=4)
    Result.objects.create(**common, subject="writing", state="suppressed", raw="c", cohort=30)
    Result.objects.create(**common, subject="maths", state="unavailable", raw="x")
    Comparator.objects.create(area="national", measure=ks2, academic_year=last_year, year_group="KS2",
                              subject="rwm", value=Decimal("61"))

    sign_in(page, e2e_world[R.GOVERNOR].email)
    page.get_by_role("link", name="Results").click()

    expect(page).to_have_url(re.compile(r"/academies/100001/data/$"))
    expect(page.get_by_role("heading", name=last_year.label)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("groups of 5 pupils or fewer")
    table = page.get_by_role("table", name=re.compile("^Key stage 2"))
    expect(table).to_contain_text("64%")
    expect(table).to_contain_text("61%")
    expect(table).not_to_contain_text("50%")  # a group of 4, hidden from governors

    legend = page.get_by_role("region", name="Symbols")
    expect(legend.locator("dt")).to_have_text(["c", "x"])
    c_meaning, x_meaning = legend.locator("dd").first, legend.locator("dd").nth(1)
    expect(c_meaning).to_contain_text("Suppressed (small numbers)")
    expect(c_meaning).to_contain_text("Hidden: the group is too small to report")
    expect(x_meaning).to_have_text("Not available")
