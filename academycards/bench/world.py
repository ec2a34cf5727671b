"""The benchmark's trust: built in bulk, then grown in place (21 academies, then 500).

Deterministic, with the mix of a large real trust: mostly primaries, some secondaries, special,
alternative-provision and all-through academies; mostly open, a few joining (some not yet in a
hub) and a few that have left. Every academy has a headteacher and a chair of governors; every
hub has a hub lead; the executive and the School Improvement Executive Lead see the whole trust.
Every academy that has not left has its health checks and risks in proportion (`health`).

The points of view the pages are measured from are `BenchTrust.people`, keyed by the `who`
of a case: "executive", "hub lead" (of the first hub) and "governor" (of the first academy,
`BenchTrust.focus`, which keeps its URN, hub and people as the trust grows).
"""

import datetime
import math

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from academies.models import Academy
from trust.models import AcademicYear, Hub, Membership, Role, Trust, User

from .health import HealthRecords
from .tiers_world import TierRecords

EXECUTIVE, HUB_LEAD, GOVERNOR = "executive", "hub lead", "governor"

DOMAIN = "bench.invalid"
ACADEMIES_PER_HUB = 42
FIRST_URN = 140000

HUB_NAMES = [
    "Riverside", "Moorland", "Coastal", "Valley", "Forest", "Harbour", "Northgate", "Southfields",
    "Eastbrook", "Westmere", "Highland", "Lakeside", "Meadowbank", "Castleton", "Fenland", "Downs",
]
# Local authorities are synthetic; a hub is geographic, so its academies share a few.
LOCAL_AUTHORITIES = [
    ("Synthetic Borough", "999"), ("Synthetic Shire", "998"), ("Synthetic City", "997"),
    ("Synthetic Dales", "996"), ("Synthetic Marches", "995"), ("Synthetic Fens", "994"),
    ("Synthetic Weald", "993"), ("Synthetic Vale", "992"),
]
FIRST_WORDS = [
    "Oakfield", "Ashby", "Kingfisher", "Willowbank", "Heatherfield", "Stonebridge", "Larkspur",
    "Saltmarsh", "Anchor Bay", "Cliffe", "Seagrass", "Fellside", "Brookside", "Elmwood",
    "Hollybush", "Foxhill", "Redwing", "Thornton", "Beacon", "Millbrook", "Greystone",
    "Juniper", "Rowan", "Sandpiper", "Cedar",
]
SECOND_WORDS = [
    "", "Green", "Park", "Vale", "Hill", "Lane", "Fields", "Cross", "Meadow", "Rise", "Gate",
    "Common", "Heath", "Grange", "Wood", "Bank", "Edge", "Moor", "Brook", "Way",
]

P, T, S = Academy.Phase, Academy.Type, Academy.Status

# phase -> (name ending, academy types in turn, statutory ages)
KINDS = {
    P.PRIMARY: (
        "Primary Academy", [T.CONVERTER, T.SPONSOR_LED, T.CONVERTER, T.FREE_SCHOOL], (4, 11),
    ),
    P.SECONDARY: (
        "Academy", [T.CONVERTER, T.SPONSOR_LED, T.FREE_SCHOOL, T.STUDIO_UTC], (11, 18),
    ),
    P.SPECIAL: (
        "Special Academy",
        [T.SPECIAL_CONVERTER, T.SPECIAL_SPONSOR_LED, T.SPECIAL_FREE_SCHOOL], (4, 19),
    ),
    P.ALL_THROUGH: ("All-Through Academy", [T.SPONSOR_LED, T.CONVERTER], (4, 18)),
    P.ALTERNATIVE_PROVISION: (
        "Pathways Centre", [T.AP_CONVERTER, T.AP_SPONSOR_LED, T.AP_FREE_SCHOOL], (11, 16),
    ),
    P.MIDDLE: ("Middle School", [T.CONVERTER, T.SPONSOR_LED], (9, 13)),
    P.SIXTEEN_PLUS: ("Sixth Form College", [T.SIXTEEN_NINETEEN], (16, 19)),
    P.NURSERY: ("Nursery School", [T.CONVERTER], (2, 5)),
}


def _spread(weights):
    """100 values in the given proportions (out of 100), interleaved rather than in runs."""
    pool = [value for value, count in weights for _ in range(count)]
    if len(pool) != 100:
        raise ValueError(f"Proportions must add up to 100, not {len(pool)}.")
    return [pool[(i * 37) % 100] for i in range(100)]


PHASES = _spread([
    (P.PRIMARY, 68), (P.SECONDARY, 16), (P.SPECIAL, 5), (P.ALL_THROUGH, 3),
    (P.ALTERNATIVE_PROVISION, 3), (P.MIDDLE, 2), (P.SIXTEEN_PLUS, 2), (P.NURSERY, 1),
])
STATUSES = _spread([(S.OPEN, 92), (S.JOINING, 4), (S.LEFT, 4)])


def hubs_for(academies):
    return max(3, math.ceil(academies / ACADEMIES_PER_HUB))


def _user(local, full_name, job_title):
    return User(
        email=f"{local}@{DOMAIN}", full_name=full_name, job_title=job_title,
        password=UNUSABLE_PASSWORD_PREFIX + "bench",
    )


class BenchTrust:
    """One trust, its hubs, academies and people, made with bulk_create."""

    def __init__(self, today=None):
        self.today = today or datetime.date.today()
        self.trust = Trust.objects.create(
            name="Benchmark Learning Trust", companies_house_number="09999002", group_uid="99002"
        )
        AcademicYear.current()
        self.hubs: list[Hub] = []
        self.hub_leads: list[User] = []
        self.academies: list[Academy] = []
        executive = User.objects.create(
            email=f"ceo@{DOMAIN}", full_name="Chief Executive", job_title="Chief executive officer",
            password=UNUSABLE_PASSWORD_PREFIX + "bench",
        )
        Membership.objects.create(user=executive, role=Role.EXECUTIVE)
        self.siel = User.objects.create(
            email=f"siel@{DOMAIN}", full_name="School Improvement Lead",
            job_title="School Improvement Executive Lead", password=UNUSABLE_PASSWORD_PREFIX + "bench",
        )
        Membership.objects.create(user=self.siel, role=Role.SIEL)
        self.people: dict[str, User] = {EXECUTIVE: executive}
        self.health = HealthRecords(self.today, self.siel, executive)
        self.health.add_trust_risks()
        self.tiers: TierRecords | None = None  # grown with the trust once `add_tiers` is called

    @property
    def focus_report(self):
        """This year's health check of the focus academy: published, so its governor reads it."""
        return self.health.focus_report

    @transaction.atomic
    def add_tiers(self):
        """Give the academies so far their tiers, support and recommendations (`tiers_world`), and
        every academy added from now on too. The tier pages need them; the tier recalculation's
        own benchmark starts from a trust with none."""
        if self.tiers is None:
            self.tiers = TierRecords(self.today, self.siel, self.people[EXECUTIVE])
            self.tiers.add(self.academies, 0)
        return self

    @property
    def size(self):
        return len(self.academies)

    @property
    def focus(self):
        """The academy whose pages are measured: the governor's, the same at every size."""
        return self.academies[0]

    def academies_in(self, hub):
        return [a for a in self.academies if a.hub_id == hub.pk]

    @transaction.atomic
    def grow_to(self, size):
        """Add hubs and academies (with their people) until the trust has `size` academies."""
        self._add_hubs(hubs_for(size))
        self._add_academies(size)
        return self

    def _add_hubs(self, count):
        new = []
        for index in range(len(self.hubs), count):
            name = HUB_NAMES[index] if index < len(HUB_NAMES) else f"Hub {index + 1}"
            new.append(Hub(trust=self.trust, name=f"{name} hub", slug=f"bench-{index + 1}"))
        if not new:
            return
        new = Hub.objects.bulk_create(new)
        leads = User.objects.bulk_create(
            [_user(f"hublead.{hub.slug}", f"{hub.name} Lead", f"{hub.name} lead") for hub in new]
        )
        Membership.objects.bulk_create([
            Membership(user=lead, role=Role.HUB_LEAD, hub=hub)
            for lead, hub in zip(leads, new, strict=True)
        ])
        self.hubs += new
        self.hub_leads += leads
        self.people.setdefault(HUB_LEAD, self.hub_leads[0])

    def _add_academies(self, size):
        start = len(self.academies)
        new = [self._academy(index) for index in range(start, size)]
        if not new:
            return
        new = Academy.objects.bulk_create(new)
        heads = User.objects.bulk_create(
            [_user(f"head.{a.urn}", f"Head of {a.urn}", "Headteacher") for a in new]
        )
        chairs = User.objects.bulk_create(
            [_user(f"chair.{a.urn}", f"Chair of {a.urn}", "Chair of governors") for a in new]
        )
        Membership.objects.bulk_create([
            Membership(user=user, role=role, academy=academy, lgb_chair=role == Role.GOVERNOR)
            for role, people in ((Role.HEADTEACHER, heads), (Role.GOVERNOR, chairs))
            for user, academy in zip(people, new, strict=True)
        ])
        self.health.add(new, start, dict(zip([h.pk for h in self.hubs], self.hub_leads, strict=True)))
        if self.tiers is not None:
            self.tiers.add(new, start)
        self.academies += new
        if start == 0:
            self.people[GOVERNOR] = chairs[0]

    def _academy(self, index):
        phase = PHASES[index % 100]
        status = STATUSES[index % 100]
        if index == 0:  # the focus academy: an open primary in the first hub
            phase, status = P.PRIMARY, S.OPEN
        ending, types, (low, high) = KINDS[phase]
        hub_index = index % len(self.hubs)
        # Two local authorities per hub, next to each other.
        la_index = hub_index * 2 + (index // len(self.hubs)) % 2
        la, la_code = LOCAL_AUTHORITIES[la_index % len(LOCAL_AUTHORITIES)]
        name = " ".join(
            w for w in (FIRST_WORDS[index % 25], SECOND_WORDS[(index // 25) % 20], ending) if w
        )
        if index >= 500:
            name += f" {index // 500 + 1}"
        joined = datetime.date(2012 + index % 13, (1, 4, 9)[index % 3], 1)
        left = None
        hub = self.hubs[hub_index]
        if status == S.JOINING:
            joined = self.today + datetime.timedelta(days=60 + index % 300)
            hub = None if index % 2 == 0 else hub  # half not yet placed
        elif status == S.LEFT:
            joined = datetime.date(2012 + index % 6, 9, 1)
            left = joined + datetime.timedelta(days=365 * 4 + index % 700)
        return Academy(
            trust=self.trust, urn=f"{FIRST_URN + index:06d}", name=name, phase=phase,
            academy_type=types[index % len(types)], hub=hub, local_authority=la, la_code=la_code,
            status=status, date_joined=joined, date_left=left,
            statutory_low_age=low, statutory_high_age=high,
        )
