"""The strategic aims and performance standards every trust starts with, from its school
improvement model: five aims, and six standards that give a clear line of sight on how well each
academy is doing.

They are the trust's to edit. They are written once, into an empty table, after a migrate (see
apps.py): once aims or standards exist, nothing here touches them again.
"""

# number, title, description
AIMS = [
    (1, "High-performing academies",
     "Every academy gives its pupils an excellent education, so that each child reaches their full "
     "potential and leaves ready for what comes next."),
    (2, "Working together",
     "Academies improve faster together: they share what works, tackle common priorities side by "
     "side, and lend their strengths to one another."),
    (3, "People",
     "The trust attracts talented staff, helps them grow and keeps them."),
    (4, "Finance and infrastructure",
     "Money and buildings are managed so that they last and serve pupils well, now and in years to come."),
    (5, "Effective leadership",
     "Leaders and governors at every level set high expectations and hold one another to account."),
]

# code, title, description, rule, aim number
STANDARDS = [
    ("disadvantaged-gap", "The disadvantaged gap is closed",
     "Disadvantaged pupils achieve at least as well as other pupils do nationally, at the end of key "
     "stage 2 and key stage 4.",
     "gap_closed", 1),
    ("ofsted-top", "Every academy judged at the top of the Ofsted scale",
     "The academy's latest inspection places it at the top of the scale of the framework it was "
     "inspected under.",
     "ofsted_top", 1),
    ("zero-permanent-exclusions", "An inclusive academy: no permanent exclusions",
     "No pupil is permanently excluded during the year.",
     "no_permanent_exclusions", 1),
    ("groups-above-national", "Every group of pupils above the national average",
     "All pupils, and each group of pupils with a published figure, do at least as well as the same "
     "group nationally.",
     "groups_above_national", 1),
    ("behaviour-attendance", "Excellent behaviour and attendance",
     "Attendance is at least the national figure and suspensions no more frequent than nationally.",
     "behaviour_and_attendance", 1),
    ("next-stage", "Every pupil ready for their next stage",
     "Pupils leave each key stage with the knowledge and skills they need to move on well: at or above "
     "the national figure at the end of primary and secondary, and the progress expected of them in "
     "special and alternative provision.",
     "ready_for_next_stage", 1),
]


def seed_standards(**kwargs):
    """Write the model's aims and standards into empty tables; leave any the trust has alone."""
    from .models import PerformanceStandard, StrategicAim

    if not StrategicAim.objects.exists():
        StrategicAim.objects.bulk_create(
            StrategicAim(number=number, title=title, description=description)
            for number, title, description in AIMS
        )
    if not PerformanceStandard.objects.exists():
        aims = {aim.number: aim for aim in StrategicAim.objects.all()}
        PerformanceStandard.objects.bulk_create(
            PerformanceStandard(code=code, title=title, description=description, rule=rule,
                                aim=aims.get(aim_number), order=order)
            for order, (code, title, description, rule, aim_number) in enumerate(STANDARDS, start=1)
        )
