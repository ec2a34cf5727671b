"""The pages the benchmark measures, and the trivial view they are measured against.

To measure another page, add a line at the bottom:

    page("card page", EXECUTIVE, lambda world: reverse("cards:detail", args=[world.focus.urn]))

`who` is a key of `BenchTrust.people`; `url` is called with the trust at each size; `check`,
if given, looks at the response and returns what is wrong with it (or None), so a page that
quietly shows nothing is not mistaken for a fast one. Every page must answer 200.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from academies.models import Academy
from healthchecks.models import HealthCheck, Risk
from tiers.models import CapacityOffer, SupportItem, TierAssignment, TierRecommendation
from trust.models import AcademicYear

from .measure import count_queries, interleaved_times, median_ms
from .world import EXECUTIVE, GOVERNOR, HUB_LEAD, BenchTrust

HTML = "text/html"
JSON = "application/json"

URLCONF = "academycards.bench.urls"


@login_required
@require_GET
def trivial(request):
    """The baseline: the least a signed-in page costs here (middleware, session, user)."""
    return HttpResponse("ok")


Check = Callable[[HttpResponse, BenchTrust], str | None]


@dataclass(frozen=True)
class PageCase:
    label: str
    who: str
    url: Callable[[BenchTrust], str]
    accept: str = HTML
    check: Check | None = None

    @property
    def name(self):
        return f"{self.label} ({self.who})"


PAGE_CASES: list[PageCase] = []


def page(label, who, url, *, accept=HTML, check=None):
    """Register a page to measure; returns the case."""
    case = PageCase(label, who, url, accept, check)
    PAGE_CASES.append(case)
    return case


BASELINE = PageCase("trivial view", EXECUTIVE, lambda world: reverse("bench-trivial"))


# Checks: each returns what is wrong with the response, or None.

def _shows_count(expected):
    def check(response, world):
        count = expected(world)
        pattern = rf"\b{count}\s+academ(y|ies)\b"
        if not re.search(pattern, response.content.decode()):
            return f"expected the page to say it lists {count} academies"
        return None
    return check


def _api_count(expected):
    def check(response, world):
        count = response.json().get("count")
        if count != expected(world):
            return f"the API listed {count} academies, expected {expected(world)}"
        return None
    return check


def _shows_focus(response, world):
    if world.focus.urn not in response.content.decode():
        return f"expected academy {world.focus.urn} on the page"
    return None


def _all(world):
    return world.size


def _first_hub(world):
    return len(world.academies_in(world.hubs[0]))


def _academy_page(world):  # the first academy: the governor's
    return reverse("academies:detail", kwargs={"urn": world.focus.urn})


def _api_academy(world):
    return reverse("api:academy-detail", kwargs={"urn": world.focus.urn})


def _academies_page(world):
    return reverse("academies:list")


page("academies page", EXECUTIVE, _academies_page, check=_shows_count(_all))
page("academies page", HUB_LEAD, _academies_page, check=_shows_count(_first_hub))
page("academy page", EXECUTIVE, _academy_page, check=_shows_focus)
page("academy page", GOVERNOR, _academy_page, check=_shows_focus)
page("API academies list", EXECUTIVE, lambda w: reverse("api:academy-list"), accept=JSON,
     check=_api_count(_all))
page("API academy detail", EXECUTIVE, _api_academy, accept=JSON, check=_shows_focus)


# Health checks and the risk register. Each check counts what the person should see, so a page
# that quietly drops rows (or shows a trust-only risk to a governor) fails the run.

def _shows(pattern):
    """A check that the page says `pattern(world, user)`, a regular expression."""
    def check(response, world):
        user = response.wsgi_request.user
        expected = pattern(world, user)
        if not re.search(expected, response.content.decode(), flags=re.S):
            return f"expected the page to match {expected!r}"
        return None
    return check


def _open_risks(world, user):
    return rf"\b{Risk.objects.visible_to(user).open().count()} risks?\b"


def _focus_open_risks(world, user):
    count = Risk.objects.visible_to(user).open().filter(academy=world.focus).count()
    return rf"\b{count} open risks?\b"


def _reports(world, user):
    return rf"\b{HealthCheck.objects.visible_to(user).count()} reports?\b"


def _focus_report_shown(world, user):
    first = world.focus_report.actions.order_by("number").first()
    return re.escape(world.focus.name) + ".*" + re.escape(first.recommendation[:40])


def _api_rows(rows, what):
    """A check that an API list counts `rows(user)`, the rows the person may read."""
    def check(response, world):
        count = response.json().get("count")
        expected = rows(response.wsgi_request.user).count()
        if count != expected:
            return f"the API listed {count} {what}, expected {expected}"
        return None
    return check


_api_risks = _api_rows(lambda user: Risk.objects.visible_to(user), "risks")


def _register(world):
    return reverse("healthchecks:risks")


def _academy_risks(world):
    return reverse("healthchecks:academy-risks", kwargs={"urn": world.focus.urn})


def _report(world):
    return reverse("healthchecks:detail", kwargs={"uuid": world.focus_report.uuid})


def _report_list(world):
    return reverse("healthchecks:list")


page("risk register", EXECUTIVE, _register, check=_shows(_open_risks))
page("risk register", HUB_LEAD, _register, check=_shows(_open_risks))
page("academy risks page", EXECUTIVE, _academy_risks, check=_shows(_focus_open_risks))
page("academy risks page", GOVERNOR, _academy_risks, check=_shows(_focus_open_risks))
page("health-check report", EXECUTIVE, _report, check=_shows(_focus_report_shown))
page("health-check report", GOVERNOR, _report, check=_shows(_focus_report_shown))
page("health-check list", EXECUTIVE, _report_list, check=_shows(_reports))
page("health-check list", HUB_LEAD, _report_list, check=_shows(_reports))
page("API risk list", EXECUTIVE, lambda w: reverse("api:risk-list"), accept=JSON, check=_api_risks)
page("API risk list", GOVERNOR, lambda w: reverse("api:risk-list"), accept=JSON, check=_api_risks)


# School-improvement tiers and the support they owe (the trust's tier data: `tiers_world`). The
# checks count what the person should see; the focus academy's governor must see its agreed tier
# and schedule but never the engine's recommendation, which is trust-only evidence.

def _this_year(world):
    return AcademicYear.for_date(world.today)


def _board_shows(world, user):
    shown = Academy.objects.permitting(user, "tier.recommendation.view").exclude(status=Academy.Status.LEFT)
    waiting = TierAssignment.objects.pending().filter(academy__in=shown, academic_year=_this_year(world))
    count, pending = shown.count(), waiting.count()
    year = re.escape(str(_this_year(world)))
    return rf"\b{count} academ(y|ies) shown;.*\b{pending} proposals? for {year}"


def _focus_tier(world, user):
    agreed = TierAssignment.objects.agreed().get(academy=world.focus, academic_year=_this_year(world))
    return rf'data-testid="agreed-tier">Tier {agreed.tier}\b.*minute {re.escape(agreed.board_minute)}'


def _focus_trace(response, world):
    """Trust staff see the focus academy's recommendation and every line of its trace; its
    governor sees neither."""
    problem = _shows(_focus_tier)(response, world)
    if problem:
        return problem
    text = response.content.decode()
    trace_shown = 'data-testid="trace"' in text
    if response.wsgi_request.user == world.people[GOVERNOR]:
        return "the governor was shown the engine's recommendation" if trace_shown else None
    recommendation = TierRecommendation.objects.current().get(academy=world.focus,
                                                              academic_year=_this_year(world))
    missing = [line["name"] for line in recommendation.trace if escape(line["name"]) not in text]
    if not trace_shown or missing:
        return f"expected the recommendation's trace on the page, with {', '.join(missing) or 'its lines'}"
    return None


def _support_totals(academies):
    """A check that the page says how much of the support owed to `academies(world)` was
    delivered and is overdue, counted as the support pages count it."""
    def pattern(world, user):
        items = SupportItem.objects.filter(academic_year=_this_year(world), academy__in=academies(world))
        to_date = items.exclude(status=SupportItem.Status.CANCELLED).filter(due_on__lte=world.today)
        delivered = to_date.filter(status=SupportItem.Status.DELIVERED).count()
        overdue = items.overdue(world.today).count()
        return rf"Delivered {delivered} of {to_date.count()} owed to date, {overdue} overdue\."
    return _shows(pattern)


def _capacity_shows(response, world):
    """Every offer of the year, and every academy in tier 3 or 4 matched to them."""
    text = response.content.decode()
    year = _this_year(world)
    expected = {
        "offers": (text.count('Remove<span class="visually-hidden">'),
                   CapacityOffer.objects.filter(academic_year=year).count()),
        "academies in tiers 3 and 4": (text.count('<article class="border rounded p-3 mb-3" data-urn='),
                                       TierAssignment.objects.agreed().filter(academic_year=year, tier__gte=3)
                                       .count()),
    }
    wrong = [f"{shown} {what}, expected {count}"
             for what, (shown, count) in expected.items() if shown != count]
    return f"the page showed {'; '.join(wrong)}" if wrong else None


def _tier_page(world):
    return reverse("tiers:academy", kwargs={"urn": world.focus.urn})


def _support_page(world):
    return reverse("tiers:support", kwargs={"urn": world.focus.urn})


page("tier board", EXECUTIVE, lambda w: reverse("tiers:board"), check=_shows(_board_shows))
page("tier board", HUB_LEAD, lambda w: reverse("tiers:board"), check=_shows(_board_shows))
page("academy tier page", EXECUTIVE, _tier_page, check=_focus_trace)
page("academy tier page", GOVERNOR, _tier_page, check=_focus_trace)
page("academy support page", EXECUTIVE, _support_page, check=_support_totals(lambda w: [w.focus]))
page("academy support page", GOVERNOR, _support_page, check=_support_totals(lambda w: [w.focus]))
page("support overview", EXECUTIVE, lambda w: reverse("tiers:support-overview"),
     check=_support_totals(lambda w: Academy.objects.exclude(status=Academy.Status.LEFT)))
page("capacity page", EXECUTIVE, lambda w: reverse("tiers:capacity"), check=_capacity_shows)
page("API tier assignments", EXECUTIVE, lambda w: reverse("api:tier-assignment-list"), accept=JSON,
     check=_api_rows(lambda user: TierAssignment.objects.visible_to(user), "tier assignments"))
page("API tier recommendations", EXECUTIVE, lambda w: reverse("api:tier-recommendation-list"), accept=JSON,
     check=_api_rows(lambda user: TierRecommendation.objects.permitting(user, "tier.recommendation.view"),
                     "recommendations"))


# Measuring them.

class PageFailed(RuntimeError):
    """A page did not answer as the benchmark expects; measuring it would mislead."""


@dataclass
class PageResult:
    case: PageCase
    queries: dict[int, list[str]] = field(default_factory=dict)  # trust size -> SQL run
    samples: list[float] = field(default_factory=list)  # seconds, at the largest size

    def count(self, size):
        return len(self.queries[size])

    @property
    def grows(self):
        return len({len(sql) for sql in self.queries.values()}) > 1

    @property
    def median_ms(self):
        return median_ms(self.samples)


class PageBench:
    """Signed-in clients for each point of view, and the measurements of a list of cases."""

    def __init__(self, world, cases, baseline=BASELINE):
        self.world = world.add_tiers()  # the tier pages read the trust's tiers, grown with it
        self.baseline = baseline
        self.cases = [baseline, *cases]
        self.clients = {}
        for who in dict.fromkeys(case.who for case in self.cases):
            client = Client(raise_request_exception=True)
            client.force_login(world.people[who])
            self.clients[who] = client
        self.results = [PageResult(case) for case in self.cases]

    def _request(self, case):
        client, url, accept = self.clients[case.who], case.url(self.world), case.accept
        return lambda: client.get(url, headers={"accept": accept})

    def count_queries(self):
        """Each page once to warm up and check it, once more to count its queries."""
        size = self.world.size
        for result in self.results:
            case = result.case
            request = self._request(case)
            response = request()
            problem = None
            if response.status_code != 200:
                problem = f"answered {response.status_code}"
            elif case.check:
                problem = case.check(response, self.world)
            if problem:
                raise PageFailed(
                    f"{case.name} at {case.url(self.world)} with {size} academies: {problem}."
                )
            _, result.queries[size] = count_queries(request)

    def time(self, repeat, warmup):
        calls = {index: self._request(result.case) for index, result in enumerate(self.results)}
        samples = interleaved_times(calls, repeat=repeat, warmup=warmup)
        for index, result in enumerate(self.results):
            result.samples = samples[index]

    @property
    def baseline_result(self):
        return self.results[0]

    @property
    def page_results(self):
        return self.results[1:]
