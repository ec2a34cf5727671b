"""The demo trust's trust-wide part: the trust, its hubs, academic years and trust-wide people.

Every builder here is idempotent: running the demo twice leaves one of everything.
"""

import datetime

from django.utils.text import slugify

from .models import AcademicYear, Hub, Membership, Role, Trust, User

DEMO_DOMAIN = "demo-trust.example"
TRUST_NAME = "Northvale Learning Trust"
HUBS = ["Riverside hub", "Moorland hub", "Coastal hub"]
FIRST_YEAR = 2021  # five years of history before the current one

TRUST_PEOPLE = [
    # (role, local part of the email, name, job title)
    (Role.EXECUTIVE, "ceo", "Dr Amira Shah", "Chief executive officer"),
    (Role.SIEL, "siel", "Gareth Owen", "School Improvement Executive Lead"),
    (Role.TRUSTEE, "trustee", "Helen Marsh", "Trustee, chair of the standards committee"),
    (Role.DATA_MANAGER, "data", "Priya Natarajan", "Trust data manager"),
    (Role.ADMINISTRATOR, "admin", "Sam Okafor", "Trust systems administrator"),
]


def upsert_person(email, full_name, job_title, password, *, staff=False):
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={"full_name": full_name, "job_title": job_title, "is_active": True,
                  "is_staff": staff, "is_superuser": staff},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def build(password, today=None):
    """Trust, hubs, academic years with terms, and one person per trust-wide role.

    Returns the trust, the hubs by name and the login rows (role, email, URN)."""
    today = today or datetime.date.today()
    trust, _ = Trust.objects.update_or_create(
        name=TRUST_NAME, defaults={"companies_house_number": "09999001", "group_uid": "99001"}
    )
    hubs = {}
    for name in HUBS:
        hubs[name], _ = Hub.objects.update_or_create(
            slug=slugify(name.removesuffix(" hub")), defaults={"trust": trust, "name": name}
        )
    for start_year in range(FIRST_YEAR, AcademicYear.start_year_for(today) + 1):
        AcademicYear.for_date(datetime.date(start_year, 9, 1))

    logins = []
    for role, local, name, title in TRUST_PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        user = upsert_person(email, name, title, password, staff=role == Role.ADMINISTRATOR)
        Membership.objects.get_or_create(user=user, role=role, hub=None, academy=None)
        logins.append((Role(role).label, email, ""))

    hub_lead = upsert_person(
        f"hublead.riverside@{DEMO_DOMAIN}", "Joanne Pike", "Riverside hub lead", password
    )
    Membership.objects.get_or_create(user=hub_lead, role=Role.HUB_LEAD, hub=hubs["Riverside hub"])
    logins.append((f"{Role.HUB_LEAD.label} (Riverside hub)", hub_lead.email, ""))
    return trust, hubs, logins
