"""Importing a 25,000-row national file, against pandas reading the same bytes alone.

The file is synthetic, in the layout of Explore Education Statistics' school-level pupil absence
file: 25,000 school rows (a few hundred of them the bench trust's academies, the rest schools
elsewhere in England), one national row and a row for each of 150 local authorities. The import
keeps the trust's academies and the comparators for their local authorities, and leaves out the
rest, as it does with the real file.

Each timed import is a dry run: it parses, checks and writes every figure inside its transaction,
then rolls back, so every run does the same work as the first real import would. One real import
afterwards checks that the figures land.
"""

import io
from dataclasses import dataclass

import pandas as pd

from academies.imports.pipeline import import_file
from academies.models import ImportBatch

from .measure import interleaved_times, median_ms

ROWS = 25_000
TRUST_ROWS = 300  # the bench trust's academies in the file: "a few hundred"
LOCAL_AUTHORITIES = 150
YEAR = "202425"
HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,school_laestab,school_urn,school_name,education_phase,num_schools,"
    "enrolments,sess_possible,sess_overall,sess_authorised,sess_unauthorised,sess_overall_percent,"
    "sess_authorised_percent,sess_unauthorised_percent,enrolments_pa_10_exact,"
    "enrolments_pa_10_exact_percent,enrolments_pa_50_exact,enrolments_pa_50_exact_percent"
)
# Figures on each school row the importer keeps: overall, unauthorised, persistent and severe
# absence, and attendance derived from overall absence.
FIGURES_PER_SCHOOL = 5


def _figures(n, schools=1):
    """Plausible, varied, deterministic figures for row n: num_schools to the last column."""
    enrolments = (150 + (n * 37) % 1300) * schools
    possible = enrolments * 330
    overall = 3.5 + (n * 13) % 70 / 10  # 3.5% to 10.4%
    unauthorised = round(overall * (0.2 + (n % 5) / 20), 1)
    authorised = round(overall - unauthorised, 1)
    persistent = round(overall * 2.4, 1)
    severe = round(overall / 6, 1)
    sessions = round(possible * overall / 100)
    return (
        f"{schools},{enrolments},{possible},{sessions},{round(sessions * authorised / overall)},"
        f"{round(sessions * unauthorised / overall)},{overall:.1f},{authorised:.1f},{unauthorised:.1f},"
        f"{round(enrolments * persistent / 100)},{persistent:.1f},{round(enrolments * severe / 100)},"
        f"{severe:.1f}"
    )


def _row(level, figures, *, la="", la_name="", laestab="", urn="", name=""):
    region = "E12000008,South East" if la else ","
    new_la = f"E0{6000000 + int(la)}" if la else ""
    return (f"{YEAR},Academic year,{level},E92000001,England,{region},{la},{new_la},{la_name},"
            f"{laestab},{urn},{name},State-funded primary,{figures}")


def national_file(academies, rows=ROWS, trust_rows=TRUST_ROWS, local_authorities=LOCAL_AUTHORITIES):
    """The bytes of the file, and how many of its school rows are the trust's academies."""
    ours = academies[:trust_rows]
    our_urns = {a.urn for a in academies}
    trust_las = sorted({a.la_code for a in ours if a.la_code})
    las = (trust_las + [str(c) for c in range(201, 1000) if str(c) not in trust_las])[:local_authorities]
    lines = [HEADER, _row("National", _figures(0, schools=20_000))]
    lines += [_row("Local authority", _figures(i, schools=120 + i % 60), la=la, la_name=f"Authority {la}")
              for i, la in enumerate(las)]
    # The trust's rows are spread through the file, as in a national file ordered by LA.
    step = rows // max(len(ours), 1)
    urn = 100_000
    for n in range(rows):
        if n % step == 0 and n // step < len(ours):
            academy = ours[n // step]
            school_urn, la, name = academy.urn, academy.la_code, academy.name
        else:
            urn += 1
            while str(urn) in our_urns:
                urn += 1
            school_urn, la, name = str(urn), las[n % len(las)], f"School {urn}"
        lines.append(_row("School", _figures(n), la=la, la_name=f"Authority {la}",
                          laestab=f"{la}{n % 10000:04d}", urn=school_urn, name=name))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8"), len(ours)


@dataclass
class ImportResult:
    rows: int  # every row of the file: schools, local authorities and the national row
    school_rows: int
    trust_rows: int
    size: int
    pandas: list
    imports: list
    batch: ImportBatch

    @property
    def pandas_ms(self):
        return median_ms(self.pandas)

    @property
    def import_ms(self):
        return median_ms(self.imports)

    @property
    def ratio(self):
        return self.import_ms / self.pandas_ms

    @property
    def rows_per_second(self):
        return self.rows / (self.import_ms / 1000)


class ImportFailed(RuntimeError):
    """The import did not do what the benchmark expects; timing it would mislead."""


def measure_import(academies, repeat, warmup=1):
    data, trust_rows = national_file(academies)
    expected = trust_rows * FIGURES_PER_SCHOOL

    def read_with_pandas():
        return pd.read_csv(io.BytesIO(data))

    def dry_run():
        batch = import_file(data=data, file_name="absence-national.csv", dry_run=True)
        if batch.status != ImportBatch.Status.PREVIEWED or batch.created < expected:
            raise ImportFailed(f"the dry run ended {batch.status} with {batch.created} figures "
                               f"(expected at least {expected}): {batch.errors[:3]}")

    samples = interleaved_times({"pandas": read_with_pandas, "import": dry_run}, repeat=repeat, warmup=warmup)
    batch = import_file(data=data, file_name="absence-national.csv")
    if batch.status != ImportBatch.Status.SUCCEEDED or batch.created < expected:
        raise ImportFailed(
            f"the import ended {batch.status} with {batch.created} figures: {batch.errors[:3]}"
        )
    return ImportResult(
        rows=len(read_with_pandas()), school_rows=ROWS, trust_rows=trust_rows, size=len(data),
        pandas=samples["pandas"], imports=samples["import"], batch=batch,
    )
