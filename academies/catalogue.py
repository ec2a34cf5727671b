"""The catalogue of measures every trust starts with: everything on the academy card.

Synced into the database after every migrate (see apps.py): seeded measures are brought up to
date by code; measures the trust adds itself are left alone.
"""

PRIMARY = ["primary", "middle", "all_through", "special"]
SECONDARY = ["secondary", "middle", "all_through", "special", "ap"]
EARLY = ["nursery", "primary", "all_through", "special"]

# code, label, category, unit, higher_is_better, phases, decimal places, description
MEASURES = [
    # Context
    ("on_roll", "Number on roll", "context", "count", None, [], 0, "Pupils on roll at the January census."),
    ("pupil_premium", "Pupil premium", "context", "percent", None, [], 1, "Pupils eligible for the pupil premium (disadvantaged)."),
    ("fsm", "Free school meals", "context", "percent", None, [], 1, "Pupils known to be eligible for free school meals (census)."),
    ("eal", "English as an additional language", "context", "percent", None, [], 1, ""),
    ("sen_support", "SEN support", "context", "percent", None, [], 1, ""),
    ("ehcp", "EHC plans", "context", "percent", None, [], 1, "Pupils with an education, health and care plan."),
    ("deprivation", "Deprivation (IDACI quintile)", "context", "index", None, [], 0, "1 is the most deprived fifth of areas, 5 the least."),
    # Early years and phonics
    ("eyfs_gld", "Good level of development", "eyfs", "percent", True, EARLY, 0, "Reception pupils reaching a good level of development."),
    ("eyfs_elg", "Early learning goals met", "eyfs", "percent", True, EARLY, 0, "Reception pupils meeting the early learning goals in an area (subject: communication and language, literacy, maths)."),
    ("phonics_y1", "Phonics: end of Year 1", "phonics", "percent", True, PRIMARY, 0, "Year 1 pupils meeting the phonics screening check standard."),
    ("phonics_y2", "Phonics: end of Year 2", "phonics", "percent", True, PRIMARY, 0, "Pupils meeting the standard by the end of Year 2, including retakes."),
    # In-year attainment (the academy's own assessments, Years 1 to 6)
    ("attainment_expected", "At the expected standard", "in_year", "percent", True, PRIMARY, 0, "Pupils at or above the expected standard in a subject, by year group."),
    ("attainment_greater_depth", "At greater depth", "in_year", "percent", True, PRIMARY, 0, "Pupils working at greater depth in a subject, by year group."),
    # Key stage 2
    ("ks2_expected", "KS2 expected standard", "ks2", "percent", True, PRIMARY, 0, "Pupils reaching the expected standard (by subject, or reading, writing and maths combined)."),
    ("ks2_higher", "KS2 higher standard", "ks2", "percent", True, PRIMARY, 0, "Pupils reaching the higher standard (greater depth in writing)."),
    ("ks2_scaled_score", "KS2 average scaled score", "ks2", "score", True, PRIMARY, 1, "100 is the expected standard."),
    ("ks2_progress", "KS2 progress score", "ks2", "score", True, PRIMARY, 2, "Key stage 1 to 2 progress; not published after 2022/23."),
    ("ks2_mtc_full_marks", "Multiplication tables check: full marks", "ks2", "percent", True, PRIMARY, 0, "Year 4 pupils scoring 25 out of 25."),
    # Key stage 4
    ("ks4_attainment8", "Attainment 8", "ks4", "score", True, SECONDARY, 1, ""),
    ("ks4_progress8", "Progress 8", "ks4", "score", True, SECONDARY, 2, "Not published for 2024/25."),
    ("ks4_english_maths_4", "English and maths grade 4 or above", "ks4", "percent", True, SECONDARY, 0, ""),
    ("ks4_english_maths_5", "English and maths grade 5 or above", "ks4", "percent", True, SECONDARY, 0, ""),
    ("ks4_ebacc_entry", "EBacc entry", "ks4", "percent", True, SECONDARY, 0, ""),
    ("ks4_ebacc_aps", "EBacc average point score", "ks4", "score", True, SECONDARY, 2, ""),
    # SEN
    ("sen_progress", "SEN pupils making expected progress", "sen", "percent", True, [], 0, "Pupils with SEN making at least the progress expected of them this year."),
    # Attendance
    ("attendance", "Attendance", "attendance", "percent", True, [], 1, "Sessions attended as a share of possible sessions."),
    ("absence_overall", "Overall absence", "attendance", "percent", False, [], 1, "Sessions missed, authorised or not."),
    ("absence_unauthorised", "Unauthorised absence", "attendance", "percent", False, [], 1, ""),
    ("persistent_absence", "Persistent absence", "attendance", "percent", False, [], 1, "Pupils missing 10% or more of their possible sessions."),
    ("severe_absence", "Severe absence", "attendance", "percent", False, [], 1, "Pupils missing 50% or more of their possible sessions."),
    # Suspensions and exclusions
    ("suspensions", "Suspensions", "behaviour", "count", False, [], 0, "Number of suspensions (fixed-term exclusions)."),
    ("suspension_rate", "Suspension rate", "behaviour", "rate", False, [], 2, "Suspensions per 100 pupils."),
    ("pupils_suspended", "Pupils suspended", "behaviour", "count", False, [], 0, "Pupils with one or more suspensions."),
    ("pupils_suspended_rate", "Pupils suspended (rate)", "behaviour", "rate", False, [], 2, "Pupils with one or more suspensions, per 100 pupils."),
    ("permanent_exclusions", "Permanent exclusions", "behaviour", "count", False, [], 0, ""),
    ("permanent_exclusion_rate", "Permanent exclusion rate", "behaviour", "rate", False, [], 2, "Permanent exclusions per 100 pupils."),
    # Attendance enforcement
    ("fixed_penalty_notices", "Fixed penalty notices", "enforcement", "count", None, [], 0, ""),
    ("parenting_contracts", "Parenting contracts", "enforcement", "count", None, [], 0, ""),
    ("education_supervision_orders", "Education supervision orders", "enforcement", "count", None, [], 0, ""),
    ("prosecutions", "Attendance prosecutions", "enforcement", "count", None, [], 0, ""),
    ("parenting_orders", "Parenting orders", "enforcement", "count", None, [], 0, ""),
    # Provision
    ("ap_placements", "Alternative provision placements", "provision", "count", None, [], 0, "Pupils placed in alternative provision."),
    ("part_time_timetables", "Part-time timetables", "provision", "count", False, [], 0, "Pupils on a part-time timetable."),
]


def sync_catalogue(**kwargs):
    """Create or update the seeded measures (never the trust's own). Safe to run any time."""
    from .models import Measure

    for order, (code, label, category, unit, higher, phases, places, description) in enumerate(MEASURES):
        Measure.objects.update_or_create(
            code=code,
            defaults={
                "label": label, "category": category, "unit": unit, "higher_is_better": higher,
                "phases": phases, "decimal_places": places, "description": description,
                "trust_defined": False, "order": order,
            },
        )
