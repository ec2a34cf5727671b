"""The demo trust's academies and the people who work at them.

About 21 academies in three hubs, as in a real mid-sized trust: mostly primaries, some
secondaries, an all-through school, a special school, an alternative-provision academy and a
free school still joining. The first five carry the URNs of the synthetic DfE and Ofsted files
in shared/samples, so a demo data manager can import those files and see them land.
"""

import datetime

from trust.demo import DEMO_DOMAIN, upsert_person
from trust.models import Membership, Role

from .models import Academy

P, S = Academy.Phase, Academy.Type
D = datetime.date

SYN_BOROUGH = ("Synthetic Borough", "999")
SYN_SHIRE = ("Synthetic Shire", "998")
SYN_CITY = ("Synthetic City", "997")

# urn, name, phase, type, hub, (LA, code), joined, status, ages
ACADEMIES = [
    ("999101", "Synthetic Meadow Primary Academy", P.PRIMARY, S.CONVERTER, "Riverside hub", SYN_BOROUGH, D(2016, 9, 1), "open", (3, 11)),
    ("999102", "Synthetic Vale Academy", P.SECONDARY, S.SPONSOR_LED, "Riverside hub", SYN_BOROUGH, D(2019, 4, 1), "open", (11, 18)),
    ("999103", "St Aidan’s Church of England Academy", P.PRIMARY, S.CONVERTER, "Riverside hub", SYN_BOROUGH, D(2022, 2, 1), "open", (4, 11)),
    ("999104", "Synthetic Brook Free School", P.PRIMARY, S.FREE_SCHOOL, None, SYN_BOROUGH, D(2027, 1, 1), "joining", (4, 11)),
    ("999105", "Synthetic Riverside Academy", P.PRIMARY, S.SPONSOR_LED, "Riverside hub", SYN_BOROUGH, D(2017, 9, 1), "open", (4, 11)),
    ("999106", "Kingfisher Primary Academy", P.PRIMARY, S.CONVERTER, "Riverside hub", SYN_BOROUGH, D(2015, 9, 1), "open", (4, 11)),
    ("999107", "Willowbank Infant and Nursery Academy", P.PRIMARY, S.CONVERTER, "Riverside hub", SYN_BOROUGH, D(2018, 1, 1), "open", (3, 7)),
    ("999108", "Harbour View Special Academy", P.SPECIAL, S.SPECIAL_CONVERTER, "Riverside hub", SYN_BOROUGH, D(2019, 9, 1), "open", (4, 19)),
    ("999109", "Moorland Edge Primary Academy", P.PRIMARY, S.SPONSOR_LED, "Moorland hub", SYN_SHIRE, D(2020, 9, 1), "open", (4, 11)),
    ("999110", "Heatherfield Academy", P.SECONDARY, S.CONVERTER, "Moorland hub", SYN_SHIRE, D(2014, 4, 1), "open", (11, 18)),
    ("999111", "Oakridge Primary Academy", P.PRIMARY, S.CONVERTER, "Moorland hub", SYN_SHIRE, D(2016, 1, 1), "open", (4, 11)),
    ("999112", "Stonebridge Church of England Academy", P.PRIMARY, S.CONVERTER, "Moorland hub", SYN_SHIRE, D(2021, 9, 1), "open", (4, 11)),
    ("999113", "Fellside All-Through Academy", P.ALL_THROUGH, S.SPONSOR_LED, "Moorland hub", SYN_SHIRE, D(2018, 9, 1), "open", (4, 16)),
    ("999114", "Larkspur Junior Academy", P.PRIMARY, S.SPONSOR_LED, "Moorland hub", SYN_SHIRE, D(2023, 4, 1), "open", (7, 11)),
    ("999115", "The Pathways Centre", P.ALTERNATIVE_PROVISION, S.AP_CONVERTER, "Moorland hub", SYN_SHIRE, D(2022, 9, 1), "open", (11, 16)),
    ("999116", "Saltmarsh Primary Academy", P.PRIMARY, S.CONVERTER, "Coastal hub", SYN_CITY, D(2015, 4, 1), "open", (4, 11)),
    ("999117", "Lighthouse Academy", P.SECONDARY, S.SPONSOR_LED, "Coastal hub", SYN_CITY, D(2017, 1, 1), "open", (11, 16)),
    ("999118", "Dunes Primary Academy", P.PRIMARY, S.SPONSOR_LED, "Coastal hub", SYN_CITY, D(2024, 9, 1), "open", (4, 11)),
    ("999119", "Anchor Bay Primary Academy", P.PRIMARY, S.CONVERTER, "Coastal hub", SYN_CITY, D(2016, 9, 1), "open", (3, 11)),
    ("999120", "Cliffe Park Academy", P.SECONDARY, S.CONVERTER, "Coastal hub", SYN_CITY, D(2013, 9, 1), "open", (11, 18)),
    ("999121", "Seagrass Primary Academy", P.PRIMARY, S.FREE_SCHOOL, "Coastal hub", SYN_CITY, D(2019, 9, 1), "open", (4, 11)),
]

ACADEMY_PEOPLE = [
    # (role, local part, name, job title, URN)
    (Role.HEADTEACHER, "head.meadow", "Rachel Adeyemi", "Headteacher", "999101"),
    (Role.GOVERNOR, "governor.meadow", "Tom Brennan", "Chair of the local governing board", "999101"),
    (Role.ACADEMY_DATA_MANAGER, "data.vale", "Lucy Chen", "Data manager", "999102"),
]
# The governors who chair their academy's local governing board (and so hear of its shared risks).
LGB_CHAIRS = {"governor.meadow"}


def build(trust, hubs, password):
    """Academies (updated in place by URN) and one person per academy role."""
    academies = {}
    for urn, name, phase, kind, hub, (la, la_code), joined, status, (low, high) in ACADEMIES:
        academies[urn], _ = Academy.objects.update_or_create(
            urn=urn,
            defaults={
                "trust": trust, "name": name, "phase": phase, "academy_type": kind,
                "hub": hubs[hub] if hub else None, "local_authority": la, "la_code": la_code,
                "date_joined": joined, "status": status, "date_left": None,
                "statutory_low_age": low, "statutory_high_age": high,
            },
        )
    logins = []
    for role, local, name, title, urn in ACADEMY_PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        user = upsert_person(email, name, title, password)
        Membership.objects.update_or_create(
            user=user, role=role, academy=academies[urn], defaults={"lgb_chair": local in LGB_CHAIRS}
        )
        logins.append((Role(role).label, email, urn))
    return academies, logins
