"""Live progress of targets: judged against the latest result, recomputed after every import,
off track told to the people who must act; and the board's October deadline."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from academies import tasks
from academies.imports.pipeline import import_file
from academies.models import ImportBatch, Measure, Result, Target, TargetPolicy
from academies.progress import judge, recompute
from academies.services import is_overdue
from tests.factories import Role
from trust.models import AcademicYear, Notification

P, S = Target.Progress, Target.Status
MARGIN = Decimal("3")


# judge(): one target against one result


@pytest.mark.parametrize(("code", "aim", "latest", "progress"), [
    # Higher is better: the expected standard at KS2.
    ("ks2_expected", "70", "72.5", P.ON_TRACK),
    ("ks2_expected", "70", "70", P.ON_TRACK),
    ("ks2_expected", "70", "68", P.AT_RISK),
    ("ks2_expected", "70", "67", P.AT_RISK),  # exactly the margin short
    ("ks2_expected", "70", "66.9", P.OFF_TRACK),
    ("ks4_attainment8", "48.5", "44.2", P.OFF_TRACK),
    # Lower is better: persistent absence.
    ("persistent_absence", "15", "12.4", P.ON_TRACK),
    ("persistent_absence", "15", "15", P.ON_TRACK),
    ("persistent_absence", "15", "18", P.AT_RISK),
    ("persistent_absence", "15", "18.1", P.OFF_TRACK),
    ("suspension_rate", "4", "3.2", P.ON_TRACK),
    ("suspension_rate", "4", "9.5", P.OFF_TRACK),
])
def test_a_target_is_on_track_at_risk_or_off_track_by_the_trusts_margin(db, code, aim, latest, progress):
    target = Target(measure=Measure.objects.get(code=code), value=Decimal(aim))

    assert judge(target, Result(value=Decimal(latest)), MARGIN) == (progress, Decimal(latest))


def test_a_target_without_a_result_has_no_data_and_one_with_a_suppressed_result_is_not_judged(db):
    target = Target(measure=Measure.objects.get(code="ks2_expected"), value=Decimal("70"))

    assert judge(target, None, MARGIN) == (P.NO_DATA, None)
    assert judge(target, Result(value=None, state="suppressed", raw="c"), MARGIN) == (P.NOT_JUDGED, None)


# recompute(): each target against the latest result of its own figure in its own year


@pytest.fixture
def year(db):
    return AcademicYear.for_date(datetime.date(2024, 9, 1))


def phonics_target(world, year, value="82", academy=None, status=S.AGREED):
    return Target.objects.create(
        academy=academy or world.north_a, academic_year=year, measure=Measure.objects.get(code="phonics_y1"),
        year_group="Y1", value=Decimal(value), status=status,
    )


def phonics(world, year, value, *, source="in_year", term=0, academy=None, **fields):
    state = "suppressed" if value is None else ""
    return Result.objects.create(
        academy=academy or world.north_a, measure=Measure.objects.get(code="phonics_y1"), academic_year=year,
        year_group="Y1", value=None if value is None else Decimal(value), state=state, source=source,
        term=term, **fields,
    )


def progress_of(target):
    target.refresh_from_db()
    return target.progress, target.progress_value, target.progress_result_id


def test_progress_follows_the_latest_term_and_then_the_published_figure(world, year):
    target = phonics_target(world, year)
    last_year = AcademicYear.for_date(datetime.date(2023, 9, 1))
    phonics(world, last_year, "90", source="published")  # last year's: not this target's
    phonics(world, year, "95", pupil_group="disadvantaged")  # another group
    phonics(world, year, "95", academy=world.north_b)  # another academy
    phonics(world, year, "74", term=1)
    spring = phonics(world, year, "80", term=2)

    recompute()
    assert progress_of(target) == (P.AT_RISK, Decimal("80"), spring.pk)

    phonics(world, year, "88", term=3)
    published = phonics(world, year, "78", source="published")
    recompute()
    # The published figure for the year beats any in-year assessment, even the summer's.
    assert progress_of(target) == (P.OFF_TRACK, Decimal("78"), published.pk)


def test_a_suppressed_published_figure_leaves_the_target_not_judged(world, year):
    target = phonics_target(world, year)
    phonics(world, year, "85", term=3)
    published = phonics(world, year, None, source="published", raw="c")

    recompute()

    assert progress_of(target) == (P.NOT_JUDGED, None, published.pk)


def test_a_target_without_a_result_yet_says_so(world, year):
    target = phonics_target(world, year)
    phonics(world, AcademicYear.for_date(datetime.date(2023, 9, 1)), "90", source="published")

    recompute()

    assert progress_of(target) == (P.NO_DATA, None, None)


def test_the_trust_sets_how_close_counts_as_at_risk(world, year):
    target = phonics_target(world, year)
    phonics(world, year, "80", source="published")
    policy = TargetPolicy.for_trust(world.trust)
    policy.at_risk_margin = Decimal("1.5")
    policy.save()

    recompute()

    assert progress_of(target)[0] == P.OFF_TRACK


def test_recomputing_some_academies_leaves_the_others_and_a_second_run_changes_nothing(world, year, eager):
    ours = phonics_target(world, year)
    theirs = phonics_target(world, year, academy=world.south_a)
    phonics(world, year, "85", source="published")
    phonics(world, year, "85", source="published", academy=world.south_a)

    assert tasks.recompute_target_progress.delay([world.north_a.pk]).get() == 1

    assert progress_of(ours)[0] == P.ON_TRACK
    assert progress_of(theirs)[0] == P.NO_DATA
    assert tasks.recompute_target_progress.delay([world.north_a.pk]).get() == 0
    assert tasks.recompute_target_progress.delay().get() == 1  # the nightly run: every academy


# After an import: recomputed by the task the import enqueues, with no call by hand.

TEMPLATE_HEADER = "urn,academic_year,term,measure,pupil_group,year_group,subject,value,cohort,national,source"
ABSENCE_HEADER = (
    "time_period,time_identifier,geographic_level,old_la_code,la_name,school_urn,school_name,"
    "enrolments,sess_overall_percent,sess_unauthorised_percent,enrolments_pa_10_exact_percent,"
    "enrolments_pa_50_exact_percent"
)


def template_file(*rows):
    """The trust's template with rows of (urn, value): published Year 1 phonics, 2024/25."""
    lines = [TEMPLATE_HEADER]
    lines += [f"{urn},2024/25,,phonics_y1,all,Y1,,{value},30,,published" for urn, value in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def absence_file(urn, persistent):
    row = f"202425,Academic year,School,999,Testshire,{urn},School {urn},400,5.2,1.4,{persistent},0.8"
    return ("\r\n".join([ABSENCE_HEADER, row]) + "\r\n").encode()


def imported(data, capture, name="figures.csv"):
    """Import a file and commit, as a data manager's upload would: the callbacks run after."""
    with capture(execute=True):
        batch = import_file(data=data, file_name=name)
    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    return batch


@pytest.fixture
def after_imports(eager, django_capture_on_commit_callbacks):
    return lambda data, name="figures.csv": imported(data, django_capture_on_commit_callbacks, name)


def off_track_notes(user):
    return list(Notification.objects.filter(user=user, kind="target.off_track"))


@time_machine.travel(datetime.datetime(2025, 3, 10, 10, tzinfo=datetime.UTC))  # one day: told once a day
def test_an_import_moves_progress_and_going_off_track_tells_the_headteacher_once(world, year, after_imports):
    target = phonics_target(world, year)
    other = phonics_target(world, year, academy=world.south_a, value="70")
    head = world[Role.HEADTEACHER]

    after_imports(template_file(("100001", "80"), ("100003", "75")))

    assert progress_of(target)[:2] == (P.AT_RISK, Decimal("80"))
    assert progress_of(other)[:2] == (P.ON_TRACK, Decimal("75"))
    assert off_track_notes(head) == []

    after_imports(template_file(("100001", "76")))

    assert progress_of(target)[:2] == (P.OFF_TRACK, Decimal("76"))
    [note] = off_track_notes(head)
    assert note.title == "Off track: Phonics: end of Year 1 at North A"
    assert "76%" in note.body and "82%" in note.body and note.url == "/academies/100001/targets/"
    told = {n.user for n in Notification.objects.filter(kind="target.off_track")}
    assert told == {head, world[Role.EXECUTIVE], world[Role.HUB_LEAD]}  # not the governor
    assert [m.to for m in mail.outbox if m.to == [head.email]] == [[head.email]]

    # Still off track, back to at risk and off track again the same day: told once.
    after_imports(template_file(("100001", "75")))
    after_imports(template_file(("100001", "80")), name="again.csv")
    after_imports(template_file(("100001", "74")), name="worse.csv")
    assert progress_of(target)[:2] == (P.OFF_TRACK, Decimal("74"))
    assert len(off_track_notes(head)) == 1


def test_an_absence_file_judges_a_lower_is_better_target(world, year, after_imports):
    target = Target.objects.create(
        academy=world.north_a, academic_year=year, measure=Measure.objects.get(code="persistent_absence"),
        value=Decimal("14"), status=S.PROPOSED,
    )

    after_imports(absence_file("100001", "13.6"), name="absence.csv")
    assert progress_of(target)[:2] == (P.ON_TRACK, Decimal("13.6"))

    after_imports(absence_file("100001", "16.5"), name="absence-revised.csv")
    assert progress_of(target)[:2] == (P.AT_RISK, Decimal("16.5"))


# The board's deadline: 31 October by default


@pytest.fixture
def autumn(world):
    """This year's targets of three academies: one academy's all agreed, the others' not."""
    year = AcademicYear.for_date(datetime.date(2025, 9, 1))
    for academy, status in ((world.north_a, S.PROPOSED), (world.north_b, S.AGREED), (world.south_a, S.DRAFT)):
        phonics_target(world, year, academy=academy, status=status)
    # Last year's, never agreed: not this year's business.
    phonics_target(world, AcademicYear.for_date(datetime.date(2024, 9, 1)), academy=world.south_b,
                   status=S.DRAFT)
    return year


def deadline_notes(user):
    notes = Notification.objects.filter(user=user, kind="target.deadline").select_related("academy")
    return sorted((n.academy.name, n.title) for n in notes)


@pytest.mark.parametrize("today", [datetime.date(2025, 10, 17), datetime.date(2025, 10, 31)])
def test_as_the_deadline_nears_the_board_hears_of_academies_with_targets_not_agreed(
    world, autumn, today, eager,
):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(7)), tick=False):
        assert tasks.remind_target_deadline.delay().get() == 2
        assert tasks.remind_target_deadline.delay().get() == 2  # the next day's run, the same week

    expected = [("North A", "North A: 1 targets not agreed by 31 October"),
                ("South A", "South A: 1 targets not agreed by 31 October")]
    assert deadline_notes(world[Role.TRUSTEE]) == expected
    assert deadline_notes(world[Role.EXECUTIVE]) == expected
    assert not Notification.objects.filter(kind="target.deadline").exclude(
        user__in=[world[Role.TRUSTEE], world[Role.EXECUTIVE]]).exists()


def test_after_the_deadline_the_reminder_says_so(world, autumn, eager):
    with time_machine.travel(datetime.datetime(2025, 11, 6, 7), tick=False):
        assert tasks.remind_target_deadline.delay().get() == 2

    assert ("North A", "North A: 1 targets not agreed after the board's deadline") in deadline_notes(
        world[Role.TRUSTEE])


@pytest.mark.parametrize("today", [datetime.date(2025, 10, 16), datetime.date(2025, 11, 29),
                                   datetime.date(2026, 3, 2)])
def test_outside_the_weeks_around_the_deadline_nobody_is_reminded(world, autumn, today, eager):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(7)), tick=False):
        assert tasks.remind_target_deadline.delay().get() == 0

    assert not Notification.objects.filter(kind="target.deadline").exists()


def test_a_target_not_agreed_by_the_deadline_is_overdue(world, autumn):
    proposed = Target.objects.get(academy=world.north_a, academic_year=autumn)
    agreed = Target.objects.get(academy=world.north_b, academic_year=autumn)

    assert not is_overdue(proposed, today=datetime.date(2025, 10, 31))
    assert is_overdue(proposed, today=datetime.date(2025, 11, 1))
    assert not is_overdue(agreed, today=datetime.date(2026, 6, 1))
    with time_machine.travel(datetime.datetime(2025, 11, 3, 9), tick=False):
        assert is_overdue(proposed)
