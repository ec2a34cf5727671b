"""What a person sees in the browser: signing in and out, the academies list, an academy's
page and its edit form, for each role.

The data is `World` (tests/conftest.py): hubs North (North A 100001, North B 100002) and
South (South A 100003, South B 100004), one person per role; the academy people belong to
North A and the hub lead leads North.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, Role

pytestmark = pytest.mark.browser

R = Role
TRUST_WIDE = [R.EXECUTIVE, R.SIEL, R.TRUSTEE, R.DATA_MANAGER, R.ADMINISTRATOR]
ACADEMY_PEOPLE = [R.HEADTEACHER, R.GOVERNOR, R.ACADEMY_DATA_MANAGER]
LOGIN_URL = re.compile(r"/accounts/login/")


def sign_in(page, email, password=PASSWORD):
    """Sign in through the real form, as a person does."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def heading(page):
    return page.get_by_role("heading", level=1)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def academy_links(page):
    """The academy names linked from the list's table."""
    return page.get_by_role("table").get_by_role("link")


# 1. Signing in lands each role where it works -------------------------------------------


LANDINGS = [
    *(pytest.param(role, "Academies", r"/academies/$", id=role.value)
      for role in [*TRUST_WIDE, R.HUB_LEAD]),
    *(pytest.param(role, "North A", r"/academies/100001/$", id=role.value)
      for role in ACADEMY_PEOPLE),
]


@pytest.mark.parametrize("role, lands_on, url", LANDINGS)
def test_signing_in_lands_each_role_where_it_works(page, e2e_world, role, lands_on, url):
    sign_in(page, e2e_world[role].email)

    expect(page).to_have_url(re.compile(url))
    expect(heading(page)).to_have_text(lands_on)
    expect(page.get_by_test_id("account-menu")).to_be_visible()
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="Academies", exact=True)).to_be_visible()
    admin = nav.get_by_role("link", name="Admin", exact=True)
    if role == R.ADMINISTRATOR:
        expect(admin).to_be_visible()
    else:
        expect(admin).to_have_count(0)


# 2. The hub lead's list, and searching it ------------------------------------------------


def test_hub_lead_sees_only_their_hub_and_can_search_it(page, e2e_world):
    sign_in(page, e2e_world[R.HUB_LEAD].email)
    expect(heading(page)).to_have_text("Academies")
    expect(page.get_by_text("2 academies")).to_be_visible()
    expect(academy_links(page)).to_have_text(["North A", "North B"])
    expect(page.get_by_role("link", name="South A")).to_have_count(0)
    expect(page.get_by_role("link", name="South B")).to_have_count(0)

    search = page.get_by_role("search", name="Find academies")
    search.get_by_label("Search").fill("north b")
    search.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]q=north\+b"))
    expect(page.get_by_text("1 academy", exact=True)).to_be_visible()
    expect(academy_links(page)).to_have_text(["North B"])

    search.get_by_label("Search").fill("100001")
    search.get_by_role("button", name="Filter").click()
    expect(academy_links(page)).to_have_text(["North A"])

    # Another hub's URN finds nothing: searching does not widen the scope.
    search.get_by_label("Search").fill("100003")
    search.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No academy matches.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)


# 3. An academy's page --------------------------------------------------------------------


def test_executive_opens_an_academy_from_the_list(page, e2e_world):
    sign_in(page, e2e_world[R.EXECUTIVE].email)
    expect(academy_links(page)).to_have_text(["North A", "North B", "South A", "South B"])

    academy_links(page).filter(has_text="South A").click()

    expect(page).to_have_url(re.compile(r"/academies/100003/$"))
    expect(heading(page)).to_have_text("South A")
    expect(page.get_by_text("URN 100003")).to_be_visible()
    register = page.get_by_role("region", name="Register entry")
    expect(register.locator("dt", has_text="Hub").locator("+ dd")).to_have_text("South")
    expect(page.get_by_role("link", name="Edit details")).to_be_visible()


def test_governor_sees_their_academy_read_only_and_no_other(page, e2e_world):
    sign_in(page, e2e_world[R.GOVERNOR].email)
    expect(heading(page)).to_have_text("North A")
    expect(page.get_by_text("URN 100001")).to_be_visible()
    expect(page.get_by_role("link", name="Edit details")).to_have_count(0)

    response = page.goto("/academies/100003/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_text("South A")).to_have_count(0)


# 4. Editing an academy -------------------------------------------------------------------


def test_executive_renames_an_academy(page, e2e_world):
    sign_in(page, e2e_world[R.EXECUTIVE].email)
    page.goto("/academies/100002/")
    page.get_by_role("link", name="Edit details").click()
    expect(heading(page)).to_have_text("Edit North B")

    page.get_by_label("Name").fill("North B Community Academy")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(r"/academies/100002/$"))
    expect(heading(page)).to_have_text("North B Community Academy")
    expect(page.get_by_role("status")).to_have_text(
        "North B Community Academy has been updated."
    )
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Academies").click()
    expect(academy_links(page)).to_have_text(
        ["North A", "North B Community Academy", "South A", "South B"]
    )


def _clear_name(page):
    page.get_by_label("Name").fill("")


def _leave_without_a_date(page):
    page.get_by_label("Status").select_option(label="Left the trust")


@pytest.mark.parametrize(
    "bad_input, error",
    [
        (_clear_name, "This field is required."),
        (_leave_without_a_date, "Give the date the academy left the trust."),
    ],
    ids=["name cleared", "left without a leaving date"],
)
def test_a_bad_edit_shows_the_error_and_keeps_the_academy(page, e2e_world, bad_input, error):
    sign_in(page, e2e_world[R.EXECUTIVE].email)
    page.goto("/academies/100002/edit/")
    bad_input(page)
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(r"/academies/100002/edit/$"))
    expect(page.locator(".invalid-feedback")).to_have_text([error])
    expect(heading(page)).to_have_text("Edit North B")

    page.goto("/academies/100002/")
    expect(heading(page)).to_have_text("North B")
    register = page.get_by_role("region", name="Register entry")
    expect(register.locator("dt", has_text="Status").locator("+ dd")).to_have_text("Open")


def test_a_refused_edit_still_names_the_academy_by_its_saved_name(page, e2e_world):
    sign_in(page, e2e_world[R.EXECUTIVE].email)
    page.goto("/academies/100002/edit/")
    page.get_by_label("Name").fill("Renamed but not saved")
    _leave_without_a_date(page)
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator(".invalid-feedback")).to_have_text(
        ["Give the date the academy left the trust."]
    )
    expect(page.get_by_label("Name")).to_have_value("Renamed but not saved")  # kept to correct
    expect(heading(page)).to_have_text("Edit North B", timeout=1_000)


# 5. A wrong password, and signing out ----------------------------------------------------


def test_a_wrong_password_is_refused(page, e2e_world):
    sign_in(page, e2e_world[R.EXECUTIVE].email, password="not-the-password")

    expect(page).to_have_url(LOGIN_URL)
    expect(heading(page)).to_have_text("Sign in")
    expect(page.locator("form .alert-danger")).to_contain_text(
        re.compile(r"email.* and password", re.IGNORECASE)
    )
    expect(page.get_by_test_id("account-menu")).to_have_count(0)
    page.goto("/academies/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/academies/$"))


def test_signing_out(page, e2e_world):
    sign_in(page, e2e_world[R.EXECUTIVE].email)
    expect(heading(page)).to_have_text("Academies")

    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(LOGIN_URL)
    expect(heading(page)).to_have_text("Sign in")
    expect(page.get_by_test_id("account-menu")).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name="Academies")).to_have_count(0)
    page.goto("/academies/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/academies/$"))
    expect(heading(page)).to_have_text("Sign in")
