"""Explore Education Statistics "Suspensions and permanent exclusions in England", school-level
file. Rates are per 100 pupils on roll (`headcount`), so a suspension rate can pass 100 in a
small or alternative-provision school; a school with no pupils has `x` rates, kept as a state.

Suspensions were called fixed-period exclusions until 2020/21: the older column names are
read as the same figures, so the one file covering 2006/07 onwards imports whole."""

from .ees import GEOGRAPHY, EESSchoolFormat


class EESExclusions(EESSchoolFormat):
    kind = "ees_exclusions"
    label = "EES suspensions and permanent exclusions (school level)"
    description = (
        "Suspensions and permanent exclusions in England, school-level file from Explore "
        "Education Statistics (any year from 2006/07; the older fixed-period exclusion columns too)."
    )
    aliases = {
        **GEOGRAPHY,
        "headcount": ["headcount"],
        "suspensions": ["suspension", "fixed_excl"],
        "suspension_rate": ["susp_rate", "fixed_excl_rate"],
        "pupils_suspended": ["one_plus_susp", "one_+_susp", "one_plus_fixed"],
        "pupils_suspended_rate": [
            "one_plus_susp_rate", "one_+_susp_rate", "one_plus_fixed_rate", "one_or_more_fixed_excl_rate",
        ],
        "permanent_exclusions": ["perm_excl"],
        "permanent_exclusion_rate": ["perm_excl_rate"],
    }
    required = ("time_period", "urn", "suspension_rate")
    cohort_column = "headcount"
    signature = ("time_period", "urn", "suspension_rate", "permanent_exclusion_rate")
    # Each logical column is named after the measure it feeds.
    figures = {
        "suspensions": ("suspensions", "count"),
        "suspension_rate": ("suspension_rate", "rate"),
        "pupils_suspended": ("pupils_suspended", "count"),
        "pupils_suspended_rate": ("pupils_suspended_rate", "rate"),
        "permanent_exclusions": ("permanent_exclusions", "count"),
        "permanent_exclusion_rate": ("permanent_exclusion_rate", "rate"),
    }
